"""One blvmd process in its own data directory, on free loopback ports."""
import os
import signal
import subprocess
import time

from .authproxy import AuthServiceProxy, JSONRPCException
from .util import get_free_port, wait_until


class FailedToStartError(Exception):
    pass


class TestNode:
    def __init__(self, index, basedir, bindir, chain="regtest", extra_args=None,
                 rpc_timeout=60):
        self.index = index
        self.bindir = bindir
        self.chain = chain
        self.datadir = os.path.join(basedir, f"node{index}")
        os.makedirs(self.datadir, exist_ok=True)
        self.rpc_port = get_free_port()
        self.p2p_port = get_free_port()
        self.extra_args = list(extra_args or [])
        self.rpc_timeout = rpc_timeout
        self.process = None
        self.rpc = None
        self.stdout = None
        self.stderr = None
        self.netsub = {"main": "", "test": "testnet3"}.get(chain, chain)

    # -- paths --
    @property
    def netdir(self):
        return os.path.join(self.datadir, self.netsub) if self.netsub else self.datadir

    @property
    def debug_log(self):
        return os.path.join(self.netdir, "debug.log")

    @property
    def cookie_path(self):
        return os.path.join(self.netdir, ".cookie")

    def binary(self, name="blvmd"):
        return os.path.join(self.bindir, name)

    def base_args(self):
        return [f"-datadir={self.datadir}", f"-chain={self.chain}",
                f"-rpcport={self.rpc_port}", f"-port={self.p2p_port}",
                "-printtoconsole=0", "-debug=rpc", "-debug=http"]

    # -- life cycle --
    def start(self, extra_args=None, env=None, wait=True):
        """Starts blvmd; with wait, returns once RPC answers."""
        args = [self.binary()] + self.base_args() + self.extra_args + list(extra_args or [])
        out_dir = os.path.join(self.datadir, "stdio")
        os.makedirs(out_dir, exist_ok=True)
        n = len(os.listdir(out_dir))
        self.stdout = open(os.path.join(out_dir, f"stdout.{n}"), "w+")
        self.stderr = open(os.path.join(out_dir, f"stderr.{n}"), "w+")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.process = subprocess.Popen(args, stdout=self.stdout, stderr=self.stderr,
                                        env=full_env)
        if wait:
            self.wait_for_rpc_connection()

    def read_stderr(self):
        if not self.stderr:
            return ""
        self.stderr.seek(0)
        return self.stderr.read()

    def wait_for_rpc_connection(self, timeout=None):
        """Polls until the cookie exists and an RPC call succeeds."""
        deadline = time.time() + (timeout or self.rpc_timeout)
        last = None
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise FailedToStartError(
                    f"blvmd exited with {self.process.returncode} during start-up: "
                    f"{self.read_stderr().strip()}")
            try:
                with open(self.cookie_path) as f:
                    user, password = f.read().strip().split(":", 1)
                proxy = AuthServiceProxy("127.0.0.1", self.rpc_port, user, password,
                                         timeout=self.rpc_timeout)
                proxy.getrpcinfo()
                self.rpc = proxy
                return
            except JSONRPCException as e:
                last = e
                # -28: warming up; 401: a stale cookie of a killed run that
                # the new process has not replaced yet.
                if e.error.get("code") != -28 and e.http_status != 401:
                    raise
            except (OSError, ValueError) as e:
                last = e
            time.sleep(0.05)
        raise FailedToStartError(f"RPC not ready after timeout: {last}")

    def __getattr__(self, name):
        if name.startswith("_") or self.__dict__.get("rpc") is None:
            raise AttributeError(name)
        return getattr(self.rpc, name)

    def wait_until_stopped(self, timeout=60, expected_rc=0):
        try:
            rc = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"blvmd did not stop within {timeout}s (killed)")
        self.rpc = None
        if expected_rc is not None and rc != expected_rc:
            raise AssertionError(f"blvmd exited with {rc}, expected {expected_rc}: "
                                 f"{self.read_stderr().strip()}")
        return rc

    def stop_node(self, timeout=60, expected_rc=0):
        """`stop` RPC, then wait (bounded) for the process to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.rpc.stop()
        except Exception:
            self.process.send_signal(signal.SIGTERM)
        return self.wait_until_stopped(timeout, expected_rc)

    def restart_node(self, extra_args=None, env=None):
        """Clean stop, then start again (same data dir and ports)."""
        self.stop_node()
        self.start(extra_args, env=env)

    def signal(self, sig):
        self.process.send_signal(sig)

    def kill_process(self):
        """kill -9: no clean-up at all, as after a crash or power loss."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.rpc = None

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def assert_start_raises_init_error(self, extra_args=None, expected_msg=None, env=None,
                                       timeout=30, use_base_args=True):
        """Starts blvmd expecting it to fail: non-zero exit, message on stderr."""
        base = self.base_args() if use_base_args else []
        args = [self.binary()] + base + list(extra_args or [])
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=full_env)
        if p.returncode == 0:
            raise AssertionError(f"blvmd {' '.join(args)} should have failed; stdout: {p.stdout}")
        if expected_msg is not None and expected_msg not in p.stderr:
            raise AssertionError(f"expected {expected_msg!r} in stderr, got {p.stderr!r}")
        return p

    # -- blvm-cli --
    def cli_args(self):
        return [self.binary("blvm-cli"), f"-datadir={self.datadir}", f"-chain={self.chain}",
                f"-rpcport={self.rpc_port}"]

    def cli(self, *args, input=None, cli_args=None, timeout=60):
        """Runs blvm-cli; returns CompletedProcess (text)."""
        cmd = self.cli_args() + list(cli_args or []) + [str(a) for a in args]
        return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=timeout)

    def log_tail(self, lines=40):
        try:
            with open(self.debug_log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no debug.log)"
