#!/usr/bin/env python3
"""blvm-cli follows bitcoin-cli: cookie discovery, -named, -stdin,
-stdinrpcpass, -rpcwait, JSON conversion of arguments, raw strings,
indented JSON, errors on stderr with exit status abs(code)."""
import json
import os
import subprocess
import time

from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_in, get_free_port


class RpcCliTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]

        self.log("results: integers and strings raw, objects indented by 2")
        r = node.cli("uptime")
        assert_equal(r.returncode, 0)
        assert int(r.stdout) >= 0
        r = node.cli("help")
        # help is plain text by category, e.g. "== Blockchain ==" first
        assert r.stdout.startswith("== ") and "\n== Control ==\n" in r.stdout, r.stdout
        assert not r.stdout.startswith('"')
        r = node.cli("getrpcinfo")
        assert r.stdout.startswith('{\n  "active_commands": [\n    {\n      "method": "getrpcinfo",'), r.stdout
        assert_equal(json.loads(r.stdout)["logpath"], node.debug_log)

        self.log("arguments converted to JSON like bitcoin-cli (logging takes arrays)")
        r = node.cli("logging", '["net","rpc"]', '["rpc"]')
        assert_equal(r.returncode, 0)
        cats = json.loads(r.stdout)
        assert_equal((cats["net"], cats["rpc"]), (True, False))
        r = node.cli("-named", "logging", 'exclude=["net"]')
        assert_equal(json.loads(r.stdout)["net"], False)
        r = node.cli("help", cli_args=["-named"]).stdout
        assert_equal(r, node.cli("help").stdout)
        r = node.cli("-named", "help", "command=uptime")
        assert r.stdout.startswith("uptime\n"), r.stdout
        # echo sends strings; echojson converts every argument; -named too.
        r = node.cli("echo", "1", "[2]", '{"a":0.10000000}')
        assert_equal(json.loads(r.stdout), ["1", "[2]", '{"a":0.10000000}'])
        r = node.cli("echojson", "1", "[2]", '{"a":0.10000000}', "true", "null")
        assert_equal(r.stdout, '[\n  1,\n  [\n    2\n  ],\n  {\n    "a": 0.1\n  },\n  true,\n  null\n]\n')
        # blvm-cli sends the number text as typed; blvmd reads numbers as
        # doubles (jansson) and writes reals with 16 significant digits.
        r = node.cli("echojson", "0.10000000", "1e-8", "21000000.00000001")
        assert_equal(json.loads(r.stdout), [0.1, 1e-08, 21000000.00000001])
        r = node.cli("-named", "echojson", "arg1=5", "arg0=[]")
        assert_equal(json.loads(r.stdout), [[], 5])
        r = node.cli("-named", "echo", "x", "arg2=y")
        assert_equal(json.loads(r.stdout), ["x", None, "y"])
        assert "echo" not in node.cli("help").stdout  # hidden
        r = node.cli("logging", "[bad")
        assert_equal(r.returncode, 1)
        assert_equal(r.stderr, "error: Error parsing JSON: [bad\n")

        self.log("errors: stderr, exit status abs(code) & 0xff")
        r = node.cli("nosuchmethod")
        assert_equal(r.stderr, "error code: -32601\nerror message:\nMethod not found\n")
        assert_equal(r.returncode, 32601 & 0xff)
        assert_equal(r.stdout, "")
        r = node.cli("logging", '["bogus"]')
        assert_equal(r.stderr, "error code: -8\nerror message:\nunknown logging category bogus\n")
        assert_equal(r.returncode, 8)
        r = node.cli("logging", "notalist")  # a string, not JSON: type error
        assert_equal(r.returncode, 1)  # "Error parsing JSON"
        r = node.cli("uptime", "1")
        assert_equal(r.returncode, 1)  # RPC_MISC_ERROR -1 with the help text
        assert_in("Returns the total uptime of the server.", r.stderr)
        r = node.cli()
        assert_equal(r.returncode, 1)
        assert_in("too few parameters", r.stderr)

        self.log("-stdin and -stdinrpcpass")
        r = node.cli("help", cli_args=["-stdin"], input="uptime\n")
        assert r.stdout.startswith("uptime\n"), r.stdout
        with open(node.cookie_path) as f:
            user, password = f.read().strip().split(":", 1)
        r = node.cli("uptime", cli_args=["-stdinrpcpass", f"-rpcuser={user}"],
                     input=password + "\n")
        assert_equal(r.returncode, 0)

        self.log("credentials")
        r = node.cli("uptime", cli_args=["-rpcuser=x", "-rpcpassword=y"])
        assert_equal(r.returncode, 1)
        assert_equal(r.stderr, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n")
        r = node.cli("uptime", cli_args=[f"-rpcuser={user}", f"-rpcpassword={password}"])
        assert_equal(r.returncode, 0)
        # -rpcconnect=host:port
        r = subprocess.run([node.binary("blvm-cli"), f"-datadir={node.datadir}", "-regtest",
                            f"-rpcconnect=127.0.0.1:{node.rpc_port}", "uptime"],
                           capture_output=True, text=True, timeout=30)
        assert_equal(r.returncode, 0)
        # The node's bitcoin.conf is read (unknown node-only keys ignored).
        with open(os.path.join(node.datadir, "bitcoin.conf"), "w") as f:
            f.write(f"dbcache=100\n[regtest]\nrpcport={node.rpc_port}\n")
        r = subprocess.run([node.binary("blvm-cli"), f"-datadir={node.datadir}", "-regtest",
                            "uptime"],
                           capture_output=True, text=True, timeout=30)
        assert_equal((r.returncode, r.stderr), (0, ""))

        self.log("stop via blvm-cli; then no server")
        r = node.cli("stop")
        assert_equal(r.stdout, "blvmd stopping\n")
        node.wait_until_stopped()
        r = node.cli("uptime")
        assert_equal(r.returncode, 1)
        assert_in("Could not locate RPC credentials", r.stderr)
        r = node.cli("uptime", cli_args=["-rpcuser=a", "-rpcpassword=b"])
        assert_equal(r.returncode, 1)
        assert_in(f"Could not connect to the server 127.0.0.1:{node.rpc_port}", r.stderr)

        self.log("-rpcwait waits for the server to come up")
        cmd = node.cli_args() + ["-rpcwait", "uptime"]
        waiter = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        assert waiter.poll() is None, "still waiting"
        node.start()
        out, err = waiter.communicate(timeout=60)
        assert_equal(waiter.returncode, 0, err)
        assert int(out) >= 0
        port = get_free_port()
        r = subprocess.run([node.binary("blvm-cli"), f"-datadir={node.datadir}", "-regtest",
                            f"-rpcport={port}", "-rpcwait", "-rpcwaittimeout=1",
                            "-rpcuser=a", "-rpcpassword=b", "uptime"],
                           capture_output=True, text=True, timeout=30)
        assert_equal(r.returncode, 1)
        assert_in("timeout on transient error", r.stderr)


if __name__ == "__main__":
    RpcCliTest().main()
