#!/usr/bin/env python3
"""blvm-commons' database on SQLite and on a real PostgreSQL, same results.

Starts its own PostgreSQL 15 server (initdb in a temp dir, a free loopback
port, its unix socket in the temp dir; as root the server runs as the
postgres user), then:

1. runs the database unit tests (test_commons_db) against PostgreSQL;
2. runs one scenario through the real blvm-commons binary against SQLite and
   against PostgreSQL: migrations, artifacts collected twice (upsert),
   one tampered artifact, a release signed 2 of 3, audit entries, 40
   concurrent audit appends from 8 processes; then compares table dumps
   (every column that does not hold a time or a local path) and checks the
   audit chain on both;
3. tampers with the audit log in each engine and checks both detect it.

The server is stopped and its directory removed at the end, pass or fail.
"""
import argparse
import hashlib
import json
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Postgres:
    def __init__(self, base):
        self.base = base
        self.data = os.path.join(base, "pgdata")
        self.sock = os.path.join(base, "sock")
        self.log = os.path.join(base, "pg.log")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.started = False

    def _cmd(self, args):
        if self.as_root:
            return ["runuser", "-u", "postgres", "--"] + args
        return args

    def start(self):
        os.makedirs(self.sock)
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            for root, dirs, files in os.walk(self.base):
                os.chown(root, pw.pw_uid, pw.pw_gid)
            # the postgres user must reach its directory through ours
            os.chmod(os.path.dirname(self.base), 0o711)
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-A", "trust",
                   "-U", "postgres", "--no-sync", "-E", "UTF8"])
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (self.port, self.sock)
        self.started = True
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-o", opts,
                   "-l", self.log, "-w", "-t", "60", "start"])

    def _run(self, args):
        p = subprocess.run(self._cmd(args), capture_output=True, text=True)
        if p.returncode != 0:
            log = open(self.log).read() if os.path.exists(self.log) else ""
            raise RuntimeError("%s failed: %s%s%s" % (args[0], p.stdout, p.stderr, log))

    def stop(self):
        if self.started:
            subprocess.run(self._cmd([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast",
                                      "-w", "stop"]), capture_output=True)
            self.started = False

    def url(self, db):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, db)

    def sql(self, db, statement):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c", statement],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr)
        return p.stdout


class Commons:
    def __init__(self, binary, data_dir, db_url):
        self.binary, self.data_dir, self.db_url = binary, data_dir, db_url
        self.env = dict(os.environ)
        for k in ("BLVM_COMMONS_DATABASE_URL", "BLVM_COMMONS_CONFIG", "BLVM_COMMONS_DATA_DIR"):
            self.env.pop(k, None)

    def run(self, *args):
        cmd = [self.binary, "--data-dir", self.data_dir, "--db", self.db_url] + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def popen(self, *args):
        cmd = [self.binary, "--data-dir", self.data_dir, "--db", self.db_url] + list(args)
        return subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


DUMPS = [
    ("schema_version", "version", "version"),
    ("artifacts", "id,run_ref,name,size,sha256,expected_sha256,source,status,error,expires_at,collected_at", "id"),
    ("releases", "id,version,state,target,prerelease,signatures,notes", "id"),
    ("release_assets", "release_id,name,size,sha256", "id"),
    ("audit_log", "seq,actor,action,subject,details", "seq"),
]


def scenario(c, shared, label):
    """The same commands for either engine; returns the table dumps."""
    rc, out, err = c.run("db", "migrate")
    check(rc == 0, "%s: migrate (%s)" % (label, err.strip()))
    rc, out, err = c.run("db", "migrate")
    check(rc == 0, "%s: second migrate is a no-op" % label)
    rc, out, err = c.run("db", "status")
    check(rc == 0 and "schema_version 1" in out, "%s: schema version 1" % label)
    for i in range(3):
        rc, out, err = c.run("audit", "append", "decision", "pr-%d" % i, "--details", json.dumps({"n": i}))
        check(rc == 0 and out.startswith("%d:" % (i + 1)), "%s: audit append %d" % (label, i + 1))
    now = "1900000000"
    rc, out, err = c.run("artifacts", "collect", "--from-dir", shared["good"], "--run", "r1", "--now", now)
    check(rc == 0 and "2 verified, 1 expired, 0 failed" in out, "%s: collect good run" % label)
    rc, out, err = c.run("artifacts", "collect", "--from-dir", shared["good"], "--run", "r1", "--now", now)
    check(rc == 0, "%s: collecting again updates the same rows" % label)
    rc, out, err = c.run("artifacts", "collect", "--from-dir", shared["bad"], "--run", "r2", "--now", now)
    check(rc == 1 and "mismatch" in out, "%s: tampered artifact fails collection" % label)
    rc, out, err = c.run("release", "prepare", "v2.0.0", "--run", "r1")
    check(rc == 0, "%s: release prepare" % label)
    sums = os.path.join(c.data_dir, "releases", "staging", "v2.0.0", "SHA256SUMS")
    for k in ("alice", "bob"):
        rc, out, err = c.run("sign", sums, "--key", shared["keys"][k])
        check(rc == 0, "%s: %s signs" % (label, k))
    rc, out, err = c.run("release", "create", "v2.0.0", "--keys", shared["ring"], "--threshold", "2",
                         "--dir", os.path.join(c.data_dir, "published"))
    check(rc == 0, "%s: release create (%s)" % (label, err.strip()))
    rc, out, err = c.run("release", "create", "v2.0.0", "--keys", shared["ring"], "--threshold", "2")
    check(rc == 1 and "already published" in err, "%s: duplicate release refused" % label)
    # Concurrent writers: 8 processes append 5 entries each.
    procs = [c.popen("audit", "append", "concurrent", "p%d" % (i // 5)) for i in range(40)]
    results = [p.communicate() + (p.returncode,) for p in procs]
    check(all(r[2] == 0 for r in results), "%s: 40 concurrent audit appends succeed" % label)
    seqs = sorted(int(r[0].split(":")[0]) for r in results if r[2] == 0)
    check(len(set(seqs)) == len(seqs) == 40, "%s: concurrent appends got distinct sequence numbers" % label)
    rc, out, err = c.run("audit", "verify")
    check(rc == 0 and "audit log OK" in out, "%s: audit chain intact after concurrent appends" % label)
    dumps = {}
    for table, cols, order in DUMPS:
        rc, out, err = c.run("db", "dump", table, "--columns", cols, "--order", order)
        check(rc == 0, "%s: dump %s" % (label, table))
        dumps[table] = out
    # concurrent entries land in any order: compare them as a multiset
    lines = dumps["audit_log"].splitlines()
    fixed = [l for l in lines if "\tconcurrent\t" not in l]
    conc = sorted(l.split("\t", 1)[1] for l in lines if "\tconcurrent\t" in l)
    dumps["audit_log"] = "\n".join(fixed) + "\n" + "\n".join(conc)
    return dumps


def make_shared(tmp, binary):
    shared = {"keys": {}}
    for name, files, tamper in (("good", {"a.tar": b"A" * 1000, "b.tar": b"B" * 10, "old.tar": b"O"}, None),
                                ("bad", {"a.tar": b"A2", "c.tar": b"C"}, "c.tar")):
        d = os.path.join(tmp, name)
        os.makedirs(d)
        manifest = []
        for fn, content in files.items():
            with open(os.path.join(d, fn), "wb") as f:
                f.write(content + (b"!" if fn == tamper else b""))
            e = {"name": fn, "sha256": hashlib.sha256(content).hexdigest()}
            if fn == "old.tar":
                e["expires_at"] = "2020-01-01T00:00:00Z"
            manifest.append(e)
        with open(os.path.join(d, "manifest.json"), "w") as f:
            json.dump({"artifacts": manifest}, f)
        shared[name] = d
    ring = ""
    for k in ("alice", "bob", "carol"):
        path = os.path.join(tmp, k + ".key")
        subprocess.run([binary, "key", "generate", "--out", path, "--name", k], check=True, capture_output=True)
        shared["keys"][k] = path
        ring += open(path + ".pub").read()
    shared["ring"] = os.path.join(tmp, "ring")
    with open(shared["ring"], "w") as f:
        f.write(ring)
    return shared


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    args = ap.parse_args()
    builddir = os.path.abspath(args.builddir)
    binary = os.path.join(builddir, "bin", "blvm-commons")
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        print("FAIL PostgreSQL 15 server binaries not found in %s (scripts/install-deps.sh installs them)" % PG_BIN)
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="blvm-commons-pg-")
    pg = Postgres(os.path.join(tmp, "pg"))
    try:
        os.makedirs(pg.base)
        pg.start()
        print("PostgreSQL on 127.0.0.1:%d" % pg.port)
        for db in ("blvm_a", "blvm_b", "blvm_c", "blvm_e", "commons"):
            pg.sql("postgres", "CREATE DATABASE %s" % db)

        # 1. the database layer's unit tests, against PostgreSQL
        unit = os.path.join(builddir, "bin", "test_commons_db")
        env = dict(os.environ, BLVM_COMMONS_TEST_PG=pg.url(""))
        p = subprocess.run([unit], env=env, capture_output=True, text=True, timeout=300)
        check(p.returncode == 0, "test_commons_db passes against PostgreSQL")
        if p.returncode != 0:
            print(p.stdout[-3000:], p.stderr[-3000:])

        # 2. one scenario, two engines
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        shared = make_shared(work, binary)
        lite = Commons(binary, os.path.join(tmp, "lite"), os.path.join(tmp, "lite", "commons.db"))
        post = Commons(binary, os.path.join(tmp, "post"), pg.url("commons"))
        d1 = scenario(lite, shared, "sqlite")
        d2 = scenario(post, shared, "postgresql")
        for table, _, _ in DUMPS:
            same = d1[table] == d2[table]
            check(same and d1[table].count("\n") >= 1, "identical %s on SQLite and PostgreSQL" % table)
            if not same:
                print("--- sqlite\n%s\n--- postgresql\n%s" % (d1[table], d2[table]))
        rc, out, err = post.run("db", "status")
        check("engine postgresql" in out, "scenario really ran on PostgreSQL")

        # 3. tampering detected by both engines
        db = sqlite3.connect(os.path.join(tmp, "lite", "commons.db"))
        db.execute("UPDATE audit_log SET subject = 'forged' WHERE seq = 2")
        db.commit()
        db.close()
        pg.sql("commons", "UPDATE audit_log SET subject = 'forged' WHERE seq = 2")
        for c, label in ((lite, "sqlite"), (post, "postgresql")):
            rc, out, err = c.run("audit", "verify")
            check(rc == 1 and "BROKEN at entry 2" in err, "%s: forged audit entry detected" % label)
        pg.sql("commons", "DELETE FROM audit_log WHERE seq = 3")
        pg.sql("commons", "UPDATE audit_log SET subject = 'pr-1' WHERE seq = 2")
        rc, out, err = post.run("audit", "verify")
        check(rc == 1 and "BROKEN at entry 3" in err, "postgresql: deleted audit entry detected")

        # a bad URL is a clear error
        bad = Commons(binary, os.path.join(tmp, "x"), "postgresql://postgres@127.0.0.1:%d/nosuchdb" % pg.port)
        rc, out, err = bad.run("db", "status")
        check(rc == 1 and "cannot connect to PostgreSQL" in err and "nosuchdb" in err, "missing database named")
    finally:
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
