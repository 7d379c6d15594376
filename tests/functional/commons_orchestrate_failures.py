#!/usr/bin/env python3
"""`blvm-commons orchestrate run` when builds go wrong (fake GitHub API).

- protocol fails on every attempt: retried up to max_retries, then failed;
  node and cli (which depend on it) are skipped, never dispatched;
- sdk's workflow never finishes: each attempt times out, then timed_out;
- the dispatch API answers 502 twice: the client retries, docs still builds;
- consensus and docs succeed; the run fails, naming what failed, and the
  command exits 1. `orchestrate status` shows every transition with reasons.
On SQLite and PostgreSQL.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blvm_commons_testlib import Commons, parse_args, run_for_databases  # noqa: E402
from fake_github import FakeGitHub  # noqa: E402


def run(tmp, db_url, label, builddir):
    fake = FakeGitHub(build_delay=0.2).start()
    fake.builds = {"protocol": ["failure", "cancelled", "failure"]}
    fake.hold = {"sdk"}
    fake.inject("POST", "/dispatches$", 502, count=2)
    try:
        config = {
            "github": {"api_url": fake.url, "owner": "blvm", "repo": "blvm", "max_retries": 3},
            "orchestration": {"parallelism": 3, "max_retries": 1, "retry_backoff_secs": 1,
                              "build_timeout_secs": 3, "poll_interval_secs": 1},
            "components": [
                {"name": "consensus"},
                {"name": "protocol", "depends_on": ["consensus"]},
                {"name": "node", "depends_on": ["protocol"]},
                {"name": "cli", "depends_on": ["node"]},
                {"name": "sdk", "timeout_secs": 2},
                {"name": "docs"},
            ],
        }
        c = Commons(builddir, tmp, "cli", config, db_url)
        t0 = time.time()
        r = c.cli("orchestrate", "run", "--ref", "deadbeef", timeout=120)
        assert r.returncode == 1, (r.returncode, r.out, r.err)
        assert time.time() - t0 < 60
        assert r.out.startswith("run 1\n"), r.out
        assert "run 1: failed" in r.out, r.out

        st = json.loads(c.cli("orchestrate", "status", "1", "--json").out)
        b = {x["component"]: x for x in st["builds"]}
        assert st["state"] == "failed", st
        assert b["consensus"]["state"] == "succeeded" and b["docs"]["state"] == "succeeded", b
        assert b["protocol"]["state"] == "failed" and b["protocol"]["attempt"] == 2, b["protocol"]
        assert b["protocol"]["conclusion"] == "cancelled", b["protocol"]
        assert b["node"]["state"] == "skipped" and b["node"]["attempt"] == 0, b["node"]
        assert b["cli"]["state"] == "skipped" and b["cli"]["attempt"] == 0, b["cli"]
        assert b["sdk"]["state"] == "timed_out" and b["sdk"]["attempt"] == 2, b["sdk"]
        for comp in ("protocol", "sdk"):
            assert comp in st["reason"], st["reason"]
        tr = st["transitions"]
        skip = [t for t in tr if t["component"] == "node" and t["to"] == "skipped"]
        assert skip and "dependency protocol did not succeed" in skip[0]["reason"], tr
        skip = [t for t in tr if t["component"] == "cli" and t["to"] == "skipped"]
        assert skip and "dependency node did not succeed" in skip[0]["reason"], tr
        tmo = [t for t in tr if t["component"] == "sdk" and "timed out" in t["reason"]]
        assert len(tmo) == 2 and tmo[-1]["to"] == "timed_out", tmo
        # Nothing was dispatched for the skipped builds.
        comps = [d["client_payload"]["component"] for d in fake.dispatches]
        assert "node" not in comps and "cli" not in comps, comps
        assert comps.count("protocol") == 2 and comps.count("sdk") == 2, comps
        # The two 502s were retried by the client: 2 failed + 6 good calls.
        assert len(fake.calls_matching("POST", "/dispatches$")) == 8
        # Text status.
        r = c.cli("orchestrate", "status", "1")
        assert r.returncode == 1 and "timed_out" in r.out and "skipped" in r.out, r.out
        r = c.cli("orchestrate", "status", "99")
        assert r.returncode == 1 and "no run 99" in r.err, r.err
        r = c.cli("orchestrate", "status", "x1")
        assert r.returncode == 2, r.err
        # A config with a cycle is refused at load.
        bad = dict(config)
        bad["components"] = [{"name": "a", "depends_on": ["b"]}, {"name": "b", "depends_on": ["a"]}]
        c2 = Commons(builddir, tmp, "bad", bad, db_url)
        r = c2.cli("orchestrate", "run")
        assert r.returncode == 2 and "cycle" in r.err, r.err
        bad["components"] = [{"name": "a", "depends_on": ["nope"]}]
        c3 = Commons(builddir, tmp, "bad2", bad, db_url)
        r = c3.cli("orchestrate", "run")
        assert r.returncode == 2 and "unknown component 'nope'" in r.err, r.err
    finally:
        fake.stop()


def main():
    args = parse_args()
    run_for_databases(args, lambda tmp, url, label: run(tmp, url, label, args.builddir))


if __name__ == "__main__":
    main()
