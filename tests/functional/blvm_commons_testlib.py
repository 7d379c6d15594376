"""Shared helpers for the blvm-commons functional tests (Python 3 stdlib).

- `Commons`: runs `blvm-commons` commands and the `serve` process with a
  temp data dir and a config written from a dict; stops it in bounded time.
- `Postgres`: a throwaway PostgreSQL server (initdb in a temp dir, a free
  loopback port, stopped at the end) for running the same tests on libpq.
- webhook delivery with a correct, wrong or missing HMAC signature.
"""

import argparse
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SECRET = "functional-test-secret"


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    return ap.parse_args()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_until(fn, timeout=30, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def sign_body(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url, body, headers, timeout=30):
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
            return r.status, (json.loads(data) if data.strip() else None)
    except urllib.error.HTTPError as e:
        data = e.read()
        try:
            return e.code, json.loads(data)
        except ValueError:
            return e.code, data


def get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Postgres:
    """initdb + postgres on a free loopback port; as the `postgres` user when
    we are root (PostgreSQL refuses to run as root)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        self.port = free_port()
        self.proc = None
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()) \
            if os.path.isdir("/usr/lib/postgresql") else []
        self.bin = "/usr/lib/postgresql/%s/bin" % bins[-1] if bins else ""
        self.url = "postgresql://blvm@127.0.0.1:%d/blvm" % self.port

    def _as_pg(self, cmd):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def start(self):
        if not self.bin or not os.path.exists(os.path.join(self.bin, "initdb")):
            raise RuntimeError("PostgreSQL server binaries not found (install postgresql)")
        os.makedirs(self.dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(os.path.dirname(self.dir), 0o755)
        subprocess.run(self._as_pg([os.path.join(self.bin, "initdb"), "-D", self.dir, "-A", "trust",
                                    "-U", "blvm", "--no-sync", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.proc = subprocess.Popen(self._as_pg(
            [os.path.join(self.bin, "postgres"), "-D", self.dir, "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + self.dir,
             "-c", "fsync=off", "-c", "max_connections=50"]),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(os.path.dirname(self.dir), "pg.log"), "w"))
        def ready():
            r = subprocess.run([os.path.join(self.bin, "pg_isready"), "-h", "127.0.0.1", "-p",
                                str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return r.returncode == 0
        wait_until(ready, 30, 0.2, "postgres to start")
        subprocess.run(self._as_pg([os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p",
                                    str(self.port), "-U", "blvm", "blvm"]), check=True)
        return self

    def new_database(self, name):
        subprocess.run(self._as_pg([os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p",
                                    str(self.port), "-U", "blvm", name]), check=True)
        return "postgresql://blvm@127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        if self.proc:
            # pg_ctl, not a signal to self.proc: that may be the runuser
            # wrapper, which does not pass signals on to postgres.
            subprocess.run(self._as_pg([os.path.join(self.bin, "pg_ctl"), "-D", self.dir, "-m", "fast",
                                        "-w", "-t", "30", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


_live = []


def _cleanup_live():
    for c in list(_live):
        if c.proc:
            c.proc.kill()
            c.proc.wait()
            c.proc = None


class Commons:
    def __init__(self, builddir, tmp, name, config, database_url=None, secret=SECRET):
        self.bin = os.path.join(builddir, "bin", "blvm-commons")
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.data = os.path.join(self.dir, "data")
        cfg = dict(config)
        cfg["data_dir"] = self.data
        if database_url:
            cfg["database_url"] = database_url
        cfg.setdefault("server", {}).update({"listen": "127.0.0.1", "port": 0})
        self.config_path = os.path.join(self.dir, "commons.json")
        with open(self.config_path, "w") as f:
            json.dump(cfg, f, indent=2)
        self.env = dict(os.environ)
        self.env["BLVM_COMMONS_WEBHOOK_SECRET"] = secret
        self.env["BLVM_COMMONS_GITHUB_TOKEN"] = "test-token"
        for k in ("BLVM_COMMONS_DATABASE_URL", "BLVM_COMMONS_DATA_DIR", "BLVM_COMMONS_CONFIG"):
            self.env.pop(k, None)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "serve.log")

    def cli(self, *args, check=False, timeout=120, input=None):
        r = subprocess.run([self.bin, "--config", self.config_path] + list(args), env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           input=input)
        r.out = r.stdout.decode(errors="replace")
        r.err = r.stderr.decode(errors="replace")
        if check and r.returncode != 0:
            raise AssertionError("blvm-commons %s failed (%d):\n%s%s" % (" ".join(args), r.returncode,
                                                                         r.out, r.err))
        return r

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.bin, "--config", self.config_path, "serve"], env=self.env,
                                     stdout=subprocess.PIPE, stderr=log)
        line = b""
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith(b"listening on ") or not line:
                break
        if not line.startswith(b"listening on "):
            self.proc.kill()
            raise AssertionError("serve did not start:\n" + open(self.log_path).read())
        self.port = int(line.strip().rsplit(b":", 1)[1])
        _live.append(self)
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def stop(self, timeout=15):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("serve did not stop within %ds" % timeout)
        self.proc = None
        assert rc == 0, "serve exited with %d" % rc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def webhook(self, event, payload, delivery, signature="good", secret=SECRET, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-GitHub-Event": event,
                   "X-GitHub-Delivery": delivery, "User-Agent": "GitHub-Hookshot/test"}
        if signature == "good":
            headers["X-Hub-Signature-256"] = sign_body(body, secret)
        elif signature == "wrong":
            headers["X-Hub-Signature-256"] = sign_body(body, secret + "-not")
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return post(self.url + "/webhooks/github", body, headers)

    def status(self):
        code, j = get(self.url + "/status")
        assert code == 200, (code, j)
        return j

    def rows(self, table, columns="*", order="id"):
        """The table's rows as dicts of strings ("NULL" for SQL NULL)."""
        r = self.cli("db", "dump", table, "--columns", columns, "--order", order, check=True)
        lines = r.out.rstrip("\n").split("\n")
        head = lines[0].split("\t")
        return [dict(zip(head, ln.split("\t"))) for ln in lines[1:] if ln]

    def log(self):
        try:
            return open(self.log_path).read()
        except OSError:
            return ""


def databases(args, tmp):
    """Yields (label, database_url or None for the SQLite default, cleanup)."""
    out = []
    if args.db in ("sqlite", "both"):
        out.append("sqlite")
    if args.db in ("postgresql", "both"):
        out.append("postgresql")
    return out


_fresh = {"fn": lambda: None}


def fresh_database():
    """Another empty database on the engine under test (None on SQLite, where
    each data dir has its own file)."""
    return _fresh["fn"]()


def run_for_databases(args, test_fn):
    """Runs test_fn(tmp, database_url_or_None, label) on SQLite and/or a fresh
    PostgreSQL server, cleaning up in all cases."""
    tmp = tempfile.mkdtemp(prefix="blvm_cs_%s_" % os.path.basename(sys.argv[0]).split(".")[0])
    pg = None
    try:
        for label in databases(args, tmp):
            url = None
            if label == "postgresql":
                if pg is None:
                    pg = Postgres(tmp).start()
                counter = [0]

                def make():
                    counter[0] += 1
                    return pg.new_database("t%d_%d" % (int(time.time() * 1000 % 1e9), counter[0]))
                _fresh["fn"] = make
                url = make()
            else:
                _fresh["fn"] = lambda: None
            print("== %s" % label, flush=True)
            test_fn(os.path.join(tmp, label), url, label)
        print("OK", flush=True)
    finally:
        _cleanup_live()
        if pg:
            pg.stop()
        if args.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def make_keys(builddir, directory, n, names=None):
    """Generates n maintainer keys; returns [(name, secret_path, key_id)]."""
    os.makedirs(directory, exist_ok=True)
    keys = []
    for i in range(n):
        name = (names[i] if names else "maint%d" % i)
        path = os.path.join(directory, "%s.key" % name)
        subprocess.run([os.path.join(builddir, "bin", "blvm-commons"), "key", "generate", "--out",
                        path, "--name", name],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        key_id = open(path + ".pub").read().split()[0]
        keys.append((name, path, key_id))
    return keys


def governance_sign(commons, repo, pr, sha, keyfile):
    r = subprocess.run([commons.bin, "governance-sign", "--repo", repo, "--pr", str(pr), "--sha", sha,
                        "--key", keyfile], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return r.stdout.decode().strip()
