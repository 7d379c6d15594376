"""A fake GitHub REST API for blvm-commons' functional tests (Python 3 stdlib).

It listens on a free loopback port, records every call it receives, and
serves the parts of the API blvm-commons uses: commit statuses, repository
dispatches, workflow runs, run artifacts (with a redirect to a blob URL for
the download, like GitHub), releases and release asset uploads.

Builds: when `builds` is set, a repository_dispatch whose client_payload has
a "component" makes a workflow run; after `build_delay` seconds the run
completes with the next conclusion scripted for that component (default
"success") and gets the artifacts `artifact_factory(component, attempt, run)`
returns. The run's display_title carries the payload's "build_id" so the
caller can find its run, as a real workflow does with `run-name:`.

Faults: `inject(method, path_regex, status, count, headers, body)` makes the
next `count` matching calls answer `status` (e.g. 500, or 403 with rate-limit
headers) before the normal answer.
"""

import hashlib
import hmac
import http.server
import json
import re
import sys
import threading
import time
import urllib.parse
import urllib.request


class FakeGitHub:
    def __init__(self, token=None, build_delay=0.3):
        self.token = token
        self.lock = threading.Lock()
        self.calls = []
        self.statuses = []
        self.dispatches = []
        self.runs = []
        self.artifacts = {}
        self.releases = {}
        self.assets = {}
        self.faults = []
        self.next_id = 1000
        self.build_delay = build_delay
        self.builds = None            # {component: [conclusion, ...]} or None
        self.attempts = {}            # component -> dispatches seen
        self.artifact_factory = None  # (component, attempt, run) -> [(name, bytes, extra)]
        self.webhook = None           # (url, secret) to post build-complete events to
        self.webhook_skip = set()     # components whose completion is only seen by polling
        self.hold = set()             # components whose runs stay in progress
        self._timers = []
        self.server = None
        self.pr_files = {}            # (repo, number) -> [path, ...]
        self.slow = []                # [(path regex, seconds)]: answer late

    # ---- lifecycle -------------------------------------------------------
    def start(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _handle(self):
                fake._dispatch(self)

            do_GET = _handle
            do_POST = _handle
            do_PATCH = _handle
            do_PUT = _handle
            do_DELETE = _handle

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                # A client that went away (a killed service) is not an error here.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        for t in self._timers:
            t.cancel()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ---- test helpers ----------------------------------------------------
    def new_id(self):
        with self.lock:
            self.next_id += 1
            return self.next_id

    def inject(self, method, path_regex, status, count=1, headers=None, body=None):
        with self.lock:
            self.faults.append({"method": method, "re": re.compile(path_regex), "status": status,
                                "count": count, "headers": headers or {}, "body": body})

    def calls_matching(self, method, path_regex):
        r = re.compile(path_regex)
        with self.lock:
            return [c for c in self.calls if c["method"] == method and r.search(c["path"])]

    def add_run(self, repo, **fields):
        run = {"id": self.new_id(), "repo": repo, "status": "queued", "conclusion": None,
               "event": "repository_dispatch", "display_title": "", "name": "build",
               "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        run.update(fields)
        run["html_url"] = "%s/%s/actions/runs/%d" % (self.url, repo, run["id"])
        with self.lock:
            self.runs.append(run)
        return run

    def complete_run(self, run_id, conclusion):
        with self.lock:
            for r in self.runs:
                if r["id"] == run_id:
                    r["status"] = "completed"
                    r["conclusion"] = conclusion
                    return r
        return None

    def add_artifact(self, repo, run_id, name, content, expires_at=None, expired=False, extra=None):
        aid = self.new_id()
        meta = {"id": aid, "name": name, "size_in_bytes": len(content),
                "archive_download_url": "%s/repos/%s/actions/artifacts/%d/zip" % (self.url, repo, aid),
                "expired": expired,
                "expires_at": expires_at or "2099-01-01T00:00:00Z",
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "digest": "sha256:" + hashlib.sha256(content).hexdigest()}
        if extra:
            meta.update(extra)
        with self.lock:
            self.artifacts[aid] = {"repo": repo, "run_id": run_id, "meta": meta, "content": content}
        return meta

    # ---- request handling ------------------------------------------------
    def _reply(self, h, status, obj=None, headers=None, raw=None):
        body = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode())
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, str(v))
        if raw is None and obj is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def _dispatch(self, h):
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        parsed = urllib.parse.urlsplit(h.path)
        path, query = parsed.path, urllib.parse.parse_qs(parsed.query)
        call = {"method": h.command, "path": path, "query": query, "time": time.time(),
                "headers": {k.lower(): v for k, v in h.headers.items()}, "body": body}
        try:
            call["json"] = json.loads(body) if body else None
        except ValueError:
            call["json"] = None
        with self.lock:
            self.calls.append(call)
            for f in self.faults:
                if f["count"] > 0 and f["method"] == h.command and f["re"].search(path):
                    f["count"] -= 1
                    fault = f
                    break
            else:
                fault = None
        for rx, secs in list(self.slow):
            if re.search(rx, path):
                time.sleep(secs)
        if fault:
            return self._reply(h, fault["status"], fault["body"] or {"message": "injected fault"},
                               fault["headers"])
        if path.startswith("/blobs/"):
            return self._blob(h, path)
        if path.startswith("/_fake/"):
            return self._control(h, call, path)
        if self.token is not None and h.headers.get("Authorization") != "Bearer " + self.token:
            return self._reply(h, 401, {"message": "Bad credentials"})
        routes = [
            ("POST", r"^/repos/([^/]+/[^/]+)/statuses/([0-9a-fA-F]+)$", self._status),
            ("POST", r"^/repos/([^/]+/[^/]+)/dispatches$", self._repo_dispatch),
            ("GET", r"^/repos/([^/]+/[^/]+)/actions/runs$", self._list_runs),
            ("GET", r"^/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/runs$", self._list_runs),
            ("GET", r"^/repos/([^/]+/[^/]+)/actions/runs/(\d+)$", self._get_run),
            ("GET", r"^/repos/([^/]+/[^/]+)/actions/runs/(\d+)/artifacts$", self._list_artifacts),
            ("GET", r"^/repos/([^/]+/[^/]+)/actions/artifacts/(\d+)/zip$", self._download),
            ("GET", r"^/repos/([^/]+/[^/]+)/pulls/(\d+)/files$", self._pr_files),
            ("POST", r"^/repos/([^/]+/[^/]+)/releases$", self._create_release),
            ("POST", r"^/uploads/repos/([^/]+/[^/]+)/releases/(\d+)/assets$", self._upload),
            ("POST", r"^/repos/([^/]+/[^/]+)/releases/(\d+)/assets$", self._upload),
        ]
        for method, rx, fn in routes:
            m = re.match(rx, path)
            if m and method == h.command:
                return fn(h, call, query, *m.groups())
        return self._reply(h, 404, {"message": "Not Found"})

    def _control(self, h, call, path):
        """Control endpoints for tests written in C (the Python tests call the
        methods directly)."""
        j = call["json"] or {}
        if path == "/_fake/inject":
            self.inject(j["method"], j["path"], j["status"], j.get("count", 1), j.get("headers"),
                        j.get("body"))
            return self._reply(h, 200, {})
        if path == "/_fake/calls":
            with self.lock:
                out = [{"method": c["method"], "path": c["path"], "query": c["query"],
                        "headers": c["headers"], "json": c["json"], "body_len": len(c["body"]),
                        "body_sha256": hashlib.sha256(c["body"]).hexdigest()}
                       for c in self.calls if not c["path"].startswith("/_fake/")]
            return self._reply(h, 200, {"calls": out})
        if path == "/_fake/pr_files":
            with self.lock:
                self.pr_files[(j["repo"], int(j["number"]))] = list(j["files"])
            return self._reply(h, 200, {})
        if path == "/_fake/artifact":
            run = self.add_run(j["repo"], status="completed", conclusion="success")
            meta = self.add_artifact(j["repo"], run["id"], j["name"], j["content"].encode(),
                                     expired=j.get("expired", False))
            return self._reply(h, 200, {"run_id": run["id"], "artifact": meta})
        return self._reply(h, 404, {"message": "Not Found"})

    def _status(self, h, call, q, repo, sha):
        j = call["json"]
        if not isinstance(j, dict) or j.get("state") not in ("pending", "success", "failure", "error"):
            return self._reply(h, 422, {"message": "Validation Failed"})
        if len(j.get("description") or "") > 140:
            return self._reply(h, 422, {"message": "description is too long"})
        st = {"repo": repo, "sha": sha, **j}
        with self.lock:
            self.statuses.append(st)
        return self._reply(h, 201, {"id": self.new_id(), **j})

    def _repo_dispatch(self, h, call, q, repo):
        j = call["json"]
        if not isinstance(j, dict) or not isinstance(j.get("event_type"), str):
            return self._reply(h, 422, {"message": "Validation Failed"})
        payload = j.get("client_payload") or {}
        with self.lock:
            self.dispatches.append({"repo": repo, **j})
        self._reply(h, 204)
        comp = payload.get("component") if isinstance(payload, dict) else None
        if self.builds is not None and comp:
            self._start_build(repo, comp, payload)

    def _start_build(self, repo, comp, payload):
        with self.lock:
            attempt = self.attempts.get(comp, 0)
            self.attempts[comp] = attempt + 1
            script = self.builds.get(comp, [])
            conclusion = script[attempt] if attempt < len(script) else "success"
        wf = str(payload.get("workflow") or "build.yml")
        run = self.add_run(repo, status="in_progress", display_title=str(payload.get("build_id", "")),
                           name="build %s" % comp, component=comp, attempt=attempt,
                           path=".github/workflows/" + wf)
        if comp in self.hold:
            return

        def finish():
            if comp in self.hold:
                return
            if conclusion == "success" and self.artifact_factory:
                for item in self.artifact_factory(comp, attempt, run) or []:
                    name, content = item[0], item[1]
                    extra = item[2] if len(item) > 2 else None
                    self.add_artifact(repo, run["id"], name, content, extra=extra)
            self.complete_run(run["id"], conclusion)
            if self.webhook and comp not in self.webhook_skip:
                self._send_build_complete(repo, payload, run, conclusion)

        t = threading.Timer(self.build_delay, finish)
        t.daemon = True
        self._timers.append(t)
        t.start()

    def _send_build_complete(self, repo, payload, run, conclusion):
        url, secret = self.webhook
        body = json.dumps({"action": "build-complete", "branch": "main",
                           "client_payload": {"build_id": payload.get("build_id"),
                                              "run_id": run["id"], "conclusion": conclusion},
                           "repository": {"full_name": repo}}).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "X-GitHub-Event": "repository_dispatch", "X-Hub-Signature-256": sig,
            "X-GitHub-Delivery": "fake-%d" % self.new_id(), "Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=5).read()
        except Exception:
            pass

    def _public_run(self, r):
        return {k: v for k, v in r.items() if k not in ("repo", "component", "attempt")}

    def _list_runs(self, h, call, q, repo, workflow=None):
        ev = q.get("event", [None])[0]
        wpath = ".github/workflows/" + workflow if workflow else None
        with self.lock:
            runs = [self._public_run(r) for r in reversed(self.runs)
                    if r["repo"] == repo and (ev is None or r["event"] == ev) and
                    (wpath is None or r.get("path") == wpath)]
        return self._reply(h, 200, {"total_count": len(runs), "workflow_runs": runs})

    def _get_run(self, h, call, q, repo, run_id):
        with self.lock:
            for r in self.runs:
                if r["repo"] == repo and r["id"] == int(run_id):
                    return self._reply(h, 200, self._public_run(r))
        return self._reply(h, 404, {"message": "Not Found"})

    def _list_artifacts(self, h, call, q, repo, run_id):
        with self.lock:
            arts = [a["meta"] for a in self.artifacts.values()
                    if a["repo"] == repo and a["run_id"] == int(run_id)]
        return self._reply(h, 200, {"total_count": len(arts), "artifacts": arts})

    def _download(self, h, call, q, repo, aid):
        with self.lock:
            a = self.artifacts.get(int(aid))
        if not a or a["repo"] != repo:
            return self._reply(h, 404, {"message": "Not Found"})
        if a["meta"].get("expired"):
            return self._reply(h, 410, {"message": "Artifact has expired"})
        # Like GitHub: a redirect to short-lived blob storage (no token needed).
        return self._reply(h, 302, None, {"Location": "%s/blobs/%s" % (self.url, aid)}, raw=b"")

    def _blob(self, h, path):
        try:
            aid = int(path.rsplit("/", 1)[1])
        except ValueError:
            return self._reply(h, 404, {"message": "Not Found"})
        with self.lock:
            a = self.artifacts.get(aid)
        if not a:
            return self._reply(h, 404, {"message": "Not Found"})
        return self._reply(h, 200, None, {"Content-Type": "application/zip"}, raw=a["content"])

    def _pr_files(self, h, call, q, repo, number):
        with self.lock:
            files = self.pr_files.get((repo, int(number)))
        if files is None:
            return self._reply(h, 404, {"message": "Not Found"})
        per = int(q.get("per_page", ["30"])[0])
        page = int(q.get("page", ["1"])[0])
        chunk = files[(page - 1) * per: page * per]
        return self._reply(h, 200, [{"filename": f, "status": "modified"} for f in chunk])

    def _create_release(self, h, call, q, repo):
        j = call["json"]
        if not isinstance(j, dict) or not j.get("tag_name"):
            return self._reply(h, 422, {"message": "Validation Failed"})
        with self.lock:
            if any(r["repo"] == repo and r["tag_name"] == j["tag_name"] for r in self.releases.values()):
                return self._reply(h, 422, {"message": "already_exists"})
        rid = self.new_id()
        rel = {"id": rid, "repo": repo, **j,
               "upload_url": "%s/uploads/repos/%s/releases/%d/assets{?name,label}" % (self.url, repo, rid),
               "html_url": "%s/%s/releases/tag/%s" % (self.url, repo, j["tag_name"])}
        with self.lock:
            self.releases[rid] = rel
            self.assets[rid] = {}
        return self._reply(h, 201, {k: v for k, v in rel.items() if k != "repo"})

    def _upload(self, h, call, q, repo, rid):
        rid = int(rid)
        name = q.get("name", [None])[0]
        with self.lock:
            rel = self.releases.get(rid)
            if not rel or rel["repo"] != repo:
                return self._reply(h, 404, {"message": "Not Found"})
            if not name or name in self.assets[rid]:
                return self._reply(h, 422, {"message": "Validation Failed"})
            self.assets[rid][name] = call["body"]
        return self._reply(h, 201, {"id": self.new_id(), "name": name, "size": len(call["body"]),
                                    "state": "uploaded"})


if __name__ == "__main__":
    fg = FakeGitHub().start()
    print(fg.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fg.stop()
