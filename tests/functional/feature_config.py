#!/usr/bin/env python3
"""blvmd configuration and process life cycle: bitcoin.conf sections and
prefixes, blvm.conf, environment overrides, bad flags and values, the data
directory checks, the lock file, port conflicts, the cookie, the pid file,
signals, -daemon and the `stop` RPC."""
import os
import signal
import socket
import stat
import subprocess
import time

from test_framework.authproxy import AuthServiceProxy, JSONRPCException
from test_framework.test_framework import BlvmTestFramework
from test_framework.test_node import TestNode
from test_framework.util import (assert_equal, assert_in, get_free_port, wait_until)


class FeatureConfigTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def new_node(self):
        n = TestNode(len(self.nodes), self.tmpdir, self.bindir)
        self.nodes.append(n)
        return n

    def run_test(self):
        self.test_lifecycle(self.nodes[0])
        self.test_lock(self.nodes[0])
        self.test_signals(self.nodes[0])
        self.test_bad_args()
        self.test_conf_sections()
        self.test_env_override()
        self.test_datadir_errors()
        self.test_port_in_use()
        self.test_noserver()
        self.test_daemon()

    def test_lifecycle(self, node):
        self.log("cookie, pid file and debug.log while running; stop RPC")
        with open(node.cookie_path) as f:
            cookie1 = f.read()
        assert cookie1.startswith("__cookie__:") and len(cookie1) == len("__cookie__:") + 64
        assert_equal(stat.S_IMODE(os.stat(node.cookie_path).st_mode), 0o600)
        pidfile = os.path.join(node.netdir, "blvmd.pid")
        with open(pidfile) as f:
            assert_equal(int(f.read()), node.process.pid)
        assert os.path.exists(node.debug_log)
        info = node.getrpcinfo()
        assert_equal(info["logpath"], node.debug_log)
        assert_equal(node.stop(), "blvmd stopping")
        assert_equal(node.wait_until_stopped(), 0)
        assert not os.path.exists(node.cookie_path), "cookie removed at exit"
        assert not os.path.exists(pidfile), "pid file removed at exit"
        with open(node.debug_log) as f:
            log = f.read()
        assert_in("Shutdown: done", log)
        node.start()
        with open(node.cookie_path) as f:
            assert f.read() != cookie1, "a fresh cookie on every start"

    def test_lock(self, node):
        self.log("a second blvmd on the same data dir fails on the lock")
        other_port = get_free_port()
        p = subprocess.run([node.binary(), f"-datadir={node.datadir}", "-regtest",
                            f"-rpcport={other_port}", "-printtoconsole=0"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode != 0
        assert_in("Cannot obtain a lock on data directory", p.stderr)
        assert_equal(p.stderr.count("\n"), 1)  # one clear line
        # The first one is unharmed and its cookie still there.
        assert node.uptime() >= 0
        assert os.path.exists(node.cookie_path)

    def test_signals(self, node):
        self.log("SIGTERM and SIGINT shut down cleanly with exit 0")
        for sig in (signal.SIGTERM, signal.SIGINT):
            node.signal(sig)
            assert_equal(node.wait_until_stopped(timeout=30), 0)
            assert not os.path.exists(node.cookie_path)
            node.start()
        # kill -9 leaves the lock to the kernel: a restart works.
        node.kill_process()
        assert os.path.exists(node.cookie_path)  # stale cookie stays behind
        node.start()
        assert node.uptime() >= 0

    def test_bad_args(self):
        self.log("unknown flags and bad values: non-zero exit and a clear message")
        n = self.new_node()
        cases = [
            (["-nosuchflag"], "Invalid parameter -nosuchflag"),
            (["-nosuchflag=1"], "Invalid parameter -nosuchflag"),
            (["-rpcport=abc"], "Invalid value for -rpcport: 'abc'"),
            (["-rpcport=70000"], "Invalid value for -rpcport: '70000'"),
            (["-dbcache=lots"], "Invalid value for -dbcache: 'lots'"),
            (["-par=x"], "Invalid value for -par"),
            (["-assumevalid=xyz"], "Invalid value for -assumevalid"),
            (["-server=maybe"], "Invalid value for -server"),
            (["-prune=100"], "Prune configured below the minimum of 550 MiB"),
            (["-debug=nosuchcategory"], "Unsupported logging category -debug=nosuchcategory"),
            (["-testnet"], "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain"),
            (["-chain=moon"], "Invalid -chain value 'moon'"),
            (["-conf=missing.conf"], "could not be opened"),
            (["stray"], "unexpected token 'stray'"),
            (["-rpcallowip=1.2.3.4/99", "-rpcbind=127.0.0.1"], "Invalid -rpcallowip subnet"),
            (["-rpcauth=nodollar"], "Invalid -rpcauth argument"),
        ]
        for args, msg in cases:
            n.assert_start_raises_init_error(args, msg)
        # Config file errors.
        conf = os.path.join(n.datadir, "bitcoin.conf")
        for text, msg in [
            ("nosuchkey=1\n", "Invalid configuration value nosuchkey"),
            ("-rpcport=1\n", "options in configuration file must be specified without leading -"),
            ("rpcport\n", "parse error on line 1"),
            ("noserver\n", "if you intended to specify a negated option, use noserver=1 instead"),
            ("[regtest]\nrpcport=x\n", "Invalid value for -rpcport (line 2"),
            ("conf=other.conf\n", "-conf is only valid on the command line"),
        ]:
            with open(conf, "w") as f:
                f.write(text)
            n.assert_start_raises_init_error([], msg)
        os.unlink(conf)
        # -help and -version exit 0.
        for flag in ("-help", "-version"):
            p = subprocess.run([n.binary(), flag], capture_output=True, text=True, timeout=30)
            assert_equal(p.returncode, 0)
            assert_in("blvmd version", p.stdout)

    def start_plain(self, node, args, env=None):
        """Starts node with only -datadir (and args): the port comes from
        the config under test."""
        node.base_args = lambda: [f"-datadir={node.datadir}", "-printtoconsole=0"]
        node.start(args, env=env, wait=False)

    def wait_port(self, node, port):
        node.rpc_port = port
        node.wait_for_rpc_connection()

    def test_conf_sections(self):
        self.log("bitcoin.conf sections, regtest. prefixes and blvm.conf")
        n = self.new_node()
        top, sect, pref = get_free_port(), get_free_port(), get_free_port()
        with open(os.path.join(n.datadir, "bitcoin.conf"), "w") as f:
            f.write(f"# comment\nregtest=1\nrpcport={top}   # network-only: main only\n"
                    f"debug=net\n\n[main]\nrpcport=1\n[test]\ndebug=tor\n"
                    f"[regtest]\nrpcport={sect}\ndebug=bench\n")
        with open(os.path.join(n.datadir, "blvm.conf"), "w") as f:
            f.write("debug=mempool\nregtest.debug=coindb\n")
        self.start_plain(n, [])
        self.wait_port(n, sect)
        cats = n.logging()
        assert_equal([c for c in cats if cats[c]], ["bench", "coindb", "mempool", "net"])
        n.stop_node()
        # The command line wins over the config file; -noX negates.
        self.start_plain(n, [f"-rpcport={pref}", "-nodebug"])
        self.wait_port(n, pref)
        assert not any(n.logging().values())
        n.stop_node()
        # regtest.rpcport= prefix form at the top of the file.
        with open(os.path.join(n.datadir, "bitcoin.conf"), "w") as f:
            f.write(f"chain=regtest\nregtest.rpcport={pref}\n")
        os.unlink(os.path.join(n.datadir, "blvm.conf"))
        self.start_plain(n, [])
        self.wait_port(n, pref)
        n.stop_node()
        # -conf= names another file, relative to the data dir.
        with open(os.path.join(n.datadir, "other.conf"), "w") as f:
            f.write(f"regtest=1\n[regtest]\nrpcport={top}\n")
        self.start_plain(n, ["-conf=other.conf"])
        self.wait_port(n, top)
        n.stop_node()

    def test_env_override(self):
        self.log("BLVM_<FLAG> environment overrides")
        n = self.new_node()
        conf_port, env_port, cmd_port = get_free_port(), get_free_port(), get_free_port()
        with open(os.path.join(n.datadir, "bitcoin.conf"), "w") as f:
            f.write(f"[regtest]\nrpcport={conf_port}\n")
        env = {"BLVM_REGTEST": "1", "BLVM_RPCPORT": str(env_port), "BLVM_DEBUG": "validation"}
        self.start_plain(n, [], env=env)
        self.wait_port(n, env_port)
        cats = n.logging()
        assert_equal([c for c in cats if cats[c]], ["validation"])
        n.stop_node()
        self.start_plain(n, [f"-rpcport={cmd_port}"], env=env)
        self.wait_port(n, cmd_port)
        n.stop_node()
        n.assert_start_raises_init_error([], "Invalid value for -rpcport (environment BLVM_RPCPORT)",
                                         env={"BLVM_RPCPORT": "nope"})

    def test_datadir_errors(self):
        self.log("missing and unwritable data directories")
        n = self.new_node()
        missing = os.path.join(self.tmpdir, "does", "not", "exist")
        n.assert_start_raises_init_error([f"-datadir={missing}", "-regtest"],
                                         "does not exist", use_base_args=False)
        if os.geteuid() == 0:
            # root writes through permission bits; /proc refuses new files.
            ro = "/proc/self"
            p = n.assert_start_raises_init_error([f"-datadir={ro}", "-regtest"], None,
                                                 use_base_args=False)
            assert "Cannot write to" in p.stderr or "Cannot create" in p.stderr, p.stderr
        else:
            ro = os.path.join(self.tmpdir, "readonly")
            os.makedirs(os.path.join(ro, "regtest"))
            os.chmod(os.path.join(ro, "regtest"), 0o500)
            n.assert_start_raises_init_error([f"-datadir={ro}", "-regtest"],
                                             "Cannot write to data directory", use_base_args=False)
            os.chmod(os.path.join(ro, "regtest"), 0o700)
        # A file where the data dir should be.
        f = os.path.join(self.tmpdir, "afile")
        open(f, "w").close()
        n.assert_start_raises_init_error([f"-datadir={f}", "-regtest"], "does not exist",
                                         use_base_args=False)

    def test_port_in_use(self):
        self.log("RPC port in use: clear error, non-zero exit")
        n = self.new_node()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", n.rpc_port))
            s.listen(1)
            p = n.assert_start_raises_init_error([], "Unable to bind RPC server on address "
                                                 f"127.0.0.1 port {n.rpc_port}")
            assert_in("Address already in use", p.stderr)
        assert not os.path.exists(n.cookie_path)
        # Lock released: the node starts once the port is free.
        n.start()
        n.stop_node()
        self.log("-rpcbind with -rpcallowip; loopback is always allowed")
        n.start(["-rpcbind=127.0.0.1", "-rpcallowip=10.0.0.0/8"])
        assert n.uptime() >= 0
        n.stop_node()
        n.assert_start_raises_init_error(["-rpcbind=nonsense:x", "-rpcallowip=10.0.0.0/8"],
                                         "Invalid -rpcbind address")

    def test_noserver(self):
        self.log("-server=0: no RPC server, no cookie; SIGTERM still stops it")
        n = self.new_node()
        n.start(["-server=0"], wait=False)
        wait_until(lambda: os.path.exists(n.debug_log) and
                   "Done loading" in open(n.debug_log).read(), what="start-up")
        assert not os.path.exists(n.cookie_path)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", n.rpc_port)) != 0
        n.signal(signal.SIGTERM)
        assert_equal(n.wait_until_stopped(), 0)

    def test_daemon(self):
        self.log("-daemon: the parent returns, the child serves RPC")
        n = self.new_node()
        p = subprocess.run([n.binary()] + n.base_args() + ["-daemon", "-daemonwait"],
                           capture_output=True, text=True, timeout=60)
        assert_equal(p.returncode, 0)
        pidfile = os.path.join(n.netdir, "blvmd.pid")
        wait_until(lambda: os.path.exists(n.cookie_path), what="daemon cookie")
        with open(pidfile) as f:
            pid = int(f.read())
        with open(n.cookie_path) as f:
            user, pw = f.read().split(":", 1)
        rpc = AuthServiceProxy("127.0.0.1", n.rpc_port, user, pw)

        def ready():
            try:
                return rpc.uptime() >= 0
            except JSONRPCException as e:
                if e.error["code"] == -28:  # still loading
                    return False
                raise
        wait_until(ready, what="daemon RPC")
        assert_equal(rpc.stop(), "blvmd stopping")

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True
        wait_until(gone, what="daemon exit")
        assert not os.path.exists(n.cookie_path)
        # -daemon -daemonwait reports a failed start-up with a non-zero exit.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", n.rpc_port))
            s.listen(1)
            p = subprocess.run([n.binary()] + n.base_args() + ["-daemon", "-daemonwait"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode != 0
        time.sleep(0.2)


if __name__ == "__main__":
    FeatureConfigTest().main()
