#!/usr/bin/env python3
"""Killing the orchestrator (kill -9) in the middle of a run, then restarting.

1. blvm-commons serve runs a release build over five dispatched components;
   it is killed while protocol's workflow run is in progress (consensus and
   sdk finished). protocol's run completes while the service is down, so no
   webhook reaches it. After a restart the run resumes: protocol's result is
   found by polling, node and cli are built, and no build is dispatched a
   second time.
2. `blvm-commons orchestrate run` with local commands is killed (kill -9)
   while one command runs and just after another finished. The commands
   outlive it and record their exit status; `orchestrate resume RUN` picks
   both up (nothing is run twice) and finishes the run.
On SQLite and PostgreSQL.
"""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blvm_commons_testlib import (SECRET, Commons, fresh_database, parse_args,  # noqa: E402
                                  run_for_databases, wait_until)
from fake_github import FakeGitHub  # noqa: E402

REPO = "blvm/blvm"
COMPONENTS = [
    {"name": "consensus"},
    {"name": "protocol", "depends_on": ["consensus"]},
    {"name": "node", "depends_on": ["protocol"]},
    {"name": "cli", "depends_on": ["node"]},
    {"name": "sdk"},
]


def status(c, run_id):
    r = c.cli("orchestrate", "status", str(run_id), "--json")
    return json.loads(r.out) if r.out.strip() else None


def build_states(c, run_id):
    st = status(c, run_id)
    return {b["component"]: b["state"] for b in st["builds"]} if st else {}


def serve_part(tmp, db_url, builddir):
    fake = FakeGitHub(build_delay=0.3).start()
    fake.builds = {}
    fake.hold = {"protocol"}
    fake.artifact_factory = lambda comp, attempt, run: [("%s.tar.gz" % comp, comp.encode() * 10)]
    try:
        config = {
            "github": {"api_url": fake.url, "owner": "blvm", "repo": "blvm", "max_retries": 1},
            "orchestration": {"parallelism": 2, "max_retries": 1, "retry_backoff_secs": 1,
                              "build_timeout_secs": 300, "poll_interval_secs": 1},
            "components": COMPONENTS,
        }
        c = Commons(builddir, tmp, "serve", config, db_url)
        c.start()
        fake.webhook = (c.url + "/webhooks/github", SECRET)
        code, j = c.webhook("release", {"action": "published", "release": {"tag_name": "v2.0.0"},
                                        "repository": {"full_name": REPO}}, "rel-2")
        assert code == 200, (code, j)

        def midway():
            s = build_states(c, 1)
            return s if (s.get("consensus") == "succeeded" and s.get("sdk") == "succeeded" and
                         s.get("protocol") == "running") else None
        wait_until(midway, 60, 0.3, "consensus and sdk done, protocol running")
        c.kill9()

        # protocol's workflow finishes while nobody listens.
        run = [r for r in fake.runs if r.get("component") == "protocol"][0]
        fake.add_artifact(REPO, run["id"], "protocol.tar.gz", b"protocol" * 10)
        fake.complete_run(run["id"], "success")
        fake.hold.clear()
        dispatches_before = len(fake.dispatches)
        assert dispatches_before == 3, fake.dispatches  # consensus, sdk, protocol

        c.start()
        fake.webhook = (c.url + "/webhooks/github", SECRET)

        def done():
            st = status(c, 1)
            return st if st and st["state"] in ("succeeded", "failed") else None
        st = wait_until(done, 60, 0.3, "resumed run to finish")
        assert st["state"] == "succeeded", json.dumps(st, indent=1)
        assert "resuming 1 unfinished run" in c.log(), c.log()
        comps = [d["client_payload"]["component"] for d in fake.dispatches]
        assert sorted(comps) == sorted(x["name"] for x in COMPONENTS), comps  # once each
        builds = {b["component"]: b for b in st["builds"]}
        assert all(b["attempt"] == 1 for b in builds.values()), builds
        proto = [t for t in st["transitions"] if t["component"] == "protocol" and t["to"] == "succeeded"]
        assert len(proto) == 1 and "workflow run %d concluded success" % run["id"] in proto[0]["reason"], proto
        # No webhook for the same completion was processed twice either.
        assert len([t for t in st["transitions"] if t["to"] == "succeeded"]) == 5
        c.stop()
        r = c.cli("audit", "verify")
        assert r.returncode == 0, r.out + r.err
    finally:
        fake.stop()


def cli_part(tmp, db_url, builddir):
    work = os.path.join(tmp, "work")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "runs.txt")
    comps = [
        {"name": "a", "command": "echo a >> runs.txt", "workdir": work},
        {"name": "b", "depends_on": ["a"], "workdir": work,
         "command": "if [ -e b.started ]; then echo b-again >> runs.txt; "
                    "else touch b.started; echo b >> runs.txt; sleep 3; fi"},
        {"name": "c", "depends_on": ["b"], "command": "echo c >> runs.txt", "workdir": work},
        {"name": "d", "command": "echo d >> runs.txt", "workdir": work},
        {"name": "e", "depends_on": ["d"], "command": "echo e >> runs.txt", "workdir": work},
    ]
    config = {"orchestration": {"parallelism": 2, "max_retries": 0, "poll_interval_secs": 1,
                                "build_timeout_secs": 300},
              "components": comps}
    c = Commons(builddir, tmp, "cli", config, db_url)
    p = subprocess.Popen([c.bin, "--config", c.config_path, "orchestrate", "run", "--ref", "abc123"],
                         env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: os.path.exists(log) and "b\n" in open(log).read() and
               build_states(c, 1).get("b") == "running", 60, 0.2, "b running")
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    assert build_states(c, 1)["b"] == "running"

    r = c.cli("orchestrate", "resume", "1", timeout=120)
    assert r.returncode == 0, r.out + r.err
    st = status(c, 1)
    assert st["state"] == "succeeded", st
    lines = open(log).read().split()
    for name in ("a", "c", "d", "e"):
        assert lines.count(name) == 1, lines
    assert lines.count("b") == 1 and "b-again" not in lines, lines
    b = [x for x in st["builds"] if x["component"] == "b"][0]
    assert b["attempt"] == 1 and b["state"] == "succeeded", b
    assert any(t["component"] == "b" and "while the orchestrator was down" in t["reason"]
               for t in st["transitions"]), st["transitions"]
    r = c.cli("orchestrate", "resume", "1")
    assert r.returncode == 0  # a finished run: nothing to do
    assert open(log).read().split() == lines


def run(tmp, db_url, label, builddir):
    serve_part(tmp, db_url, builddir)
    cli_part(os.path.join(tmp, "cli"), fresh_database(), builddir)


def main():
    args = parse_args()
    run_for_databases(args, lambda tmp, url, label: run(tmp, url, label, args.builddir))


if __name__ == "__main__":
    main()
