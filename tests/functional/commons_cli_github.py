#!/usr/bin/env python3
"""blvm-commons against a fake GitHub API (tests/functional/fake_github.py):

- artifacts collect --github-run: lists the run's artifacts, skips and
  records expired ones, downloads through GitHub's redirect with the token,
  survives injected 5xx answers, verifies each download against the
  published digest; a tampered artifact or one without a digest fails;
- a bad token gives a clear error;
- release create --target github: refused below threshold (no release is
  created), then published with 2 of 3 signatures: release created with the
  right tag, prerelease flag and notes, every asset uploaded byte for byte.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_github import FakeGitHub  # noqa: E402

FAILURES = []
REPO = "blvm-project/blvm"
TOKEN = "test-token-123"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.builddir), "bin", "blvm-commons")
    tmp = tempfile.mkdtemp(prefix="blvm-commons-gh-")
    gh = FakeGitHub(token=TOKEN).start()
    try:
        data = os.path.join(tmp, "data")
        cfg = os.path.join(tmp, "commons.json")
        with open(cfg, "w") as f:
            json.dump({"data_dir": data,
                       "github": {"api_url": gh.url, "owner": "blvm-project", "repo": "blvm",
                                  "timeout_secs": 10, "max_retries": 3},
                       "release": {"threshold": 2, "target": "github"}}, f)
        env = dict(os.environ, BLVM_COMMONS_GITHUB_TOKEN=TOKEN)
        for k in ("BLVM_COMMONS_DATABASE_URL", "BLVM_COMMONS_DATA_DIR", "GITHUB_TOKEN", "BLVM_GITHUB_TOKEN"):
            env.pop(k, None)

        def run(*a, token=TOKEN):
            e = dict(env)
            e["BLVM_COMMONS_GITHUB_TOKEN"] = token
            p = subprocess.run([binary, "--config", cfg] + list(a), env=e, capture_output=True, text=True,
                               timeout=120)
            return p.returncode, p.stdout, p.stderr

        keys = []
        ring = ""
        for name in ("alice", "bob", "carol"):
            path = os.path.join(tmp, name + ".key")
            rc, out, err = run("key", "generate", "--out", path, "--name", name)
            keys.append(path)
            ring += open(path + ".pub").read()
        ringpath = os.path.join(tmp, "ring")
        with open(ringpath, "w") as f:
            f.write(ring)

        good = gh.add_run(REPO, status="completed", conclusion="success")
        node = b"PK\x03\x04node-binaries" * 300
        cli = b"PK\x03\x04cli" * 40
        gh.add_artifact(REPO, good["id"], "node-linux", node)
        gh.add_artifact(REPO, good["id"], "cli-linux", cli)
        gh.add_artifact(REPO, good["id"], "old-logs", b"logs", expired=True, expires_at="2020-01-01T00:00:00Z")
        gh.inject("GET", r"/blobs/", 502, count=2)
        rc, out, err = run("artifacts", "collect", "--github-run", str(good["id"]), "--run", "gh1")
        check(rc == 0 and "2 verified, 1 expired, 0 failed" in out, "GitHub run collected: 2 verified, 1 expired")
        check("expired      old-logs" in out, "expired artifact skipped and reported")
        lists = gh.calls_matching("GET", r"/actions/runs/%d/artifacts$" % good["id"])
        check(len(lists) >= 1 and lists[0]["headers"].get("authorization") == "Bearer " + TOKEN,
              "artifact list sent with the token from the environment")
        check(len(gh.calls_matching("GET", r"/blobs/")) == 4, "two 502s on download were retried")
        check(len(gh.calls_matching("GET", r"/artifacts/\d+/zip$")) >= 2, "downloads went through the zip URL")
        stored = os.path.join(data, "artifacts", "gh1", "node-linux.zip")
        check(os.path.exists(stored) and open(stored, "rb").read() == node, "artifact stored byte for byte")
        rc, out, err = run("artifacts", "list", "--run", "gh1")
        rows = {l.split("\t")[1]: l.split("\t") for l in out.splitlines()}
        check(rows["node-linux"][2] == "verified" and rows["node-linux"][4] == hashlib.sha256(node).hexdigest()
              and rows["node-linux"][6] == "github", "verified artifact recorded with hash and source")
        check(rows["old-logs"][2] == "expired" and rows["old-logs"][7] == "1577836800", "expiry recorded")

        bad = gh.add_run(REPO, status="completed", conclusion="success")
        gh.add_artifact(REPO, bad["id"], "tampered", b"real", extra={"digest": "sha256:" + "ab" * 32})
        gh.add_artifact(REPO, bad["id"], "nodigest", b"x", extra={"digest": None})
        gh.add_artifact(REPO, bad["id"], "fine", b"fine")
        rc, out, err = run("artifacts", "collect", "--github-run", str(bad["id"]), "--run", "gh2")
        check(rc == 1 and "mismatch     tampered" in out, "tampered GitHub artifact caught")
        check("missing_hash nodigest" in out, "artifact without a digest fails")
        check(not os.path.exists(os.path.join(data, "artifacts", "gh2", "tampered.zip")), "tampered bytes not kept")
        rc, out, err = run("artifacts", "collect", "--github-run", str(good["id"]), "--run", "gh3", token="wrong")
        check(rc == 1 and "401" in err, "bad token: clear error")
        rc, out, err = run("artifacts", "collect", "--github-run", "abc")
        check(rc == 2 and "--github-run" in err, "bad run id rejected")

        # release to GitHub
        rc, out, err = run("release", "prepare", "v3.0.0-beta1", "--run", "gh1")
        check(rc == 0, "release prepared")
        sums = os.path.join(data, "releases", "staging", "v3.0.0-beta1", "SHA256SUMS")
        run("sign", sums, "--key", keys[0])
        rc, out, err = run("release", "create", "v3.0.0-beta1", "--keys", ringpath)
        check(rc == 1 and "refusing to publish" in err, "1 of 2 signatures: refused")
        check(not gh.releases, "no GitHub release created when refused")
        run("sign", sums, "--key", keys[2])
        rc, out, err = run("release", "create", "v3.0.0-beta1", "--keys", ringpath)
        check(rc == 0 and "pre-release" in out, "published with 2 of 3 signatures")
        rels = list(gh.releases.values())
        check(len(rels) == 1 and rels[0]["tag_name"] == "v3.0.0-beta1" and rels[0].get("prerelease") is True,
              "GitHub release created as a pre-release with the version tag")
        check("node-linux.zip" in rels[0].get("body", ""), "release notes sent as the body")
        assets = gh.assets[rels[0]["id"]]
        check(sorted(assets) == ["RELEASE_NOTES.md", "SHA256SUMS", "SHA256SUMS.sig", "cli-linux.zip",
                                 "node-linux.zip"], "all assets uploaded")
        check(assets["node-linux.zip"] == node and assets["cli-linux.zip"] == cli, "assets uploaded byte for byte")
        check(assets["SHA256SUMS"] == open(sums, "rb").read(), "signed SHA256SUMS uploaded")
        # the uploaded SHA256SUMS describes the uploaded assets
        ok = True
        for line in assets["SHA256SUMS"].decode().splitlines():
            h, name = line.split("  ", 1)
            ok &= hashlib.sha256(assets[name]).hexdigest() == h
        check(ok, "uploaded SHA256SUMS matches the uploaded assets")
        rc, out, err = run("release", "list")
        check("v3.0.0-beta1\tpublished\tgithub" in out, "release recorded in the database")

        rc, out, err = run("release", "prepare", "v3.0.0", "--run", "gh1")
        sums = os.path.join(data, "releases", "staging", "v3.0.0", "SHA256SUMS")
        run("sign", sums, "--key", keys[0])
        run("sign", sums, "--key", keys[1])
        rc, out, err = run("release", "create", "v3.0.0", "--keys", ringpath)
        final = [r for r in gh.releases.values() if r["tag_name"] == "v3.0.0"]
        check(rc == 0 and len(final) == 1 and final[0].get("prerelease") is False, "final version is not a pre-release")
        rc, out, err = run("audit", "verify")
        check(rc == 0, "audit chain intact")
    finally:
        gh.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
