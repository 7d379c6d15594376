#!/usr/bin/env python3
"""blvm-commons serve: webhook authentication and bookkeeping.

Signed, unsigned, wrongly signed, tampered and replayed deliveries; malformed
JSON, missing headers, oversized bodies, unknown events; /health and
/status; 200 concurrent deliveries with none lost; a replay is still caught
after a restart; the service stops in bounded time. Runs on SQLite and on a
real PostgreSQL server started by the test.
"""

import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blvm_commons_testlib import (SECRET, Commons, get, make_keys, parse_args, post,  # noqa: E402
                                  run_for_databases, sign_body, wait_until)
from fake_github import FakeGitHub  # noqa: E402

REPO = "blvm/blvm"


def sha_for(n):
    return ("%040x" % (0xabc000 + n))


def pr_payload(action, number, sha, title="Improve things"):
    return {"action": action, "number": number,
            "pull_request": {"number": number, "title": title, "head": {"sha": sha},
                             "base": {"ref": "main"}, "user": {"login": "alice"},
                             "created_at": "2026-01-01T00:00:00Z", "merged": False},
            "repository": {"full_name": REPO}}


def run(tmp, db_url, label, builddir):
    fake = FakeGitHub().start()
    try:
        keys = make_keys(builddir, os.path.join(tmp, "keys"), 1)
        config = {
            "mode": "dry-run",
            "github": {"api_url": fake.url, "owner": "blvm", "repo": "blvm", "max_retries": 1},
            "governance": {"default": {"signatures": 1, "review_days": 0}},
            "maintainers": [{"name": k[0], "pubkey": k[2]} for k in keys],
        }
        c = Commons(builddir, tmp, "serve", config, db_url)
        c.start()

        code, h = get(c.url + "/health")
        assert code == 200 and h["status"] == "ok", h
        assert h["database"] == ("postgresql" if db_url else "sqlite"), h

        # --- authentication -------------------------------------------------
        code, j = c.webhook("ping", {"zen": "hi"}, "d-ping")
        assert code == 200 and j["status"] == "pong", (code, j)

        body = json.dumps(pr_payload("opened", 1, sha_for(1))).encode()
        code, j = c.webhook("pull_request", None, "d-unsigned", signature=None, raw=body)
        assert code == 401 and "missing" in j["error"], (code, j)
        code, j = c.webhook("pull_request", None, "d-wrong", signature="wrong", raw=body)
        assert code == 401 and "mismatch" in j["error"], (code, j)
        code, j = c.webhook("pull_request", None, "d-sha1", signature="sha1=" + "0" * 40, raw=body)
        assert code == 401 and "malformed" in j["error"], (code, j)
        code, j = c.webhook("pull_request", None, "d-badhex", signature="sha256=" + "zz" * 32, raw=body)
        assert code == 401 and "malformed" in j["error"], (code, j)
        # A valid signature over different bytes: the body was altered.
        tampered = body.replace(b"Improve", b"Imprave")
        code, j = post(c.url + "/webhooks/github", tampered,
                       {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-tampered",
                        "X-Hub-Signature-256": sign_body(body)})
        assert code == 401 and "mismatch" in j["error"], (code, j)
        # Nothing of the rejected deliveries was acted on.
        time.sleep(0.5)
        assert not fake.calls_matching("POST", "/statuses/"), fake.statuses
        rej = c.rows("webhook_rejections", "delivery_id, http_status, reason")
        reasons = {r["delivery_id"]: (r["http_status"], r["reason"]) for r in rej}
        for d in ("d-unsigned", "d-wrong", "d-sha1", "d-badhex", "d-tampered"):
            assert reasons[d][0] == "401", (d, reasons)
        assert "rejected webhook" in c.log() and "signature mismatch" in c.log()

        # --- malformed requests (signed) ------------------------------------
        code, j = c.webhook("pull_request", None, "d-badjson", raw=b'{"action": "opened",')
        assert code == 400 and "malformed JSON" in j["error"], (code, j)
        code, j = c.webhook("pull_request", None, "d-array", raw=b'[1, 2]')
        assert code == 400, (code, j)
        code, j = c.webhook("pull_request", None, "", raw=body)
        assert code == 400 and "Delivery" in j["error"], (code, j)
        code, j = c.webhook("Bad Event!", None, "d-badevent", raw=body)
        assert code == 400 and "Event" in j["error"], (code, j)

        # --- unknown events: 202, recorded, ignored -------------------------
        code, j = c.webhook("star", {"action": "created"}, "d-star")
        assert code == 202 and j["status"] == "ignored", (code, j)

        # --- a good delivery, then its replay -------------------------------
        fake.pr_files[(REPO, 1)] = ["src/consensus/tx.c"]
        code, j = c.webhook("pull_request", None, "d-pr1", raw=body)
        assert code == 200 and j["status"] == "queued", (code, j)
        wait_until(lambda: fake.calls_matching("POST", "/statuses/" + sha_for(1)), 20,
                   what="status for PR 1")
        code, j = c.webhook("pull_request", None, "d-pr1", raw=body)
        assert code == 200 and j["status"] == "duplicate", (code, j)
        time.sleep(1.0)
        assert len(fake.calls_matching("POST", "/statuses/" + sha_for(1))) == 1
        st = fake.statuses[-1]
        assert st["state"] == "success" and st["description"].startswith("[dry-run]"), st
        # The token from the environment was used.
        assert fake.calls_matching("POST", "/statuses/")[0]["headers"]["authorization"] == \
            "Bearer test-token"

        # --- oversized body: 413 --------------------------------------------
        big = b'{"pad": "' + b"x" * (25 * 1024 * 1024 + 10) + b'"}'
        code, j = c.webhook("pull_request", None, "d-big", raw=big)
        assert code == 413, (code, j)
        code, h = get(c.url + "/health")
        assert code == 200

        # --- 200 concurrent deliveries, none lost ---------------------------
        n = 200
        for i in range(n):
            fake.pr_files[(REPO, 100 + i)] = ["docs/file%d.md" % i]

        def deliver(i):
            b = json.dumps(pr_payload("opened", 100 + i, sha_for(100 + i))).encode()
            return c.webhook("pull_request", None, "d-burst-%d" % i, raw=b)

        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
            results = list(ex.map(deliver, range(n)))
        elapsed = time.time() - t0
        bad = [(i, r) for i, r in enumerate(results) if r[0] != 200 or r[1]["status"] != "queued"]
        assert not bad, bad[:5]
        print("%s: %d concurrent deliveries accepted in %.2fs" % (label, n, elapsed), flush=True)
        wait_until(lambda: len(fake.calls_matching("POST", "/statuses/")) >= n + 1, 120, 0.5,
                   "statuses for all burst PRs")
        shas = {s["sha"] for s in fake.statuses}
        for i in range(n):
            assert sha_for(100 + i) in shas, i
        prs = c.rows("pull_requests", "number, head_sha, state", "number")
        assert len(prs) == n + 1, len(prs)
        deliveries = c.rows("webhook_deliveries", "delivery_id, status")
        burst = [d for d in deliveries if d["delivery_id"].startswith("d-burst-")]
        assert len(burst) == n and all(d["status"] == "processed" for d in burst), \
            [d for d in burst if d["status"] != "processed"][:3]

        s = c.status()
        assert s["mode"] == "dry-run"
        assert s["deliveries"]["processed"] >= n + 2, s  # ping + pr1 + burst
        assert s["deliveries"]["ignored"] == 1, s       # star
        assert s["since_start"]["duplicate"] == 1, s
        assert s["rejections"]["401"] == 5 and s["rejections"]["400"] >= 4, s

        # --- a flood of bad deliveries: all refused, logging rate-limited ----
        before = len(c.rows("webhook_rejections", "id"))
        flood = 100
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
            codes = list(ex.map(lambda i: c.webhook("pull_request", None, "flood-%d" % i,
                                                    signature="wrong", raw=body)[0], range(flood)))
        assert codes == [401] * flood, codes
        time.sleep(1.1)
        c.webhook("pull_request", None, "flood-last", signature="wrong", raw=body)
        stored = len(c.rows("webhook_rejections", "id")) - before
        assert 2 <= stored < flood, stored
        assert "more rejected webhooks not logged" in c.log()
        assert c.status()["since_start"]["rejected"] >= 9 + flood + 1
        code, h = get(c.url + "/health")
        assert code == 200

        # --- kill -9 with accepted deliveries not yet processed: none lost --
        fake.slow.append((r"/pulls/\d+/files$", 0.2))
        m = 30
        for i in range(m):
            fake.pr_files[(REPO, 500 + i)] = ["src/x%d.c" % i]

        def deliver2(i):
            b = json.dumps(pr_payload("opened", 500 + i, sha_for(500 + i))).encode()
            return c.webhook("pull_request", None, "d-kill-%d" % i, raw=b)
        with concurrent.futures.ThreadPoolExecutor(max_workers=m) as ex:
            res = list(ex.map(deliver2, range(m)))
        assert all(r[0] == 200 and r[1]["status"] == "queued" for r in res), res
        c.kill9()
        done_before = {s["sha"] for s in fake.statuses}
        pending = [i for i in range(m) if sha_for(500 + i) not in done_before]
        assert pending, "the worker was expected to lag behind"
        fake.slow.clear()
        c.start()
        wait_until(lambda: all(sha_for(500 + i) in {s["sha"] for s in fake.statuses}
                               for i in range(m)), 60, 0.3, "deliveries accepted before kill -9")
        print("%s: %d of %d deliveries were processed after the restart" % (label, len(pending), m),
              flush=True)

        # --- bounded stop; replays still caught after a restart -------------
        t0 = time.time()
        c.stop(15)
        assert time.time() - t0 < 15
        c.start()
        code, j = c.webhook("pull_request", None, "d-pr1", raw=body)
        assert code == 200 and j["status"] == "duplicate", (code, j)
        code, j = c.webhook("pull_request", {"x": 1}, "d-burst-7")
        assert code == 200 and j["status"] == "duplicate", (code, j)
        c.stop(15)

        # The audit chain holds every decision and verifies.
        r = c.cli("audit", "verify")
        assert r.returncode == 0, r.out + r.err
        decisions = c.rows("decisions", "number, state, mode")
        # One per PR (a job cut off by kill -9 may have decided twice).
        assert len({d["number"] for d in decisions}) == n + 1 + m, len(decisions)
        assert all(d["mode"] == "dry-run" for d in decisions)
    finally:
        fake.stop()


def main():
    args = parse_args()
    run_for_databases(args, lambda tmp, url, label: run(tmp, url, label, args.builddir))


if __name__ == "__main__":
    main()
