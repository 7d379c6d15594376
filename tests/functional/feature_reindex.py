#!/usr/bin/env python3
"""-reindex and -reindex-chainstate rebuild the same tip and UTXO set
hashes; -loadblock of another node's blk00000.dat imports its chain; a
corrupted or truncated copy of a block file (at -loadblock, and in the
blocks directory at -reindex) is reported, the node stays up and keeps
what is valid."""
import os
import shutil
import struct

from test_framework.messages import COIN, Block, TestKey, Tx, TxIn, TxOut, sha256d
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, wait_until

REGTEST_MAGIC = bytes.fromhex("fabfb5da")


def utxo_hashes(node):
    a = node.gettxoutsetinfo("hash_serialized_3")
    return (a["height"], a["bestblock"], a["txouts"], a["total_amount"],
            a["hash_serialized_3"], node.gettxoutsetinfo("muhash")["muhash"])


def read_records(path):
    """[(offset of the magic, block bytes)] of a blk?????.dat file."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos + 8 <= len(data) and data[pos:pos + 4] == REGTEST_MAGIC:
        size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        out.append((pos, data[pos + 8:pos + 8 + size]))
        pos += 8 + size
    return data, out


def log_has(node, text):
    with open(node.debug_log, errors="replace") as f:
        return text in f.read()


class ReindexTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def make_chain(self, node):
        key = TestKey(b"feature_reindex")
        node.generatetoaddress(110, key.address("p2wpkh"))
        # Some spends so the UTXO set is more than coinbases.
        for h in range(1, 11):
            cb = node.getblock(node.getblockhash(h), 2)["tx"][0]
            out = TxOut(int(cb["vout"][0]["value"] * COIN), key.script("p2wpkh"))
            tx = Tx()
            tx.vin = [TxIn(cb["txid"], 0)]
            tx.vout = [TxOut(out.value // 3, key.script("p2tr")),
                       TxOut(out.value // 3, key.script("p2pkh")),
                       TxOut(out.value - 2 * (out.value // 3) - 5000, key.script("p2wpkh"))]
            key.sign_input(tx, 0, "p2wpkh", [out])
            node.generateblock(key.address("p2tr"), [tx.hex()])
        node.generatetoaddress(30, key.address("p2pkh"))
        assert_equal(node.getblockcount(), 150)

    def run_test(self):
        node = self.nodes[0]
        self.make_chain(node)
        ref = utxo_hashes(node)
        tip = node.getbestblockhash()

        self.log("-reindex and -reindex-chainstate: same tip and hashes")
        for flag in ("-reindex", "-reindex-chainstate"):
            node.restart_node([flag])
            assert_equal(node.getbestblockhash(), tip)
            assert_equal(utxo_hashes(node), ref)
            assert_equal(node.verifychain(4, 0), True)
        node.restart_node()
        assert_equal(utxo_hashes(node), ref)
        node.stop_node()

        blk = os.path.join(node.netdir, "blocks", "blk00000.dat")
        data, recs = read_records(blk)
        assert_equal(len(recs), 151)  # genesis and 150 blocks, in order
        heights = {}
        for i, (_, raw) in enumerate(recs):
            heights[sha256d(raw[:80])[::-1].hex()] = i
        assert_equal(heights[tip], 150)
        work = os.path.join(self.tmpdir, "files")
        os.makedirs(work)
        copy = os.path.join(work, "copy.dat")
        shutil.copyfile(blk, copy)

        self.log("-loadblock of node0's blk00000.dat into an empty node")
        n1 = self.add_nodes(1, [[f"-loadblock={copy}"]])[0]
        n1.start()
        wait_until(lambda: n1.getblockcount() == 150, timeout=60, what="import")
        assert_equal(n1.getbestblockhash(), tip)
        assert_equal(utxo_hashes(n1), ref)
        assert_equal(n1.getblockchaininfo()["blocks"], 150)
        # A good file (with its preallocated zero tail) gives no warning.
        assert not log_has(n1, "[warning] Blocks file"), n1.log_tail()
        # The imported blocks were stored: they survive a restart without
        # the file.
        n1.stop_node()
        os.remove(copy)
        n1.extra_args = []
        n1.start()
        assert_equal(n1.getbestblockhash(), tip)
        assert_equal(utxo_hashes(n1), ref)
        n1.stop_node()

        self.log("corrupted and truncated copies at -loadblock are reported and skipped")
        # Corrupt block 60's merkle root: refused, and its successors have
        # no known parent in this file.
        corrupt = bytearray(data)
        off60 = recs[60][0]
        corrupt[off60 + 8 + 36] ^= 0xff
        # And a garbage size field in record 100.
        off100 = recs[100][0]
        corrupt[off100 + 4:off100 + 8] = struct.pack("<I", 0x7fffffff)
        cpath = os.path.join(work, "corrupt.dat")
        with open(cpath, "wb") as f:
            f.write(bytes(corrupt[:recs[-1][0] + 8 + len(recs[-1][1])]))
        # Cut in the middle of block 120.
        tpath = os.path.join(work, "truncated.dat")
        off120 = recs[120][0]
        with open(tpath, "wb") as f:
            f.write(data[:off120 + 8 + 40])
        missing = os.path.join(work, "nosuchfile.dat")
        n2 = self.add_nodes(1, [[f"-loadblock={cpath}", f"-loadblock={missing}",
                                 f"-loadblock={tpath}"]])[0]
        n2.start()
        wait_until(lambda: log_has(n2, tpath), timeout=60, what="truncated file import")
        wait_until(lambda: n2.getblockcount() == 119, timeout=60, what="import up to 119")
        assert_equal(n2.getbestblockhash(), node_hash_at(recs, 119))
        wait_until(lambda: log_has(n2, "truncated"), timeout=30, what="truncation report")
        assert log_has(n2, f"[warning] Blocks file {cpath}")
        assert log_has(n2, f"[warning] Blocks file {tpath}")
        assert log_has(n2, f"Could not read blocks file {missing}")
        assert n2.is_running()
        # The chain it has is consistent and matches node0's up to there.
        assert_equal(n2.verifychain(4, 0), True)
        h = utxo_hashes(n2)
        assert_equal(h[0], 119)
        # The good file afterwards completes the chain.
        n2.stop_node()
        n2.extra_args = []
        shutil.copyfile(blk, copy)
        n2.start([f"-loadblock={copy}"])
        wait_until(lambda: n2.getblockcount() == 150, timeout=60, what="import to 150")
        assert_equal(utxo_hashes(n2), ref)
        n2.stop_node()

        self.log("-reindex over a truncated blk file keeps the valid prefix")
        n3 = self.add_nodes(1)[0]
        shutil.rmtree(n3.datadir)
        shutil.copytree(node.datadir, n3.datadir, ignore=shutil.ignore_patterns("stdio"))
        with open(os.path.join(n3.netdir, "blocks", "blk00000.dat"), "r+b") as f:
            f.truncate(recs[90][0] + 8 + 100)
        n3.start(["-reindex"])
        wait_until(lambda: n3.getblockcount() == 89, timeout=60, what="reindex to 89")
        assert_equal(n3.getbestblockhash(), node_hash_at(recs, 89))
        assert_equal(n3.verifychain(4, 0), True)
        assert n3.is_running()
        # node0's own data is untouched: restart it and compare once more.
        node.start()
        assert_equal(utxo_hashes(node), ref)


def node_hash_at(recs, height):
    return sha256d(recs[height][1][:80])[::-1].hex()


if __name__ == "__main__":
    ReindexTest().main()
