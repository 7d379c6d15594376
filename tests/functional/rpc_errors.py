#!/usr/bin/env python3
"""JSON-RPC protocol and error behaviour, checked against Bitcoin Core 28+:
error codes and messages, HTTP status codes of JSON-RPC 1.x and 2.0,
batches, notifications, named parameters, and HTTP Basic authentication
with the cookie, -rpcuser/-rpcpassword and -rpcauth."""
import hashlib
import hmac
import json
import os

from test_framework.authproxy import AuthServiceProxy, JSONRPCException
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error)


def rpcauth_line(user, password, salt="f00dfeedcafebabe"):
    """What Core's share/rpcauth/rpcauth.py prints: user:salt$hmac."""
    mac = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return f"{user}:{salt}${mac}"


class RpcErrorsTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-rpcauth=" + rpcauth_line("alice", "wonderland")]]

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        self.test_method_errors(rpc)
        self.test_protocol(rpc)
        self.test_batches(rpc)
        self.test_named(rpc)
        self.test_jsonrpc2(rpc)
        self.test_auth(node)
        self.test_userpass(node)

    def test_method_errors(self, rpc):
        self.log("unknown method, wrong parameter count and types")
        e = assert_raises_rpc_error(-32601, "Method not found", rpc.nosuchmethod)
        assert_equal(e.http_status, 404)
        # Too many parameters: Core answers -1 with the method's help text.
        e = assert_raises_rpc_error(-1, "uptime", rpc.uptime, 1)
        assert_equal(e.http_status, 500)
        assert_in("Returns the total uptime of the server.", e.error["message"])
        assert_raises_rpc_error(-1, "help ( \"command\" )", rpc.help, "a", "b")
        # Wrong JSON type: -3 with Core's "Wrong type passed" report.
        e = assert_raises_rpc_error(-3, "Wrong type passed", rpc.logging, "net")
        assert_equal(e.error["message"],
                     'Wrong type passed:\n{\n    "Position 1 (include)": '
                     '"JSON value of type string is not of expected type array"\n}')
        assert_raises_rpc_error(-3, "Position 1 (command)", rpc.help, 5)
        assert_raises_rpc_error(-3, "Position 1 (wait)", rpc.stop, "soon")
        # Handler-level check: unknown category, -8 RPC_INVALID_PARAMETER.
        assert_raises_rpc_error(-8, "unknown logging category bogus", rpc.logging, ["bogus"])
        assert_raises_rpc_error(-8, "unknown logging category x", rpc.logging, [], ["x"])
        # Null for an optional parameter is the same as leaving it out.
        assert_equal(rpc.help(None), rpc.help())
        assert_equal(rpc.help("nosuch"), "help: unknown command: nosuch")
        assert rpc.help("stop").startswith("stop\n\nRequest a graceful shutdown")

    def test_protocol(self, rpc):
        self.log("parse errors and invalid requests")
        r = rpc.post("{not json")
        assert_equal(r.status, 500)
        assert_equal(r.json(), {"result": None, "error": {"code": -32700, "message": "Parse error"},
                                "id": None})
        r = rpc.post("5")
        assert_equal(r.status, 500)
        assert_equal(r.json()["error"], {"code": -32700, "message": "Top-level object parse error"})
        cases = [
            ({"id": 1}, "Missing method"),
            ({"method": 5, "id": 1}, "Method must be a string"),
            ({"method": "uptime", "params": "x", "id": 1}, "Params must be an array or object"),
            ({"method": "uptime", "jsonrpc": 2, "id": 1}, "jsonrpc field must be a string"),
            ({"method": "uptime", "jsonrpc": "3.0", "id": 1}, "JSON-RPC version not supported"),
        ]
        for req, msg in cases:
            r = rpc.post(req)
            assert_equal(r.status, 400)
            assert_equal(r.json()["error"], {"code": -32600, "message": msg})
            assert_equal(r.json()["id"], 1)
        # A legacy request gets both result and error, and the id back.
        r = rpc.post({"method": "uptime", "id": "abc"})
        assert_equal(r.status, 200)
        reply = r.json()
        assert_equal(sorted(reply), ["error", "id", "result"])
        assert_equal(reply["error"], None)
        assert_equal(reply["id"], "abc")
        assert_equal(r.headers.get("Content-Type"), "application/json")
        # jsonrpc "1.0" is accepted as legacy (old documentation used it).
        r = rpc.post({"jsonrpc": "1.0", "method": "uptime", "id": 1})
        assert_equal(sorted(r.json()), ["error", "id", "result"])
        # Only POST; only "/" and "/wallet/...".
        r = rpc.post("", method="GET")
        assert_equal(r.status, 405)
        r = rpc.post({"method": "uptime", "id": 1}, path="/nosuch")
        assert_equal(r.status, 404)
        r = rpc.post({"method": "uptime", "id": 1}, path="/wallet/w1")
        assert_equal(r.status, 200)

    def test_batches(self, rpc):
        self.log("batches")
        r = rpc.post([
            {"method": "uptime", "id": 1},
            {"method": "nosuch", "id": 2},
            5,
            {"jsonrpc": "2.0", "method": "uptime"},  # notification: no reply
            {"jsonrpc": "2.0", "method": "logging", "params": ["x"], "id": 3},
        ])
        assert_equal(r.status, 200)
        replies = r.json()
        assert_equal(len(replies), 4)
        assert_equal(replies[0]["error"], None)
        assert_equal(replies[0]["id"], 1)
        assert_equal(replies[1]["error"], {"code": -32601, "message": "Method not found"})
        # Core quirk kept: a non-object batch entry is answered with the id
        # (and version) of the entry before it.
        assert_equal(replies[2], {"result": None, "id": 2,
                                  "error": {"code": -32600, "message": "Invalid Request object"}})
        assert_equal(replies[3]["jsonrpc"], "2.0")
        assert_equal(replies[3]["error"]["code"], -3)
        assert "result" not in replies[3]
        # An empty batch answers an empty array (Core keeps this for old clients).
        r = rpc.post("[]")
        assert_equal((r.status, r.json()), (200, []))
        # A batch of notifications only: 204 and no body.
        r = rpc.post([{"jsonrpc": "2.0", "method": "uptime"}])
        assert_equal((r.status, r.body), (204, ""))

    def test_named(self, rpc):
        self.log("named parameters")
        assert_equal(rpc.help(command="stop"), rpc.help("stop"))
        assert_raises_rpc_error(-8, "Unknown named parameter foo", rpc.help, foo=1)
        res = rpc.logging(exclude=["net"], include=["net", "rpc"])
        assert_equal((res["net"], res["rpc"]), (False, True))
        # "args" gives leading positional parameters.
        assert_equal(rpc.logging(args=[["mempool"]], exclude=[])["mempool"], True)
        assert_raises_rpc_error(
            -8, "Parameter include specified twice both as positional and named argument",
            rpc.logging, args=[["net"]], include=["rpc"])
        # A hole before a named parameter becomes null.
        assert_equal(rpc.logging(exclude=["mempool"])["mempool"], False)

    def test_jsonrpc2(self, rpc):
        self.log("JSON-RPC 2.0")
        r = rpc.post({"jsonrpc": "2.0", "method": "uptime", "id": 7})
        assert_equal(r.status, 200)
        assert_equal(sorted(r.json()), ["id", "jsonrpc", "result"])
        # Errors: HTTP 200, an error and no result.
        for method, code in (("nosuch", -32601), ("logging", -3)):
            r = rpc.post({"jsonrpc": "2.0", "method": method, "params": ["x"], "id": 8})
            assert_equal(r.status, 200)
            reply = r.json()
            assert_equal(sorted(reply), ["error", "id", "jsonrpc"])
            assert_equal(reply["error"]["code"], code)
        # A notification: executed, no reply body.
        before = rpc.logging()["zmq"]
        r = rpc.post({"jsonrpc": "2.0", "method": "logging", "params": [["zmq"]]})
        assert_equal((r.status, r.body), (204, ""))
        assert_equal((before, rpc.logging()["zmq"]), (False, True))
        # Invalid 2.0 request objects are still answered with HTTP errors.
        r = rpc.post({"jsonrpc": "2.0", "id": 1})
        assert_equal(r.status, 400)

    def test_auth(self, node):
        self.log("authentication")
        rpc = node.rpc
        body = {"method": "uptime", "id": 1}
        r = rpc.post(body, auth=False)
        assert_equal(r.status, 401)
        assert_equal(r.headers.get("WWW-Authenticate"), 'Basic realm="jsonrpc"')
        assert_equal(rpc.post(body, auth=rpc.auth_header(password="wrong")).status, 401)
        assert_equal(rpc.post(body, auth=rpc.auth_header(user="nobody")).status, 401)
        assert_equal(rpc.post(body, auth="Basic !!!notbase64").status, 401)
        assert_equal(rpc.post(body, auth="Bearer abc").status, 401)
        assert_equal(rpc.post(body).status, 200)
        alice = AuthServiceProxy("127.0.0.1", node.rpc_port, "alice", "wonderland")
        assert alice.uptime() >= 0
        assert_equal(alice.post(body, auth=alice.auth_header(password="wonderlanD")).status, 401)
        assert_equal(alice.post(body, auth=alice.auth_header(user="alicE")).status, 401)

    def test_userpass(self, node):
        self.log("-rpcuser/-rpcpassword: no cookie written")
        node.stop_node()
        assert not os.path.exists(node.cookie_path)
        node.start(["-rpcuser=bob", "-rpcpassword=builder"], wait=False)
        bob = AuthServiceProxy("127.0.0.1", node.rpc_port, "bob", "builder")
        from test_framework.util import wait_until

        def up():
            try:
                bob.uptime()
                return True
            except OSError:
                return False
            except JSONRPCException as e:
                if e.error["code"] == -28:  # still loading
                    return False
                raise
        wait_until(up, what="RPC with -rpcuser")
        assert not os.path.exists(node.cookie_path)
        assert_equal(bob.post({"method": "uptime", "id": 1},
                              auth=bob.auth_header(password="x")).status, 401)
        # rpcauth users still log in next to rpcuser.
        alice = AuthServiceProxy("127.0.0.1", node.rpc_port, "alice", "wonderland")
        assert alice.uptime() >= 0
        node.rpc = bob
        assert_equal(bob.stop(), "blvmd stopping")
        node.wait_until_stopped()


if __name__ == "__main__":
    RpcErrorsTest().main()
