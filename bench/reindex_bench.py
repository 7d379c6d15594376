#!/usr/bin/env python3
"""-reindex-chainstate with full script checks, at -par=1 and -par=2.

Builds (or reuses) a regtest chain of signed P2PKH, P2WPKH and P2TR key-path
spends with blvm-chaingen, imports it once into a data dir with
blvmd -loadblock, then rebuilds the UTXO set from the stored blocks with
`blvmd -regtest -reindex-chainstate -par=N -assumevalid=0` for each N and
reports blocks/s, inputs/s and peak RSS. For scale it measures the bare
signature-check rate (libsecp256k1 parse + verify, same mix of ECDSA and
Schnorr as the chain) on 1 and 2 threads, and prints the ratios the targets
are stated in:

  inputs/s at -par=2 >= 1.6 x -par=1
  inputs/s at -par=2 within 25% of the 2-thread bare signature-check rate
  peak RSS < 500 MB

Numbers are printed, never judged: the script fails only when something does
not work (a binary is missing, the chain is not reconnected to its tip, the
script checks were not all run). `--smoke` runs a tiny chain so ctest can
check the script itself.

    python3 bench/reindex_bench.py --builddir build [--blocks 1110] [--inputs 120]
        [--par 1,2] [--repeat 3] [--workdir DIR] [--sig-seconds 3] [--smoke]
(`make bench-reindex`). The chain and the imported data dir are cached in
--workdir (default <builddir>/reindex-bench) by their parameters.

Standard library only (Python 3).
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

RSS_TARGET_MB = 500.0
SPEEDUP_TARGET = 1.6
SIG_RATE_TARGET = 0.75  # within 25% of two threads' bare rate

CONNECTED_RE = re.compile(
    r"connected (\d+) blocks with (\d+) inputs in ([0-9.]+) s \((\d+) script checks, par (\d+)\)")


class BenchError(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_kv(line, prefix):
    """'prefix: a=1 b=x' -> {'a': '1', 'b': 'x'}"""
    if not line.startswith(prefix):
        raise BenchError("unexpected output: %r" % line)
    return dict(item.split("=", 1) for item in line[len(prefix):].split())


def run_chaingen(chaingen, args):
    res = subprocess.run([chaingen] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    if res.returncode != 0:
        raise BenchError("%s %s failed: %s" % (chaingen, " ".join(args), res.stderr.strip()))
    return res.stdout.strip().splitlines()[-1]


class Node:
    """One blvmd process on a regtest data dir, driven over JSON-RPC."""

    def __init__(self, blvmd, datadir, args):
        self.datadir = datadir
        self.netdir = os.path.join(datadir, "regtest")
        self.debug_log = os.path.join(self.netdir, "debug.log")
        self.rpcport = free_port()
        self.log_offset = os.path.getsize(self.debug_log) if os.path.exists(self.debug_log) else 0
        cmd = [blvmd, "-regtest", "-datadir=" + datadir, "-rpcport=%d" % self.rpcport,
               "-port=%d" % free_port(), "-listen=0", "-printtoconsole=0", "-server=1"] + args
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.hwm_kib = 0
        self.rusage = None

    def sample_rss(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.hwm_kib = max(self.hwm_kib, int(line.split()[1]))
        except OSError:
            pass

    def sched(self):
        """(run, wait) seconds of the validating (main) thread and of all the
        others: time on a CPU and time runnable but waiting for one
        (/proc/<pid>/task/<tid>/schedstat), which shows how much other load
        on the machine slowed a run down."""
        main, others = [0.0, 0.0], [0.0, 0.0]
        try:
            for tid in os.listdir("/proc/%d/task" % self.proc.pid):
                with open("/proc/%d/task/%s/schedstat" % (self.proc.pid, tid)) as f:
                    run, wait = (int(x) / 1e9 for x in f.read().split()[:2])
                acc = main if int(tid) == self.proc.pid else others
                acc[0] += run
                acc[1] += wait
        except (OSError, ValueError):
            pass
        return main, others

    def new_log(self):
        try:
            with open(self.debug_log, "rb") as f:
                f.seek(self.log_offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=15):
        return "\n".join(self.new_log().splitlines()[-n:])

    def check_alive(self):
        if self.proc.poll() is not None:
            err = self.proc.stderr.read().decode("utf-8", "replace").strip()
            raise BenchError("blvmd exited with %d: %s\n%s" % (self.proc.returncode, err,
                                                              self.log_tail()))

    def rpc(self, method, *params):
        with open(os.path.join(self.netdir, ".cookie")) as f:
            auth = base64.b64encode(f.read().strip().encode()).decode()
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method,
                           "params": list(params)}).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.rpcport, data=body,
                                     headers={"Authorization": "Basic " + auth,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                reply = json.loads(resp.read())
        except urllib.error.HTTPError as e:
            reply = json.loads(e.read() or b"{}")
        if reply.get("error"):
            raise BenchError("%s: %s" % (method, reply["error"]))
        return reply["result"]

    def wait_for(self, pred, what, timeout, poll=0.01):
        """Polls pred() (sampling RSS) until it returns a true value."""
        deadline = time.monotonic() + timeout
        while True:
            self.sample_rss()
            self.check_alive()
            got = pred()
            if got:
                return got
            if time.monotonic() > deadline:
                raise BenchError("timed out waiting for %s\n%s" % (what, self.log_tail()))
            time.sleep(poll)

    def wait_rpc(self, timeout):
        def ready():
            try:
                return self.rpc("getblockcount") is not None
            except (OSError, BenchError):
                return False
        self.wait_for(ready, "the RPC server", timeout, poll=0.05)

    def stop(self):
        """RPC stop, then reaps the process with its resource usage."""
        self.sample_rss()
        try:
            self.rpc("stop")
        except (OSError, BenchError):
            self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 300
        while True:
            pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.rusage = ru
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                self.proc.kill()
                raise BenchError("blvmd did not stop")
            time.sleep(0.05)
        if self.proc.returncode != 0:
            raise BenchError("blvmd exited with %d\n%s" % (self.proc.returncode, self.log_tail()))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def generate_chain(chaingen, workdir, blocks, setup, inputs, seed):
    """The chain file and its generator line, cached by parameters."""
    key = "chain-b%d-s%d-i%d-seed%d" % (blocks, setup, inputs, seed)
    path = os.path.join(workdir, key + ".dat")
    meta_path = os.path.join(workdir, key + ".txt")
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            line = f.read().strip()
        log("chain: reusing %s" % path)
    else:
        log("chain: generating %d blocks (%d spend blocks of ~%d inputs) into %s"
            % (blocks, blocks - setup, inputs, path))
        line = run_chaingen(chaingen, ["chain", "--out", path, "--blocks", str(blocks),
                                       "--setup", str(setup), "--inputs", str(inputs),
                                       "--seed", str(seed)])
        with open(meta_path, "w") as f:
            f.write(line + "\n")
    meta = parse_kv(line, "chaingen:")
    log("chain: %s blocks, %s transactions, %s inputs (P2PKH %s, P2WPKH %s, P2TR %s), "
        "%.1f MB, tip %s" % (meta["blocks"], meta["txs"], meta["inputs"], meta["p2pkh"],
                             meta["p2wpkh"], meta["p2tr"], int(meta["bytes"]) / 1e6, meta["tip"]))
    return path, key, meta


def import_chain(blvmd, workdir, key, chain_path, meta, timeout):
    """A data dir holding the chain's blocks, imported once with -loadblock."""
    datadir = os.path.join(workdir, "datadir-" + key)
    marker = os.path.join(datadir, "imported")
    if os.path.exists(marker):
        with open(marker) as f:
            if f.read().strip() == meta["tip"]:
                log("import: reusing %s" % datadir)
                return datadir
    shutil.rmtree(datadir, ignore_errors=True)
    os.makedirs(datadir)
    log("import: blvmd -loadblock into %s" % datadir)
    node = Node(blvmd, datadir, ["-loadblock=" + chain_path])
    try:
        node.wait_rpc(timeout)
        node.wait_for(lambda: node.rpc("getbestblockhash") == meta["tip"], "the imported tip",
                      timeout, poll=0.5)
        elapsed = time.monotonic() - node.start
        node.stop()
    finally:
        node.kill()
    log("import: %s blocks in %.1f s" % (meta["blocks"], elapsed))
    with open(marker, "w") as f:
        f.write(meta["tip"] + "\n")
    return datadir


def reindex_chainstate(blvmd, datadir, par, meta, timeout):
    """Runs -reindex-chainstate at -par=par; returns its numbers."""
    node = Node(blvmd, datadir, ["-reindex-chainstate", "-par=%d" % par, "-assumevalid=0"])
    try:
        m = node.wait_for(lambda: CONNECTED_RE.search(node.new_log()),
                          "the chain to be reconnected", timeout)
        wall = time.monotonic() - node.start
        sched_main, sched_others = node.sched()
        node.wait_rpc(timeout)
        height = node.rpc("getblockcount")
        best = node.rpc("getbestblockhash")
        node.stop()
    finally:
        node.kill()
    blocks, inputs, secs, checks, par_used = (int(m.group(1)), int(m.group(2)),
                                              float(m.group(3)), int(m.group(4)),
                                              int(m.group(5)))
    if best != meta["tip"] or height != int(meta["blocks"]):
        raise BenchError("-par=%d ended at height %d (%s), expected %s (%s)"
                         % (par, height, best, meta["blocks"], meta["tip"]))
    if par_used != par:
        raise BenchError("blvmd ran %d script threads, asked for %d" % (par_used, par))
    # Every input spent by a non-coinbase transaction has one script check,
    # unless assume-valid skipped them: prove it did not.
    if inputs != int(meta["inputs"]) or checks != inputs:
        raise BenchError("-par=%d: %d inputs connected, %d script checks run, chain has %s"
                         % (par, inputs, checks, meta["inputs"]))
    rss_kib = max(node.hwm_kib, node.rusage.ru_maxrss if node.rusage else 0)
    cpu = node.rusage.ru_utime + node.rusage.ru_stime if node.rusage else 0.0
    return {"par": par, "blocks": blocks, "inputs": inputs, "checks": checks, "secs": secs,
            "wall": wall, "rss_mb": rss_kib / 1024.0, "cpu": cpu,
            "main_run": sched_main[0], "main_wait": sched_main[1],
            "others_run": sched_others[0], "others_wait": sched_others[1],
            "blocks_per_s": blocks / secs if secs > 0 else 0.0,
            "inputs_per_s": inputs / secs if secs > 0 else 0.0}


def sig_rate(chaingen, threads, meta, seconds):
    """(verifies per wall second on `threads` threads, verifies per CPU second
    of one thread)."""
    mix = "%s,%s,%s" % (meta["p2pkh"], meta["p2wpkh"], meta["p2tr"])
    line = run_chaingen(chaingen, ["sigbench", "--threads", str(threads), "--mix", mix,
                                   "--seconds", str(seconds)])
    kv = parse_kv(line, "sigbench:")
    return float(kv["rate"]), float(kv["cpu_rate"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default="build")
    ap.add_argument("--blocks", type=int, default=1110,
                    help="blocks after genesis (the first --setup only mine coinbases)")
    ap.add_argument("--setup", type=int, default=110)
    ap.add_argument("--inputs", type=int, default=120, help="inputs per spend block")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--par", default="1,2", help="comma-separated -par values")
    ap.add_argument("--workdir", help="cache for the chain and data dir "
                    "(default <builddir>/reindex-bench)")
    ap.add_argument("--sig-seconds", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds of every measurement; the best of each is kept")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--smoke", action="store_true",
                    help="a tiny chain in a temporary dir (tests the script, not speed)")
    args = ap.parse_args()

    bindir = os.path.join(args.builddir, "bin")
    blvmd = os.path.join(bindir, "blvmd")
    chaingen = os.path.join(bindir, "blvm-chaingen")
    for b in (blvmd, chaingen):
        if not os.access(b, os.X_OK):
            raise BenchError("%s is missing: build first (make build)" % b)
    pars = [int(p) for p in args.par.split(",")]
    if args.repeat < 1 or any(p < 1 for p in pars):
        raise BenchError("--repeat and every --par value must be at least 1")
    tmp = None
    if args.smoke:
        args.blocks, args.setup, args.inputs, args.sig_seconds = 130, 110, 12, 0.2
        args.repeat = 1
        tmp = tempfile.mkdtemp(prefix="blvm_reindex_smoke_")
        workdir = tmp
    else:
        workdir = args.workdir or os.path.join(args.builddir, "reindex-bench")
        os.makedirs(workdir, exist_ok=True)
    try:
        chain_path, key, meta = generate_chain(chaingen, workdir, args.blocks, args.setup,
                                               args.inputs, args.seed)
        datadir = import_chain(blvmd, workdir, key, chain_path, meta, args.timeout)
        # Rounds alternate the -par values and the bare rates so that load
        # from other processes hits all alike; each keeps its best round.
        results, sig_wall, cpu_rate = {}, {}, 0.0
        for rnd in range(1, args.repeat + 1):
            for par in pars:
                r = reindex_chainstate(blvmd, datadir, par, meta, args.timeout)
                log("round %d: -reindex-chainstate -par=%d: %d blocks, %d inputs (%d script "
                    "checks) in %.2f s (%.2f s from launch, %.2f s CPU): %.1f blocks/s, "
                    "%.0f inputs/s, peak RSS %.1f MB; validation thread %.2f s on CPU + %.2f s "
                    "waiting for one, other threads %.2f s + %.2f s"
                    % (rnd, par, r["blocks"], r["inputs"], r["checks"], r["secs"], r["wall"],
                       r["cpu"], r["blocks_per_s"], r["inputs_per_s"], r["rss_mb"],
                       r["main_run"], r["main_wait"], r["others_run"], r["others_wait"]))
                best = results.get(par)
                if best is None or r["secs"] < best["secs"]:
                    r["rss_mb"] = max(r["rss_mb"], best["rss_mb"] if best else 0.0)
                    results[par] = r
                else:
                    best["rss_mb"] = max(best["rss_mb"], r["rss_mb"])
            for threads in sorted(set([1, 2] + pars)):
                rate, per_cpu = sig_rate(chaingen, threads, meta, args.sig_seconds)
                log("round %d: bare signature checks, %d thread%s: %.0f verifies/s "
                    "(%.0f per CPU second of a thread)"
                    % (rnd, threads, "" if threads == 1 else "s", rate, per_cpu))
                sig_wall[threads] = max(sig_wall.get(threads, 0.0), rate)
                cpu_rate = max(cpu_rate, per_cpu)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    log("")
    log("summary (%s blocks, %s inputs, best of %d round%s):"
        % (meta["blocks"], meta["inputs"], args.repeat, "" if args.repeat == 1 else "s"))
    # n cores' bare rate: what n threads did together, or n times what one
    # thread does per CPU second when other load kept the threads from
    # running at once; the higher (stricter) of the two.
    sig = {}
    for threads in sorted(sig_wall):
        sig[threads] = max(sig_wall[threads], threads * cpu_rate)
        log("  bare signature checks, %d thread%s: %8.0f verifies/s (measured %.0f, %d x %.0f "
            "per CPU second)" % (threads, "" if threads == 1 else "s", sig[threads],
                                 sig_wall[threads], threads, cpu_rate))
    for par, r in results.items():
        log("  -par=%d  %8.1f blocks/s  %8.0f inputs/s  peak RSS %6.1f MB  (%.0f%% of %d-thread "
            "bare sig rate; %.2f s CPU over %.2f s from launch)"
            % (par, r["blocks_per_s"], r["inputs_per_s"], r["rss_mb"],
               100.0 * r["inputs_per_s"] / sig[par], par, r["cpu"], r["wall"]))
        log("          validation thread %.2f s on CPU + %.2f s waiting for a CPU; "
            "script threads %.2f s + %.2f s" % (r["main_run"], r["main_wait"], r["others_run"],
                                                r["others_wait"]))
    if 1 in results and 2 in results:
        speedup = results[2]["inputs_per_s"] / results[1]["inputs_per_s"]
        vs_sig = results[2]["inputs_per_s"] / sig[2]
        log("  par2/par1 inputs/s: %.2fx (target >= %.1fx: %s)"
            % (speedup, SPEEDUP_TARGET, "met" if speedup >= SPEEDUP_TARGET else "missed"))
        log("  par2 inputs/s vs 2-thread bare sig rate: %.0f%% (target >= %.0f%%: %s)"
            % (100 * vs_sig, 100 * SIG_RATE_TARGET,
               "met" if vs_sig >= SIG_RATE_TARGET else "missed"))
    for par, r in results.items():
        waited = r["main_wait"] + r["others_wait"]
        if waited > 0.1 and waited > 0.05 * r["secs"] * par:
            log("  note: in the best -par=%d round the threads waited %.2f s for a CPU taken by "
                "other processes; its inputs/s is lower than the node's (try --repeat 5 on a "
                "quieter machine)" % (par, r["main_wait"] + r["others_wait"]))
    peak = max(r["rss_mb"] for r in results.values())
    log("  peak RSS: %.1f MB (target < %.0f MB: %s)"
        % (peak, RSS_TARGET_MB, "met" if peak < RSS_TARGET_MB else "missed"))
    log("  cores online: %d, load average %.2f" % (os.cpu_count() or 0, os.getloadavg()[0]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("reindex_bench: error: %s" % e, file=sys.stderr)
        sys.exit(1)
