#!/usr/bin/env python3
"""The full release flow through blvm-commons serve and the CLI.

release (published) webhook -> an orchestration run over a 5-component graph
(consensus -> protocol -> node -> cli; sdk) built through repository_dispatch
on the fake GitHub API, where protocol's first build fails and is retried ->
the run's artifacts are collected and verified against the digests the
builds published, and the one that was tampered with is caught -> after it is
fetched again intact, the release is prepared, SHA256SUMS is signed by 2 of
the 3 maintainers (1 of 3 is refused) and the release is published to the
fake GitHub Releases API. Checked against every call the fake received and
the database, on SQLite and PostgreSQL.
"""

import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blvm_commons_testlib import (SECRET, Commons, make_keys, parse_args,  # noqa: E402
                                  run_for_databases, wait_until)
from fake_github import FakeGitHub  # noqa: E402

REPO = "blvm/blvm"
COMPONENTS = [
    {"name": "consensus"},
    {"name": "protocol", "depends_on": ["consensus"]},
    {"name": "node", "depends_on": ["protocol"]},
    {"name": "cli", "depends_on": ["node"]},
    {"name": "sdk", "payload": {"lang": "c"}},
]


def content_of(comp):
    return ("blvm %s 1.0.0 build output\n" % comp).encode() * 50


def run(tmp, db_url, label, builddir):
    fake = FakeGitHub(token="test-token", build_delay=0.4)
    fake.start()
    fake.builds = {"protocol": ["failure", "success"]}

    def artifacts(comp, attempt, run):
        good = content_of(comp)
        if comp == "sdk":
            # Someone swapped the bytes after the build published its digest.
            return [("sdk-1.0.0.tar.gz", good.replace(b"build", b"evil!"),
                     {"digest": "sha256:" + hashlib.sha256(good).hexdigest()})]
        return [("%s-1.0.0.tar.gz" % comp, good)]

    fake.artifact_factory = artifacts
    # sdk and cli are followed by polling the workflow runs only; the others
    # also send a build-complete webhook (whichever arrives first wins).
    fake.webhook_skip = {"sdk", "cli"}
    try:
        keys = make_keys(builddir, os.path.join(tmp, "keys"), 3, ["alice", "bob", "carol"])
        config = {
            "mode": "enforcing",
            "github": {"api_url": fake.url, "owner": "blvm", "repo": "blvm", "max_retries": 2},
            "orchestration": {"parallelism": 2, "max_retries": 2, "retry_backoff_secs": 1,
                              "build_timeout_secs": 120, "poll_interval_secs": 1, "workflow": "release.yml",
                              "dispatch": {"event_type": "blvm-build",
                                           "payload": {"workflow": "release.yml"}}},
            "components": COMPONENTS,
            "maintainers": [{"name": k[0], "github": k[0], "pubkey": k[2]} for k in keys],
            "release": {"threshold": 2, "target": "github"},
        }
        c = Commons(builddir, tmp, "serve", config, db_url)
        c.start()
        fake.webhook = (c.url + "/webhooks/github", SECRET)

        # ---- the release event; the request returns at once ---------------
        t0 = time.time()
        code, j = c.webhook("release", {"action": "published",
                                        "release": {"tag_name": "v1.0.0", "name": "blvm 1.0.0"},
                                        "repository": {"full_name": REPO}}, "rel-1")
        assert code == 200 and j["status"] == "queued", (code, j)
        assert time.time() - t0 < 2.0
        # Other release actions do not start builds.
        code, j = c.webhook("release", {"action": "created", "release": {"tag_name": "v1.0.0"},
                                        "repository": {"full_name": REPO}}, "rel-created")
        assert code == 200

        def finished():
            r = c.cli("orchestrate", "status", "1", "--json")
            if r.returncode not in (0, 1) or not r.out.strip():
                return None
            st = json.loads(r.out)
            return st if st["state"] in ("succeeded", "failed") else None

        st = wait_until(finished, 120, 0.5, "orchestration run 1 to finish")
        assert st["state"] == "succeeded", json.dumps(st, indent=1) + c.log()
        assert st["trigger"] == "release" and st["ref"] == "v1.0.0", st
        builds = {b["component"]: b for b in st["builds"]}
        assert builds["protocol"]["attempt"] == 2, builds["protocol"]
        for comp in ("consensus", "node", "cli", "sdk"):
            assert builds[comp]["attempt"] == 1 and builds[comp]["state"] == "succeeded", builds[comp]
        tr = st["transitions"]
        retry = [t for t in tr if t["component"] == "protocol" and t["to"] == "retry_wait"]
        assert len(retry) == 1 and "failure" in retry[0]["reason"], tr
        done = {t["component"]: t["reason"] for t in tr if t["to"] == "succeeded"}
        assert "concluded success" in done["sdk"] and "concluded success" in done["cli"], done
        assert any("build-complete webhook" in r for r in done.values()), done
        assert all(t["at"] > 0 and t["reason"] for t in tr)

        # ---- what the fake GitHub saw --------------------------------------
        disp = list(fake.dispatches)
        assert len(disp) == 6, disp  # five builds, protocol twice
        by_comp = {}
        for d in disp:
            assert d["event_type"] == "blvm-build", d
            p = d["client_payload"]
            assert p["workflow"] == "release.yml" and p["ref"] == "v1.0.0", p
            by_comp.setdefault(p["component"], []).append(p)
        assert by_comp["sdk"][0]["lang"] == "c"
        assert [p["attempt"] for p in by_comp["protocol"]] == [1, 2]
        assert by_comp["protocol"][0]["build_id"] != by_comp["protocol"][1]["build_id"]
        # Order: nothing dispatched before its dependencies' runs completed.
        disp_calls = fake.calls_matching("POST", "/dispatches$")
        t_of = {}
        for call in disp_calls:
            t_of.setdefault(call["json"]["client_payload"]["component"], []).append(call["time"])
        assert t_of["consensus"][0] < t_of["protocol"][0] < t_of["node"][0] < t_of["cli"][0]
        # consensus and sdk are independent and started together.
        assert abs(t_of["sdk"][0] - t_of["consensus"][0]) < 0.5 * 2 + 0.5
        # Polling asked for the configured workflow's runs only.
        assert fake.calls_matching("GET", "/actions/workflows/release.yml/runs$")
        assert not fake.calls_matching("GET", "/actions/runs$")
        # Every API call carried the token.
        assert all(cl["headers"].get("authorization") == "Bearer test-token"
                   for cl in fake.calls if not cl["path"].startswith("/blobs/"))

        # ---- artifacts: the tampered one is caught -------------------------
        wait_until(lambda: "artifact verification FAILED" in c.log(), 30, 0.2, "collection")
        arts = {a["name"]: a for a in c.rows("artifacts")}
        assert len(arts) == 5, arts
        sdk = [a for a in arts.values() if a["name"].startswith("sdk")][0]
        assert sdk["status"] == "mismatch", sdk
        assert all(a["status"] == "verified" for a in arts.values() if a is not sdk), arts
        assert all(a["run_ref"] == "run-1" for a in arts.values())
        r = c.cli("release", "prepare", "1.0.0", "--run", "run-1")
        assert r.returncode != 0 and "failed verification" in r.err, r.out + r.err

        # The intact bytes are fetched again: now everything verifies.
        with fake.lock:
            for a in fake.artifacts.values():
                if a["meta"]["name"].startswith("sdk"):
                    a["content"] = content_of("sdk")
        r = c.cli("orchestrate", "collect", "1")
        assert r.returncode == 0, r.out + r.err
        assert "5 verified" in r.out, r.out
        arts = c.rows("artifacts")
        assert all(a["status"] == "verified" for a in arts), arts

        # ---- SHA256SUMS signed 2 of 3, then published -----------------------
        r = c.cli("release", "prepare", "1.0.0", "--run", "run-1")
        assert r.returncode == 0, r.out + r.err
        sums = os.path.join(c.data, "releases", "staging", "1.0.0", "SHA256SUMS")
        assert os.path.exists(sums), r.out
        lines = open(sums).read().splitlines()
        want = {hashlib.sha256(content_of(x["name"])).hexdigest() for x in COMPONENTS}
        listed = {ln.split()[1]: ln.split()[0] for ln in lines}
        assert "RELEASE_NOTES.md" in listed and len(listed) == 6, lines
        assert set(listed.values()) - {listed["RELEASE_NOTES.md"]} == want, lines
        r = c.cli("sign", sums, "--key", keys[0][1])
        assert r.returncode == 0, r.err
        r = c.cli("release", "create", "1.0.0", "--run", "run-1")
        assert r.returncode != 0 and "refusing" in r.err, r.out + r.err
        assert not fake.releases
        r = c.cli("sign", sums, "--key", keys[1][1])
        assert r.returncode == 0, r.err
        r = c.cli("release", "create", "1.0.0", "--run", "run-1")
        assert r.returncode == 0, r.out + r.err

        assert len(fake.releases) == 1, fake.releases
        rel = list(fake.releases.values())[0]
        assert rel["tag_name"] == "1.0.0" and rel["prerelease"] is False, rel
        assets = fake.assets[rel["id"]]
        assert "SHA256SUMS" in assets and "SHA256SUMS.sig" in assets, list(assets)
        assert assets["SHA256SUMS"] == open(sums, "rb").read()
        got = {hashlib.sha256(b).hexdigest() for n, b in assets.items()}
        assert want <= got, (want - got, list(assets))
        sig_lines = assets["SHA256SUMS.sig"].decode().splitlines()
        signed_by = {ln.split()[0] for ln in sig_lines if ln and not ln.startswith("#")}
        assert signed_by == {keys[0][2], keys[1][2]}, sig_lines

        # Everything is in the audit chain, which verifies.
        audit = [a["action"] for a in c.rows("audit_log", "action")]
        for action in ("run.created", "run.finished"):
            assert action in audit, audit
        r = c.cli("audit", "verify")
        assert r.returncode == 0, r.out + r.err
        c.stop()
    finally:
        fake.stop()


def main():
    args = parse_args()
    run_for_databases(args, lambda tmp, url, label: run(tmp, url, label, args.builddir))


if __name__ == "__main__":
    main()
