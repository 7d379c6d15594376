#!/usr/bin/env python3
"""JSON-RPC compatibility with Bitcoin Core 29 beyond rpc_errors.py:

- every method of issue 3 called with named parameters gives the same answer
  as the positional call, and an unknown name is -8;
- the error codes and messages of Core 29's error paths (UniValue type
  errors inside a method are -3, getInt<int> overflow is -1, ...);
- help synopses that spell out inner arguments as Core's do;
- the HTTP layer: 401 with WWW-Authenticate and the 250 ms pause after a
  wrong password, Content-Type, 405/501/404, the 32 MiB body limit (413),
  oversized headers, slow headers (-rpcservertimeout), many idle
  connections, garbage, keep-alive and the -rpcworkqueue limit (503).

Everything is loopback and bounded in time (socket timeouts)."""
import http.client
import json
import os
import socket
import threading
import time

from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error

ADDR = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
ADDR_DESC = f"addr({ADDR})#8pk5s7ya"
SERVER_TIMEOUT = 3


class RpcCompatTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # One worker and a queue of one make the work-queue limit easy to
        # reach; a short -rpcservertimeout bounds the slow-header test.
        self.extra_args = [["-rpcthreads=1", "-rpcworkqueue=1",
                            f"-rpcservertimeout={SERVER_TIMEOUT}"]]

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        rpc.generatetoaddress(110, ADDR)
        self.test_named_parameters(rpc)
        self.test_error_paths(rpc)
        self.test_help(rpc)
        self.test_http(node)

    # ---- named parameters ----

    def test_named_parameters(self, rpc):
        self.log("named parameters give the positional answers")
        h1 = rpc.getblockhash(1)
        tip = rpc.getbestblockhash()
        cb = rpc.getblock(h1)["tx"][0]
        same = [
            ("getblockcount", [], {}),
            ("getbestblockhash", [], {}),
            ("getblockchaininfo", [], {}),
            ("getdifficulty", [], {}),
            ("getchaintips", [], {}),
            ("getblockhash", [1], {"height": 1}),
            ("getblock", [h1, 0], {"blockhash": h1, "verbosity": 0}),
            ("getblock", [h1, 0], {"blockhash": h1, "verbose": False}),
            ("getblock", [h1, 2], {"blockhash": h1, "verbose": 2}),
            ("getblockheader", [h1, False], {"blockhash": h1, "verbose": False}),
            ("getchaintxstats", [5, tip], {"nblocks": 5, "blockhash": tip}),
            ("getblockstats", [1, ["height", "txs"]],
             {"hash_or_height": 1, "stats": ["height", "txs"]}),
            ("gettxout", [cb, 0, False], {"txid": cb, "n": 0, "include_mempool": False}),
            ("gettxoutsetinfo", ["muhash", None, True], {"hash_type": "muhash", "use_index": True}),
            ("verifychain", [1, 2], {"checklevel": 1, "nblocks": 2}),
            ("getrawtransaction", [cb, 1, h1], {"txid": cb, "verbose": 1, "blockhash": h1}),
            ("getrawtransaction", [cb, 2, h1], {"txid": cb, "verbosity": 2, "blockhash": h1}),
            ("decodescript", ["51"], {"hexstring": "51"}),
            ("validateaddress", [ADDR], {"address": ADDR}),
            ("getdescriptorinfo", ["raw(51)"], {"descriptor": "raw(51)"}),
            ("deriveaddresses", [ADDR_DESC], {"descriptor": ADDR_DESC}),
            ("waitfornewblock", [10], {"timeout": 10}),
            ("waitforblock", [tip, 10], {"blockhash": tip, "timeout": 10}),
            ("waitforblockheight", [1, 10], {"height": 1, "timeout": 10}),
            ("help", ["getblock"], {"command": "getblock"}),
            ("logging", [[], []], {"include": [], "exclude": []}),
        ]
        for method, pos, named in same:
            a, b = rpc.call(method, *pos), rpc.call(method, **named)
            if method == "gettxoutsetinfo":  # the database file may grow in between
                a.pop("disk_size")
                b.pop("disk_size")
            assert_equal(a, b, method)
        raw = rpc.getrawtransaction(cb, 0, h1)
        assert_equal(rpc.decoderawtransaction(raw, True),
                     rpc.decoderawtransaction(hexstring=raw, iswitness=True))
        ins = [{"txid": cb, "vout": 0, "sequence": 7}]
        outs = [{ADDR: "1.5"}, {"data": "00ff"}]
        assert_equal(rpc.createrawtransaction(ins, outs, 5, False),
                     rpc.createrawtransaction(inputs=ins, outputs=outs, locktime=5,
                                              replaceable=False))
        # Methods with nothing but side effects, named.
        assert_equal(rpc.preciousblock(blockhash=tip), None)
        assert_equal(rpc.invalidateblock(blockhash=tip), None)
        assert_equal(rpc.getbestblockhash(), rpc.getblockhash(109))
        assert_equal(rpc.reconsiderblock(blockhash=tip), None)
        assert_equal(rpc.getbestblockhash(), tip)
        assert rpc.uptime() >= 0
        assert_in("active_commands", rpc.getrpcinfo())
        # waitfornewblock's current_tip (Core 29): an old tip returns at once.
        t0 = time.monotonic()
        r = rpc.waitfornewblock(timeout=20000, current_tip=h1)
        assert_equal(r, {"hash": tip, "height": 110})
        assert time.monotonic() - t0 < 15
        assert_raises_rpc_error(-8, "current_tip must be of length 64", rpc.waitfornewblock,
                                timeout=1, current_tip="00")

        self.log("unknown, duplicate and 'args' named parameters")
        for method, _, named in same:
            assert_raises_rpc_error(-8, "Unknown named parameter bogus", rpc.call, method,
                                    **dict(named, bogus=1))
        # Core names the whole pattern of the clashing parameter.
        assert_raises_rpc_error(
            -8, "Parameter verbosity|verbose specified twice both as positional and named",
            rpc.call, "getblock", args=[h1, 1], verbose=0)
        assert_equal(rpc.call("getblock", args=[h1], verbosity=0), rpc.getblock(h1, 0))
        # A key written twice (UniValue keeps both) is refused as Core does.
        r = rpc.post('{"method": "getblockhash", "params": {"height": 1, "height": 2}, "id": 1}')
        assert_equal((r.status, json.loads(r.body)["error"]),
                     (500, {"code": -8, "message": "Parameter height specified multiple times"}))
        # A non-array "args" is consumed silently, as Core's extract() does.
        assert_equal(rpc.call("getblockcount", args=5), rpc.getblockcount())

    # ---- error paths ----

    def test_error_paths(self, rpc):
        self.log("Core 29 error codes and messages")
        h1 = rpc.getblockhash(1)
        cb = rpc.getblock(h1)["tx"][0]
        # getInt<int> overflow: -1; a UniValue type error inside a method: -3.
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.getblockhash, 3000000000)
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.getblockhash, 1.5)
        # Numbers beyond int64/double still parse (UniValue keeps the text).
        for num in ("99999999999999999999", "1e400", "-1e400"):
            r = rpc.post('{"method": "getblockhash", "params": [%s], "id": 1}' % num)
            assert_equal((r.status, json.loads(r.body)["error"]),
                         (500, {"code": -1, "message": "JSON integer out of range"}))
        r = rpc.post('{"method": "createrawtransaction", "params": [[], {"%s": 1e400}], "id": 1}'
                     % ADDR)
        assert_equal(json.loads(r.body)["error"], {"code": -3, "message": "Invalid amount"})
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.getblockstats, 2 ** 31)
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.waitfornewblock, 2 ** 31)
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.getchaintxstats, 2 ** 32)
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number",
                                rpc.getblock, h1, "1")
        assert_raises_rpc_error(-3, "JSON value of type bool is not of expected type string",
                                rpc.getblockstats, True)
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                rpc.getblockstats, 1, [5])
        assert_raises_rpc_error(-8, "Invalid selected statistic 'bogus'", rpc.getblockstats, 1,
                                ["bogus"])
        assert_raises_rpc_error(-3, "JSON value of type object is not of expected type string",
                                rpc.logging, [{}])
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number",
                                rpc.getrawtransaction, cb, "x")
        assert_raises_rpc_error(-1, "Negative timeout", rpc.waitfornewblock, -1)
        # gettxoutsetinfo: use_index=true without an index still scans.
        assert_equal(rpc.gettxoutsetinfo("none", None, True)["height"], 110)
        assert_raises_rpc_error(-8, "Querying specific block heights requires coinstatsindex",
                                rpc.gettxoutsetinfo, "none", 5)
        assert_raises_rpc_error(-8, "'bad' is not a valid hash_type", rpc.gettxoutsetinfo, "bad")

        self.log("createrawtransaction errors in Core's order")
        txid = "11" * 32
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type object",
                                rpc.createrawtransaction, ["foo"], {})
        assert_raises_rpc_error(-3, "JSON value of type null is not of expected type string",
                                rpc.createrawtransaction, [{}], {})
        assert_raises_rpc_error(-3, "Position 1 (inputs)", rpc.createrawtransaction, None, {})
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type array",
                                rpc.createrawtransaction, [], "foo")
        assert_raises_rpc_error(-8, "Invalid parameter, output argument must be non-null",
                                rpc.createrawtransaction, [], None)
        # Inputs are checked before outputs.
        assert_raises_rpc_error(-8, "Invalid parameter, missing vout key",
                                rpc.createrawtransaction, [{"txid": txid}], "foo")
        assert_raises_rpc_error(-1, "JSON integer out of range", rpc.createrawtransaction,
                                [{"txid": txid, "vout": 1.5}], {})
        assert_raises_rpc_error(-8, "Invalid parameter, vout cannot be negative",
                                rpc.createrawtransaction, [{"txid": txid, "vout": -1}], {})
        assert_raises_rpc_error(-8, "Invalid parameter, sequence number is out of range",
                                rpc.createrawtransaction,
                                [{"txid": txid, "vout": 0, "sequence": 2 ** 32}], {})
        # A non-number sequence is ignored, as Core reads it only when numeric.
        dec = rpc.decoderawtransaction(rpc.createrawtransaction(
            [{"txid": txid, "vout": 0, "sequence": "x"}], {}))
        assert_equal(dec["vin"][0]["sequence"], 0xfffffffd)
        # The amount is read before the address is checked.
        assert_raises_rpc_error(-3, "Invalid amount", rpc.createrawtransaction, [],
                                {"notanaddress": "x"})
        assert_raises_rpc_error(-5, "Invalid Bitcoin address: notanaddress",
                                rpc.createrawtransaction, [], {"notanaddress": 1})
        assert_raises_rpc_error(-8, "Data must be hexadecimal string (not '')",
                                rpc.createrawtransaction, [], {"data": ""})
        assert_raises_rpc_error(-8, "Invalid parameter, key-value pair not an object as expected",
                                rpc.createrawtransaction, [], [1])
        assert_raises_rpc_error(-8, "Invalid parameter, locktime out of range",
                                rpc.createrawtransaction, [], {}, -1)

        self.log("deriveaddresses range errors (checked before the descriptor)")
        for rng, msg in ((-1, "End of range is too high"),
                         ([2, 1], "Range specified as [begin,end] must not have begin after end"),
                         ([-1, 2], "Range should be greater or equal than 0"),
                         ([0, 2000000], "Range is too large"),
                         ("x", "Range must be specified as end or as [begin,end]")):
            assert_raises_rpc_error(-8, msg, rpc.deriveaddresses, "notadescriptor", rng)
        # An explicit null range counts as given (Core tests params.size()).
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                rpc.deriveaddresses, ADDR_DESC, None)
        assert_equal(rpc.deriveaddresses(ADDR_DESC), [ADDR])

        self.log("validateaddress of a pay-to-anchor address")
        r = rpc.validateaddress("bcrt1pfeesnyr2tx")
        assert_equal(r, {"isvalid": True, "address": "bcrt1pfeesnyr2tx",
                         "scriptPubKey": "51024e73", "isscript": True, "iswitness": True})

    # ---- help ----

    def test_help(self, rpc):
        self.log("help synopses as Core prints them")
        for line in (
                'createrawtransaction [{"txid":"hex","vout":n,"sequence":n},...] '
                '[{"address":amount,...},{"data":"hex"},...] ( locktime replaceable )',
                'logging ( ["include_category",...] ["exclude_category",...] )',
                'waitfornewblock ( timeout "current_tip" )',
                'getblock "blockhash" ( verbosity )',
                'getrawtransaction "txid" ( verbosity "blockhash" )',
                'getblockstats hash_or_height ( stats )',
                'deriveaddresses "descriptor" ( range )'):
            assert_in(line + "\n", rpc.help() + "\n")
            assert rpc.help(line.split()[0]).startswith(line + "\n"), line

    # ---- HTTP ----

    def raw(self, node, data, timeout=10, read_all=True):
        """Sends bytes on a new loopback connection; returns what came back
        until the server closed it (or the timeout)."""
        s = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=timeout)
        try:
            s.sendall(data)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
                if not read_all and b"\r\n\r\n" in out:
                    break
            return out
        finally:
            s.close()

    def test_http(self, node):
        rpc = node.rpc
        auth = rpc.auth_header()
        body = json.dumps({"method": "getblockcount", "id": 1})

        self.log("401 with WWW-Authenticate; a wrong password costs 250 ms")
        r = rpc.post(body, auth=False)
        assert_equal(r.status, 401)
        assert_equal(r.headers.get("WWW-Authenticate"), 'Basic realm="jsonrpc"')
        assert_equal(r.body, "")
        t0 = time.monotonic()
        r = rpc.post(body, auth=rpc.auth_header(password="wrong"))
        assert_equal(r.status, 401)
        assert_equal(r.headers.get("WWW-Authenticate"), 'Basic realm="jsonrpc"')
        assert time.monotonic() - t0 >= 0.25

        self.log("Content-Type and status codes")
        r = rpc.post(body)
        assert_equal(r.status, 200)
        assert_equal(r.headers.get("Content-Type"), "application/json")
        assert_equal(json.loads(r.body), {"result": 110, "error": None, "id": 1})
        assert r.body.endswith("}\n")
        r = rpc.post(json.dumps({"method": "nosuch", "id": 1}))
        assert_equal((r.status, r.headers.get("Content-Type")), (404, "application/json"))
        r = rpc.post("{bad json")
        assert_equal((r.status, r.headers.get("Content-Type")), (500, "application/json"))
        assert_equal(json.loads(r.body)["error"], {"code": -32700, "message": "Parse error"})
        r = rpc.post(json.dumps({"jsonrpc": "2.0", "method": "nosuch", "id": 1}))
        assert_equal((r.status, r.headers.get("Content-Type")), (200, "application/json"))
        # UniValue's MAX_JSON_DEPTH: 512 nested containers parse, 513 do not.
        r = rpc.post("[" * 512 + "]" * 512)
        assert_equal(r.status, 200)
        assert_equal(json.loads(r.body)[0]["error"]["message"], "Invalid Request object")
        r = rpc.post("[" * 513 + "]" * 513)
        assert_equal(r.status, 500)
        assert_equal(json.loads(r.body)["error"], {"code": -32700, "message": "Parse error"})
        r = rpc.post(json.dumps({"method": "echo", "params": ["[" * 600], "id": 1}))
        assert_equal(json.loads(r.body)["result"], ["[" * 600])
        # Core ignores the request's Content-Type.
        r = rpc.post(body, headers={"Content-Type": "text/plain"})
        assert_equal(r.status, 200)
        r = rpc.post("", method="GET")
        assert_equal((r.status, r.body), (405, "JSONRPC server handles only POST requests"))
        assert_equal(rpc.post(body, method="DELETE").status, 405)
        assert_equal(rpc.post(body, method="OPTIONS").status, 501)
        assert_equal(rpc.post(body, path="/nosuch").status, 404)
        assert_equal(rpc.post(body, path="/?x=1").status, 404)

        self.log("keep-alive: several requests on one connection")
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=10)
        conn.connect()
        first_sock = conn.sock
        for i in range(3):
            conn.request("POST", "/", body, {"Authorization": auth})
            resp = conn.getresponse()
            assert_equal(resp.status, 200)
            assert_equal(json.loads(resp.read())["result"], 110)
            assert conn.sock is first_sock
        conn.close()

        self.log("a body over 32 MiB is refused from its Content-Length (413)")
        head = (f"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
                f"Content-Length: {32 * 1024 * 1024 + 1}\r\n\r\n").encode()
        t0 = time.monotonic()
        out = self.raw(node, head, read_all=False)
        assert out.startswith(b"HTTP/1.1 413"), out[:80]
        assert time.monotonic() - t0 < 8
        # Without credentials too: nothing is read or allocated for it.
        head = (f"POST / HTTP/1.1\r\nHost: x\r\n"
                f"Content-Length: {64 * 1024 * 1024}\r\n\r\n").encode()
        assert self.raw(node, head, read_all=False).startswith(b"HTTP/1.1 413")

        self.log("headers over 8 KiB are refused")
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 9000 + b"\r\n\r\n")
        out = self.raw(node, head)
        assert out == b"" or out.startswith(b"HTTP/1.1 400"), out[:80]

        self.log("garbage requests get 400 or a closed connection")
        for junk in (b"\x00\xff\x10garbage\r\n\r\n", b"GET\r\n\r\n", b"POST / HTTP/9.9\r\n\r\n",
                     b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                     b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                     b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                     os.urandom(4096)):
            out = self.raw(node, junk, timeout=SERVER_TIMEOUT + 10)
            assert out == b"" or out.startswith(b"HTTP/1."), out[:80]
            assert not out.startswith(b"HTTP/1.1 200"), junk
        assert_equal(rpc.getblockcount(), 110)

        self.log("slow headers are dropped after -rpcservertimeout")
        s = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=SERVER_TIMEOUT + 15)
        t0 = time.monotonic()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        try:
            got = s.recv(1024)
        except ConnectionResetError:
            got = b""
        s.close()
        elapsed = time.monotonic() - t0
        assert not got.startswith(b"HTTP/1.1 200"), got
        assert SERVER_TIMEOUT - 1 <= elapsed < SERVER_TIMEOUT + 12, elapsed

        self.log("many idle connections do not stop service")
        idle = []
        try:
            for _ in range(200):
                c = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=10)
                c.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
                idle.append(c)
            assert_equal(rpc.getblockcount(), 110)
        finally:
            for c in idle:
                c.close()
        assert_equal(rpc.getblockcount(), 110)

        self.log("-rpcworkqueue overflow answers 503 Work queue depth exceeded")
        results = {}

        def slow(name, ms):
            p = rpc.post(json.dumps({"method": "waitfornewblock", "params": [ms], "id": name}))
            results[name] = p.status

        a = threading.Thread(target=slow, args=("a", 3000))
        a.start()
        time.sleep(0.7)  # the only worker is now busy with a
        b = threading.Thread(target=slow, args=("b", 100))
        b.start()
        time.sleep(0.5)  # b waits in the queue of one
        r = rpc.post(body)
        a.join(30)
        b.join(30)
        assert_equal((r.status, r.body), (503, "Work queue depth exceeded"))
        assert_equal(results, {"a": 200, "b": 200})
        assert_equal(rpc.getblockcount(), 110)


if __name__ == "__main__":
    RpcCompatTest().main()
