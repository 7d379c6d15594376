"""Base class for functional tests, in the style of Bitcoin Core's.

A test subclasses BlvmTestFramework, sets self.num_nodes / self.extra_args
in set_test_params() and does its work in run_test(). main() parses
--builddir (binaries in <builddir>/bin), makes a temporary directory, starts
the nodes, runs the test, stops the nodes within a bounded time and removes
the directory on success. On failure the directory is kept and the end of
each node's debug.log is printed.
"""
import argparse
import os
import shutil
import sys
import tempfile
import traceback

from .test_node import TestNode


class SkipTest(Exception):
    pass


class BlvmTestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.extra_args = None
        self.setup_clean_chain = True
        self.chain = "regtest"
        self.nodes = []
        self.options = None
        self.tmpdir = None
        self.bindir = None

    # -- to override --
    def set_test_params(self):
        pass

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        for n in self.nodes:
            n.start()

    def run_test(self):
        raise NotImplementedError

    # -- helpers --
    def add_nodes(self, num, extra_args=None):
        extra_args = extra_args or [[]] * num
        for i in range(num):
            self.nodes.append(TestNode(len(self.nodes), self.tmpdir, self.bindir,
                                       chain=self.chain, extra_args=extra_args[i]))
        return self.nodes[-num:]

    def log(self, msg):
        print(f"[{type(self).__name__}] {msg}", flush=True)

    def stop_nodes(self):
        for n in self.nodes:
            if n.is_running():
                n.stop_node()

    def main(self):
        parser = argparse.ArgumentParser()
        parser.add_argument("--builddir", default=os.environ.get("BLVM_BUILDDIR", "build"))
        parser.add_argument("--tmpdir", default=None)
        parser.add_argument("--nocleanup", action="store_true")
        self.options = parser.parse_args()
        self.bindir = os.path.join(os.path.abspath(self.options.builddir), "bin")
        if not os.path.exists(os.path.join(self.bindir, "blvmd")):
            print(f"blvmd not found in {self.bindir}", file=sys.stderr)
            sys.exit(1)
        self.tmpdir = self.options.tmpdir or tempfile.mkdtemp(prefix="blvm_func_")
        os.makedirs(self.tmpdir, exist_ok=True)
        self.set_test_params()
        ok = False
        try:
            self.setup_nodes()
            self.run_test()
            ok = True
        except SkipTest as e:
            self.log(f"skipped: {e}")
            ok = True
        except Exception:
            traceback.print_exc()
        try:
            self.stop_nodes()
        except Exception:
            traceback.print_exc()
            ok = False
        for n in self.nodes:
            if n.is_running():
                n.kill_process()
        if ok:
            self.log("passed")
            if not self.options.nocleanup and not self.options.tmpdir:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
            sys.exit(0)
        for n in self.nodes:
            print(f"--- node{n.index} debug.log (tail) ---\n{n.log_tail()}", file=sys.stderr)
            print(f"--- node{n.index} stderr ---\n{n.read_stderr()}", file=sys.stderr)
        print(f"FAILED; test directory kept: {self.tmpdir}", file=sys.stderr)
        sys.exit(1)
