#!/usr/bin/env python3
"""blvm-commons command line, end to end with the real binary.

- sha256sums create/verify, cross-checked both ways with coreutils'
  sha256sum, and malformed lines rejected with the line number;
- key generate/show, sign, verify with N-of-M thresholds (missing, bad and
  unknown signatures reported);
- deterministic-check on a reproducible and a non-reproducible build;
- artifacts collect from a local build directory (verified, expired,
  tampered, unlisted), artifacts prune;
- release prepare/create to a local directory, refused below threshold;
- audit verify catching a tampered entry.
"""
import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if cond:
        print("ok   %s" % what)
    else:
        print("FAIL %s" % what)
        FAILURES.append(what)


class Commons:
    def __init__(self, binary, data_dir, config=None):
        self.binary = binary
        self.env = dict(os.environ)
        self.env["BLVM_COMMONS_DATA_DIR"] = data_dir
        for k in ("BLVM_COMMONS_DATABASE_URL", "BLVM_COMMONS_CONFIG", "GITHUB_TOKEN",
                  "BLVM_GITHUB_TOKEN", "BLVM_COMMONS_GITHUB_TOKEN"):
            self.env.pop(k, None)
        self.config = config

    def run(self, *args, cwd=None):
        cmd = [self.binary]
        if self.config:
            cmd += ["--config", self.config]
        cmd += list(args)
        p = subprocess.run(cmd, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_sums(c, tmp):
    d = os.path.join(tmp, "rel")
    os.makedirs(os.path.join(d, "sub"))
    with open(os.path.join(d, "a.txt"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(d, "b.bin"), "wb") as f:
        f.write(bytes(range(256)) * 10)
    with open(os.path.join(d, "sub", "c d.txt"), "w") as f:
        f.write("space in name\n")
    with open(os.path.join(d, "sub", "back\\slash"), "w") as f:
        f.write("escaped name\n")
    rc, out, err = c.run("sha256sums", "create", d)
    check(rc == 0, "sha256sums create exits 0")
    sums = os.path.join(d, "SHA256SUMS")
    text = open(sums).read()
    lines = text.splitlines()
    check(len(lines) == 4, "SHA256SUMS lists 4 files")
    check(lines[0] == sha(os.path.join(d, "a.txt")) + "  a.txt", "line format is '<hex>  <name>'")
    names = [l.split("  ", 1)[1] for l in lines]
    check(names == sorted(names), "lines sorted by name")
    # coreutils accepts what we wrote (escaped name included)
    p = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=d, capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.count(": OK") == 4, "sha256sum -c accepts our SHA256SUMS")
    # and we accept what coreutils writes, text, binary and tagged forms
    p = subprocess.run("sha256sum a.txt sub/* > ../core1; sha256sum -b b.bin >> ../core1; "
                       "sha256sum --tag a.txt > ../core2", shell=True, cwd=d)
    check(p.returncode == 0, "coreutils wrote its files")
    for name in ("core1", "core2"):
        rc, out, err = c.run("sha256sums", "verify", "--dir", d, os.path.join(tmp, name))
        check(rc == 0, "we verify sha256sum's %s" % name)
    rc, out, err = c.run("sha256sums", "verify", sums)
    check(rc == 0 and "all 4 files OK" in out, "sha256sums verify passes")
    # one changed, one missing: both reported, non-zero
    with open(os.path.join(d, "a.txt"), "a") as f:
        f.write("tampered")
    os.rename(os.path.join(d, "b.bin"), os.path.join(tmp, "b.bin"))
    rc, out, err = c.run("sha256sums", "verify", sums)
    check(rc == 1, "verify fails after tampering")
    check("a.txt: FAILED" in out and "b.bin: MISSING" in out, "each mismatching and missing file named")
    check("1 mismatched, 1 missing" in err, "summary counts problems")
    p = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=d, capture_output=True, text=True)
    check(p.returncode != 0, "coreutils agrees the tampered tree fails")
    # malformed lines
    bad_cases = [
        ("abc  x\n", "line 1: hash is not 64 hex digits"),
        ("0" * 64 + " x\n", "two spaces"),
        ("0" * 64 + "  ../etc/passwd\n", "must be relative"),
        ("0" * 64 + "  ok\n\n", "line 2: empty line"),
        ("0" * 66 + "  x\n", "longer than 64"),
    ]
    for i, (content, needle) in enumerate(bad_cases):
        p = os.path.join(tmp, "bad%d" % i)
        with open(p, "w") as f:
            f.write(content)
        rc, out, err = c.run("sha256sums", "verify", p)
        check(rc == 2 and needle in err, "malformed SHA256SUMS rejected: %s" % needle)


def test_keys(c, tmp):
    keys = {}
    for name in ("alice", "bob", "carol"):
        path = os.path.join(tmp, name + ".key")
        rc, out, err = c.run("key", "generate", "--out", path, "--name", name)
        check(rc == 0, "key generate %s" % name)
        check(os.stat(path).st_mode & 0o777 == 0o600, "%s secret key is mode 0600" % name)
        keys[name] = path
        rc, out, err = c.run("key", "show", path)
        pub = open(path + ".pub").read().split()[0]
        check(rc == 0 and pub in out, "key show prints the key id")
    rc, out, err = c.run("key", "generate", "--out", keys["alice"])
    check(rc != 0 and "refusing to overwrite" in err, "key generate never overwrites")
    ring = os.path.join(tmp, "keyring")
    with open(ring, "w") as f:
        for name in ("alice", "bob", "carol"):
            f.write(open(keys[name] + ".pub").read())
    target = os.path.join(tmp, "SHA256SUMS.test")
    with open(target, "w") as f:
        f.write("x" * 100)
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "1")
    check(rc == 1 and out.count("MISSING") == 3, "no signatures: all three missing")
    c.run("sign", target, "--key", keys["alice"])
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "2")
    check(rc == 1 and "1 valid signatures from distinct keyring keys, 2 needed" in err, "1 of 3 fails threshold 2")
    # signing twice with the same key still counts once
    c.run("sign", target, "--key", keys["alice"])
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "2")
    check(rc == 1, "the same key twice is still one signature")
    c.run("sign", target, "--key", keys["bob"])
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "2")
    check(rc == 0 and out.count("VALID") == 2 and "MISSING" in out, "2 of 3 passes threshold 2, carol missing")
    # an outsider's signature is reported and does not count
    out_key = os.path.join(tmp, "mallory.key")
    c.run("key", "generate", "--out", out_key)
    c.run("sign", target, "--key", out_key)
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "3")
    check(rc == 1 and "UNKNOWN" in out, "outsider signature reported UNKNOWN and not counted")
    # a changed file makes every signature bad
    with open(target, "a") as f:
        f.write("!")
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "1")
    check(rc == 1 and out.count("BAD") == 2, "signatures over the old content are BAD")
    # bad inputs
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "4")
    check(rc == 2 and "more than the 3 keys" in err, "threshold above keyring size rejected")
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "two")
    check(rc == 2 and "--threshold" in err, "non-numeric threshold rejected")
    with open(target + ".sig", "a") as f:
        f.write("nothex zzz\n")
    rc, out, err = c.run("verify", target, "--keys", ring, "--threshold", "1")
    check(rc == 2 and "key id must be 64 hex digits" in err and "line" in err, "malformed signature line named")
    badring = os.path.join(tmp, "badring")
    with open(badring, "w") as f:
        f.write("# ring\n1234 short\n")
    rc, out, err = c.run("verify", target, "--keys", badring, "--threshold", "1")
    check(rc == 2 and "line 2" in err, "malformed keyring line named")
    os.chmod(keys["carol"], 0o644)
    rc, out, err = c.run("sign", target, "--key", keys["carol"])
    check(rc == 2 and "too open" in err, "world-readable secret key refused")
    os.chmod(keys["carol"], 0o600)
    with open(os.path.join(tmp, "garbage.key"), "w") as f:
        f.write("not a key\n")
    os.chmod(os.path.join(tmp, "garbage.key"), 0o600)
    rc, out, err = c.run("key", "show", os.path.join(tmp, "garbage.key"))
    check(rc == 2 and "64 hex digits" in err, "malformed secret key file named")
    # governance signature line
    rc, out, err = c.run("governance-sign", "--repo", "o/r", "--pr", "7", "--sha", "ab" * 20, "--key", keys["bob"])
    check(rc == 0 and out.startswith("/governance-sign ") and len(out.split()) == 3, "governance-sign prints a comment")
    return keys, ring


def test_determinism(c, tmp):
    rc, out, err = c.run("deterministic-check", "--cmd", "mkdir -p out/sub && printf abc > out/a && printf x > out/sub/b",
                         "--out", "out")
    check(rc == 0 and "deterministic: 2 files identical" in out, "reproducible build passes")
    rc, out, err = c.run("deterministic-check", "--cmd", "mkdir -p out && printf abc > out/a && pwd > out/where",
                         "--out", "out")
    check(rc == 1 and "DIFFERS where" in out and "SAME    a" in out, "path-dependent build fails, file named")
    rc, out, err = c.run("deterministic-check", "--cmd", "mkdir -p out && touch out/$$", "--out", "out")
    check(rc == 1 and "ONLY-IN-RUN1" in out and "ONLY-IN-RUN2" in out, "files in only one run reported")
    rc, out, err = c.run("deterministic-check", "--cmd", "exit 4", "--out", "out")
    check(rc == 1 and "status 4" in err, "failing build reported")
    rc, out, err = c.run("deterministic-check", "--cmd", "true", "--out", "../x")
    check(rc == 1 and "--out" in err, "escaping output dir refused")
    src = os.path.join(tmp, "src")
    os.makedirs(src)
    with open(os.path.join(src, "build.sh"), "w") as f:
        f.write("mkdir -p out && cat build.sh | sha256sum > out/h\n")
    rc, out, err = c.run("deterministic-check", "--cmd", "sh build.sh", "--out", "out", "--src", src)
    check(rc == 0, "build from a copied source tree")


def write_build(dirname, files, expired=(), unlisted=(), tamper=()):
    os.makedirs(dirname)
    manifest = []
    for name, content in files.items():
        with open(os.path.join(dirname, name), "wb") as f:
            f.write(content)
        entry = {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "component": name.split(".")[0]}
        if name in expired:
            entry["expires_at"] = "2001-01-01T00:00:00Z"
        if name in tamper:
            with open(os.path.join(dirname, name), "ab") as f:
                f.write(b"evil")
        if name not in unlisted:
            manifest.append(entry)
    with open(os.path.join(dirname, "manifest.json"), "w") as f:
        json.dump({"artifacts": manifest}, f)


def test_artifacts_and_release(c, tmp, keys, ring, data_dir):
    good = os.path.join(tmp, "build-good")
    write_build(good, {"node.tar": b"node" * 100, "cli.tar": b"cli" * 50, "old.tar": b"old"}, expired=("old.tar",))
    rc, out, err = c.run("artifacts", "collect", "--from-dir", good, "--run", "run1")
    check(rc == 0 and "2 verified, 1 expired, 0 failed" in out, "local collection verifies 2, skips expired 1")
    rc, out, err = c.run("artifacts", "list", "--run", "run1")
    rows = [l.split("\t") for l in out.splitlines()]
    status = {r[1]: r[2] for r in rows}
    check(status == {"node.tar": "verified", "cli.tar": "verified", "old.tar": "expired"}, "artifacts recorded with status")
    node = [r for r in rows if r[1] == "node.tar"][0]
    check(node[4] == hashlib.sha256(b"node" * 100).hexdigest() and node[3] == "400", "hash and size stored")

    bad = os.path.join(tmp, "build-bad")
    write_build(bad, {"node.tar": b"n2", "cli.tar": b"c2", "extra.bin": b"e"}, tamper=("node.tar",), unlisted=("extra.bin",))
    rc, out, err = c.run("artifacts", "collect", "--from-dir", bad, "--run", "run2")
    check(rc == 1, "collection with a tampered artifact fails")
    check("mismatch     node.tar" in out and "does not match the published" in out, "tampered artifact caught")
    check("missing_hash extra.bin" in out, "artifact without published hash fails, never computed-and-accepted")
    nomanifest = os.path.join(tmp, "build-nomanifest")
    os.makedirs(nomanifest)
    open(os.path.join(nomanifest, "x"), "w").write("x")
    rc, out, err = c.run("artifacts", "collect", "--from-dir", nomanifest, "--run", "run3")
    check(rc == 1 and "must publish the expected hashes" in err, "no manifest: refused")
    badmanifest = os.path.join(tmp, "build-badmanifest")
    os.makedirs(badmanifest)
    open(os.path.join(badmanifest, "manifest.json"), "w").write('{"artifacts": [{"name": "x", "sha256": "12"}]}')
    rc, out, err = c.run("artifacts", "collect", "--from-dir", badmanifest, "--run", "run4")
    check(rc == 1 and "artifacts[0].sha256 must be 64 hex digits" in err, "malformed manifest named")

    # release from the failing run is refused
    rc, out, err = c.run("release", "create", "v0.9", "--run", "run2", "--keys", ring, "--threshold", "2")
    check(rc == 1 and "failed verification" in err, "release of a run with failed artifacts refused")
    # prepare, then refuse below threshold, then sign 2 of 3 and publish
    rc, out, err = c.run("release", "prepare", "v1.0.0-rc1", "--run", "run1", "--threshold", "2")
    check(rc == 0 and "staged 3 files" in out, "release prepare stages artifacts + notes")
    staging = os.path.join(data_dir, "releases", "staging", "v1.0.0-rc1")
    sums = os.path.join(staging, "SHA256SUMS")
    c.run("sign", sums, "--key", keys["alice"])
    rc, out, err = c.run("release", "create", "v1.0.0-rc1", "--keys", ring, "--threshold", "2")
    check(rc == 1 and "refusing to publish" in err, "release refused with 1 of 2 signatures")
    check(not os.path.exists(os.path.join(data_dir, "releases", "v1.0.0-rc1")), "nothing published")
    c.run("sign", sums, "--key", keys["carol"])
    # a staged file changed after signing is caught
    with open(os.path.join(staging, "cli.tar"), "ab") as f:
        f.write(b"x")
    rc, out, err = c.run("release", "create", "v1.0.0-rc1", "--keys", ring, "--threshold", "2")
    check(rc == 1 and "does not match SHA256SUMS" in err, "staged file changed after signing refused")
    with open(os.path.join(staging, "cli.tar"), "wb") as f:
        f.write(b"cli" * 50)
    rc, out, err = c.run("release", "create", "v1.0.0-rc1", "--keys", ring, "--threshold", "2")
    check(rc == 0 and "published v1.0.0-rc1" in out, "release published with 2 of 3 signatures")
    pub = os.path.join(data_dir, "releases", "v1.0.0-rc1")
    check(sorted(os.listdir(pub)) == ["RELEASE_NOTES.md", "SHA256SUMS", "SHA256SUMS.sig", "cli.tar", "node.tar"],
          "release directory holds artifacts, sums, signatures, notes")
    p = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=pub, capture_output=True, text=True)
    check(p.returncode == 0, "published SHA256SUMS passes sha256sum -c")
    rc, out, err = c.run("verify", os.path.join(pub, "SHA256SUMS"), "--keys", ring, "--threshold", "2")
    check(rc == 0, "published signatures verify")
    notes = open(os.path.join(pub, "RELEASE_NOTES.md")).read()
    check("pre-release" in notes and hashlib.sha256(b"node" * 100).hexdigest() in notes, "notes list artifacts")
    check("--threshold 2" in notes, "notes name the signature threshold")
    rc, out, err = c.run("release", "list")
    check("v1.0.0-rc1\tpublished\tlocal" in out and "prerelease=1" in out and "signatures=2" in out,
          "release recorded")
    rc, out, err = c.run("release", "create", "v1.0.0-rc1", "--keys", ring, "--threshold", "2")
    check(rc == 1 and "already published" in err, "second publish of a version refused")
    rc, out, err = c.run("release", "create", "../evil", "--keys", ring)
    check(rc == 2 and "not a usable version" in err, "bad version refused")

    # prune: nothing is old yet; with a clock 40 days ahead, both copies go
    rc, out, err = c.run("artifacts", "prune")
    check(rc == 0 and "pruned 0" in out, "fresh artifacts kept")
    import time
    rc, out, err = c.run("artifacts", "prune", "--older-than", "30", "--now", str(int(time.time()) + 40 * 86400))
    check(rc == 0 and "pruned 3" in out, "old local copies pruned (2 of run1, 1 of run2)")
    check(not os.path.exists(os.path.join(data_dir, "artifacts", "run1", "node.tar")), "pruned file deleted")
    rc, out, err = c.run("artifacts", "list", "--run", "run1")
    check(out.count("\tpruned\t") == 2, "pruned artifacts marked")


def test_audit(c, data_dir):
    rc, out, err = c.run("audit", "verify")
    check(rc == 0 and "audit log OK" in out, "audit log intact after collections and a release")
    head = out.strip().split("head ")[1]
    rc, out, err = c.run("audit", "append", "note", "manual", "--details", '{"a":1}')
    check(rc == 0, "audit append")
    rc, out, err = c.run("audit", "verify", "--head", head)
    check(rc == 0, "verify against an earlier head after appending")
    db = sqlite3.connect(os.path.join(data_dir, "commons.db"))
    db.execute("UPDATE audit_log SET details = '{\"a\":2}' WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    db.commit()
    rc, out, err = c.run("audit", "verify")
    check(rc == 1 and "altered" in err, "altered audit entry detected")
    db.execute("UPDATE audit_log SET details = '{\"a\":1}' WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    db.commit()
    rc, out, err = c.run("audit", "verify")
    check(rc == 0, "restored entry verifies again")
    newest = out.strip().split("head ")[1]
    db.execute("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    db.commit()
    db.close()
    rc, out, err = c.run("audit", "verify", "--head", newest)
    check(rc == 1 and "newest entries were deleted" in err, "deleted newest entry detected against recorded head")
    rc, out, err = c.run("audit", "verify", "--head", "banana")
    check(rc == 2 and "SEQ:HASH" in err, "malformed --head rejected")


def test_config_errors(binary, tmp):
    cases = [
        ('{"components": [{"name": "a", "depends_on": ["b"]}, {"name": "b", "depends_on": ["a"]}]}',
         "dependency cycle"),
        ('{"components": [{"name": "node", "depends_on": ["consensus"]}]}', "unknown component 'consensus'"),
        ('{"mode": "yes"}', "mode: must be"),
        ('{"maintainers": [{"pubkey": "xyz"}]}', "maintainers[0].pubkey"),
        ('{"components": [', "invalid JSON"),
    ]
    for i, (text, needle) in enumerate(cases):
        path = os.path.join(tmp, "bad%d.json" % i)
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([binary, "--config", path, "db", "status"], capture_output=True, text=True)
        check(p.returncode == 2 and needle in p.stderr and path in p.stderr, "bad config rejected: %s" % needle)
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "commons.example.json")
    env = dict(os.environ, BLVM_COMMONS_DATA_DIR=os.path.join(tmp, "exdata"))
    env.pop("BLVM_COMMONS_DATABASE_URL", None)
    p = subprocess.run([binary, "--config", example, "--data-dir", os.path.join(tmp, "exdata"), "db", "status"],
                       capture_output=True, text=True, env=env)
    check(p.returncode == 0 and "schema_version 1" in p.stdout, "example config loads")
    p = subprocess.run([binary, "frobnicate"], capture_output=True, text=True)
    check(p.returncode == 2 and "unknown command" in p.stderr, "unknown command rejected")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.builddir), "bin", "blvm-commons")
    tmp = tempfile.mkdtemp(prefix="blvm-commons-cli-")
    try:
        data_dir = os.path.join(tmp, "data")
        c = Commons(binary, data_dir)
        os.makedirs(os.path.join(tmp, "sums"))
        test_sums(c, os.path.join(tmp, "sums"))
        os.makedirs(os.path.join(tmp, "keys"))
        keys, ring = test_keys(c, os.path.join(tmp, "keys"))
        os.makedirs(os.path.join(tmp, "det"))
        test_determinism(c, os.path.join(tmp, "det"))
        os.makedirs(os.path.join(tmp, "art"))
        test_artifacts_and_release(c, os.path.join(tmp, "art"), keys, ring, data_dir)
        test_audit(c, data_dir)
        os.makedirs(os.path.join(tmp, "cfg"))
        test_config_errors(binary, os.path.join(tmp, "cfg"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d checks failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
