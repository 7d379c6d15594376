#!/usr/bin/env python3
"""blvm-commons serve: pull requests through governance, in enforcing mode.

PR A (consensus tier, 3-of-3) reaches success after three maintainers'
signatures, with a bad signature and a non-maintainer's on the way; PR B
collects three signatures and then gets a new push, which makes them stale
and the status failure; PR C (node layer 2-of-3 with a 7-day review period
and a routine tier 1-of-3: the most restrictive wins) stays pending after
two signatures until its review period ends. Everything is checked against
what the fake GitHub API received and what the database recorded, on SQLite
and PostgreSQL.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blvm_commons_testlib import (Commons, governance_sign, make_keys, parse_args,  # noqa: E402
                                  run_for_databases, wait_until)
from fake_github import FakeGitHub  # noqa: E402

REPO = "blvm/blvm"
CONTEXT = "blvm-commons/governance"


def pr_payload(action, number, sha, title, created_at="2026-01-01T00:00:00Z", merged=False):
    return {"action": action, "number": number,
            "pull_request": {"number": number, "title": title, "head": {"sha": sha},
                             "base": {"ref": "main"}, "user": {"login": "dave"},
                             "created_at": created_at, "merged": merged},
            "repository": {"full_name": REPO}}


def comment_payload(number, body, login, cid, action="created"):
    return {"action": action,
            "issue": {"number": number, "pull_request": {"url": "x"}},
            "comment": {"id": cid, "body": body, "user": {"login": login}},
            "repository": {"full_name": REPO}}


class Flow:
    def __init__(self, c, fake):
        self.c, self.fake, self.n = c, fake, 0

    def send(self, event, payload):
        self.n += 1
        code, j = self.c.webhook(event, payload, "flow-%d-%f" % (self.n, time.time()))
        assert code == 200 and j["status"] == "queued", (code, j)

    def statuses(self, sha):
        return [s for s in list(self.fake.statuses) if s["sha"] == sha]

    def wait_status(self, sha, count):
        wait_until(lambda: len(self.statuses(sha)) >= count, 30, 0.1,
                   "status #%d for %s" % (count, sha[:8]))
        st = self.statuses(sha)
        assert len(st) == count, st
        return st[-1]


def run(tmp, db_url, label, builddir):
    fake = FakeGitHub().start()
    try:
        keys = make_keys(builddir, os.path.join(tmp, "keys"), 4, ["alice", "bob", "carol", "mallory"])
        alice, bob, carol, mallory = keys
        config = {
            "mode": "enforcing",
            "github": {"api_url": fake.url, "owner": "blvm", "repo": "blvm", "max_retries": 1,
                       "status_context": CONTEXT},
            "governance": {
                "default": {"signatures": 1, "review_days": 0},
                "rules": [
                    {"name": "routine", "kind": "tier", "level": 1, "paths": ["docs/**"],
                     "signatures": 1, "review_days": 0},
                    {"name": "consensus", "kind": "tier", "level": 3,
                     "paths": ["src/consensus/**"], "title_markers": ["[consensus]"],
                     "signatures": 3, "review_days": 0},
                    {"name": "node", "kind": "layer", "level": 2, "paths": ["src/node/**"],
                     "signatures": 2, "review_days": 7},
                ]},
            # mallory has a key but is not a maintainer.
            "maintainers": [{"name": k[0], "github": k[0], "pubkey": k[2]} for k in (alice, bob, carol)],
        }
        c = Commons(builddir, tmp, "serve", config, db_url)
        c.start()
        f = Flow(c, fake)

        # ---- PR A: to success -------------------------------------------
        sha_a = "a" * 40
        fake.pr_files[(REPO, 10)] = ["src/consensus/tx_check.c", "docs/notes.md"]
        f.send("pull_request", pr_payload("opened", 10, sha_a, "Tighten tx checks"))
        st = f.wait_status(sha_a, 1)
        assert st["state"] == "failure", st
        assert st["context"] == CONTEXT
        assert st["description"].startswith("0/3 signatures, review period ended 2026-01-01"), st

        sig = governance_sign(c, REPO, 10, sha_a, alice[1])
        f.send("issue_comment", comment_payload(10, sig, "alice", 1001))
        st = f.wait_status(sha_a, 2)
        assert st["state"] == "failure" and st["description"].startswith("1/3 signatures"), st

        # bob signs the wrong commit: recorded as invalid, nothing changes.
        bad = governance_sign(c, REPO, 10, "b" * 40, bob[1])
        f.send("issue_comment", comment_payload(10, bad, "bob", 1002))
        st = f.wait_status(sha_a, 3)
        assert st["description"].startswith("1/3 signatures"), st
        # mallory's key is not a maintainer's.
        f.send("issue_comment", comment_payload(10, governance_sign(c, REPO, 10, sha_a, mallory[1]),
                                                "mallory", 1003))
        st = f.wait_status(sha_a, 4)
        assert st["description"].startswith("1/3 signatures"), st
        # A malformed command is refused without a decision; a plain comment
        # and an edit are ignored.
        f.send("issue_comment", comment_payload(10, "/governance-sign nothex", "bob", 1004))
        f.send("issue_comment", comment_payload(10, "LGTM", "bob", 1005))
        f.send("issue_comment", comment_payload(10, sig, "alice", 1001, action="edited"))
        # alice again: still one signature from her.
        f.send("issue_comment", comment_payload(10, sig, "alice", 1006))
        st = f.wait_status(sha_a, 5)
        assert st["description"].startswith("1/3 signatures"), st

        for who, cid in ((bob, 1007), (carol, 1008)):
            f.send("issue_comment", comment_payload(10, governance_sign(c, REPO, 10, sha_a, who[1]),
                                                    who[0], cid))
        st = f.wait_status(sha_a, 7)
        assert st["state"] == "success", st
        assert st["description"] == "3/3 signatures, review period ended 2026-01-01", st
        f.send("pull_request", pr_payload("closed", 10, sha_a, "Tighten tx checks", merged=True))

        # ---- PR B: signatures go stale with a new push ---------------------
        sha_b1, sha_b2 = "c" * 40, "d" * 40
        fake.pr_files[(REPO, 11)] = ["src/wallet/x.c"]
        f.send("pull_request", pr_payload("opened", 11, sha_b1, "[consensus] change rules"))
        f.wait_status(sha_b1, 1)
        for who, cid in ((alice, 2001), (bob, 2002), (carol, 2003)):
            f.send("issue_comment", comment_payload(11, governance_sign(c, REPO, 11, sha_b1, who[1]),
                                                    who[0], cid))
        st = f.wait_status(sha_b1, 4)
        assert st["state"] == "success", st
        f.send("pull_request", pr_payload("synchronize", 11, sha_b2, "[consensus] change rules"))
        st = f.wait_status(sha_b2, 1)
        assert st["state"] == "failure", st
        assert st["description"].startswith("0/3 signatures"), st
        # An old-head signature posted after the push does not count either.
        f.send("issue_comment", comment_payload(11, governance_sign(c, REPO, 11, sha_b1, alice[1]),
                                                "alice", 2004))
        st = f.wait_status(sha_b2, 2)
        assert st["state"] == "failure" and st["description"].startswith("0/3"), st
        review = {"action": "submitted",
                  "review": {"id": 77, "state": "approved", "commit_id": sha_b2,
                             "user": {"login": "bob"}, "submitted_at": "2026-01-02T00:00:00Z"},
                  "pull_request": {"number": 11, "head": {"sha": sha_b2}},
                  "repository": {"full_name": REPO}}
        f.send("pull_request_review", review)

        # ---- PR C: most restrictive rule, review period running ------------
        sha_c = "e" * 40
        fake.pr_files[(REPO, 12)] = ["src/node/net.c", "docs/net.md"]
        now_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        ends = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 86400))
        f.send("pull_request", pr_payload("opened", 12, sha_c, "Faster relay", created_at=now_iso))
        st = f.wait_status(sha_c, 1)
        assert st["description"] == "0/3 signatures, review period ends %s (2 required)" % ends, st
        for who, cid in ((alice, 3001), (carol, 3002)):
            f.send("issue_comment", comment_payload(12, governance_sign(c, REPO, 12, sha_c, who[1]),
                                                    who[0], cid))
        st = f.wait_status(sha_c, 3)
        assert st["state"] == "pending", st
        assert st["description"] == "2/3 signatures, review period ends %s" % ends, st

        # Let the worker finish everything, then look at the database.
        wait_until(lambda: c.status()["jobs"].get("queued", 0) == 0 and
                   c.status()["jobs"].get("running", 0) == 0, 30, 0.2, "jobs drained")
        prs = {p["number"]: p for p in c.rows("pull_requests",
                                               "number, state, head_sha, tier, layer, "
                                               "required_signatures, review_days")}
        assert prs["10"]["state"] == "merged" and prs["10"]["tier"] == "3", prs["10"]
        assert prs["11"]["head_sha"] == sha_b2 and prs["11"]["tier"] == "3", prs["11"]
        assert prs["12"]["layer"] == "2" and prs["12"]["tier"] == "1", prs["12"]
        assert prs["12"]["required_signatures"] == "2" and prs["12"]["review_days"] == "7"
        sigs = c.rows("signatures", "key_id, head_sha, valid, reason, maintainer")
        valid_a = {s["maintainer"] for s in sigs if s["head_sha"] == sha_a and s["valid"] == "1"}
        assert valid_a == {"alice", "bob", "carol"}, sigs
        invalid = [s for s in sigs if s["valid"] == "0"]
        assert any(s["key_id"] == bob[2] and s["head_sha"] == sha_a for s in invalid) is False
        assert any(s["head_sha"] == sha_a and s["key_id"] == mallory[2] and
                   "not a maintainer" in s["reason"] for s in invalid), invalid
        assert len(c.rows("reviews", "reviewer, state")) == 1
        deliveries = c.rows("webhook_deliveries", "delivery_id, status, error")
        ignored = [d for d in deliveries if d["status"] == "ignored"]
        assert len(ignored) == 3, ignored  # malformed sign command, LGTM, edited
        assert all(d["status"] in ("processed", "ignored") for d in deliveries), deliveries
        decisions = c.rows("decisions", "number, state, mode, reason")
        assert all(d["mode"] == "enforcing" for d in decisions)
        # Every decision has its audit entry, and the chain verifies.
        audit = c.rows("audit_log", "action, subject")
        assert sum(1 for a in audit if a["action"] == "decision") == len(decisions)
        assert any(a["action"] == "signature.invalid" for a in audit)
        assert any(a["action"] == "signature.rejected" for a in audit)
        assert any(a["action"] == "pr.closed" for a in audit)
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
