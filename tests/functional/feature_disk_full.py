#!/usr/bin/env python3
"""The disk fills up under a running node (Core's AbortNode): blvmd must say
so, stop by itself with exit status 1, and leave a data dir from which the
next start recovers every block it had accepted, with the UTXO set a clean
-reindex-chainstate rebuilds.

A full disk is simulated with a file size limit (ulimit -f, SIGXFSZ
ignored, so writes past the limit fail with EFBIG as they would with
ENOSPC). Big blocks (a 100 kB OP_RETURN each) make the block file the first
file to reach the limit."""
import os
import stat
import time

from test_framework.messages import Tx, TxIn, TxOut
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_greater_than

OP_TRUE = b"\x51"
BIG = 100_000


def utxo(node):
    a = node.gettxoutsetinfo("hash_serialized_3")
    return (a["height"], a["bestblock"], a["txouts"], a["hash_serialized_3"])


class DiskFullTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [[]]

    def big_block(self, node):
        """Spends the next mature raw(51) coinbase into a 100 kB OP_RETURN."""
        h = self.next_coinbase
        self.next_coinbase += 1
        cb = node.getblock(node.getblockhash(h), 2)["tx"][0]
        value = round(cb["vout"][0]["value"] * 100_000_000)
        tx = Tx()
        tx.vin = [TxIn(cb["txid"], 0)]
        script = b"\x6a\x4e" + BIG.to_bytes(4, "little") + b"\x42" * BIG
        tx.vout = [TxOut(0, script), TxOut(value - 10_000, OP_TRUE)]
        return node.generateblock("raw(51)", [tx.hex()])

    def run_test(self):
        node = self.nodes[0]
        node.generatetodescriptor(110, "raw(51)")
        self.next_coinbase = 1
        for _ in range(12):
            self.big_block(node)
        node.stop_node()
        blocks = os.path.join(node.netdir, "blocks")
        used = 0
        # the used part of blk00000.dat: past it the file is preallocated zeros
        with open(os.path.join(blocks, "blk00000.dat"), "rb") as f:
            data = f.read()
        used = len(data.rstrip(b"\x00"))
        assert_greater_than(used, 12 * BIG)
        sizes = {n: os.path.getsize(os.path.join(node.netdir, "chainstate", n))
                 for n in ("data.mdb",)}
        self.log(f"blk00000.dat used {used} bytes, data.mdb {sizes['data.mdb']} bytes")
        limit = used + 3 * BIG // 2  # room for one more big block, not two
        assert_greater_than(limit, sizes["data.mdb"] + 200_000)

        wrapper = os.path.join(self.tmpdir, "blvmd-limited")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\ntrap '' XFSZ\nulimit -f %d\nexec %s \"$@\"\n"
                    % (limit // 512, node.binary()))
        os.chmod(wrapper, stat.S_IRWXU)
        real_binary = node.binary
        node.binary = lambda name="blvmd": wrapper if name == "blvmd" else real_binary(name)
        node.start()
        before = node.getblockcount()
        self.log("mine big blocks until the block file cannot grow")
        accepted = before
        stopped = False
        for _ in range(5):
            try:
                self.big_block(node)
                accepted = node.getblockcount()
            except Exception as e:  # the RPC error, or the node gone
                self.log(f"refused: {e}")
                stopped = True
                break
        assert stopped, "the node went on writing past the size limit"
        rc = node.wait_until_stopped(timeout=60, expected_rc=None)
        assert_equal(rc, 1)
        err = node.read_stderr()
        assert "fatal" in err.lower() and "failed to write block" in err, err
        with open(node.debug_log, errors="replace") as f:
            log = f.read()
        assert "failed to write block" in log
        self.log(f"stopped with status 1 at height {accepted}")

        node.binary = real_binary
        node.start()
        assert_equal(node.getblockcount(), accepted)
        assert_equal(node.verifychain(4, 0), True)
        got = utxo(node)
        # and it goes on: the torn record at the end of the file is written over
        self.big_block(node)
        after = utxo(node)
        node.stop_node()
        node.start(["-reindex-chainstate"])
        while node.getblockcount() < after[0]:
            time.sleep(0.1)
        assert_equal(utxo(node), after)
        node.invalidateblock(after[1])
        assert_equal(utxo(node), got)


if __name__ == "__main__":
    DiskFullTest().main()
