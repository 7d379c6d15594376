#!/usr/bin/env python3
"""invalidateblock / reconsiderblock: reorganisations to a fork and back,
with gettxoutsetinfo hashes (hash_serialized_3 and muhash) equal to those
recorded when each chain was active; getchaintips statuses (active,
valid-fork, invalid, headers-only); preciousblock between two tips of
equal work; the state survives a restart; Core's errors for bad hashes."""
from test_framework.messages import COIN, TestKey, Tx, TxIn, TxOut, build_block
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error


def utxo(node):
    a = node.gettxoutsetinfo("hash_serialized_3")
    return (a["height"], a["bestblock"], a["txouts"], a["hash_serialized_3"],
            node.gettxoutsetinfo("muhash")["muhash"])


def tips(node):
    return {t["hash"]: (t["height"], t["branchlen"], t["status"]) for t in node.getchaintips()}


class InvalidateTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def spend_block(self, node, key, h, fee=3000):
        """A block spending the coinbase of height h (so the UTXO sets of
        the two branches differ by more than coinbases)."""
        cb = node.getblock(node.getblockhash(h), 2)["tx"][0]
        out = TxOut(int(cb["vout"][0]["value"] * COIN), key.script("p2wpkh"))
        tx = Tx()
        tx.vin = [TxIn(cb["txid"], 0)]
        tx.vout = [TxOut(out.value - fee, key.script("p2tr"))]
        key.sign_input(tx, 0, "p2wpkh", [out])
        return node.generateblock(key.address("p2pkh"), [tx.hex()])["hash"], tx

    def run_test(self):
        node = self.nodes[0]
        key = TestKey(b"feature_invalidate")
        node.generatetoaddress(100, key.address("p2wpkh"))
        base = node.getbestblockhash()
        at100 = utxo(node)

        self.log("chain A: 10 blocks with spends")
        a_hashes = []
        for i in range(10):
            if i % 3 == 0:
                h, _ = self.spend_block(node, key, 1 + i)
                a_hashes.append(h)
            else:
                a_hashes += node.generatetoaddress(1, key.address("p2tr"))
        tip_a = node.getbestblockhash()
        assert_equal(tip_a, a_hashes[-1])
        at_a = utxo(node)
        assert_equal(tips(node), {tip_a: (110, 0, "active")})

        self.log("invalidate A's first block: back to 100 with its hashes")
        node.invalidateblock(a_hashes[0])
        assert_equal(node.getbestblockhash(), base)
        assert_equal(utxo(node), at100)
        assert_equal(tips(node), {base: (100, 0, "active"), tip_a: (110, 10, "invalid")})
        assert_equal(node.getblockheader(a_hashes[5])["confirmations"], -1)
        assert_equal(node.getblock(tip_a)["confirmations"], -1)
        assert "nextblockhash" not in node.getblockheader(base)

        self.log("chain B: 12 blocks on 100, spending coins that A spent")
        b_hashes = []
        for i in range(12):
            if i % 4 == 0:
                # The same coins as A spends (a conflict between the
                # branches), by a different transaction.
                h, _ = self.spend_block(node, key, 1 + i, fee=5000)
                b_hashes.append(h)
            else:
                b_hashes += node.generatetoaddress(1, key.address("p2pkh"))
        tip_b = node.getbestblockhash()
        assert_equal(node.getblockcount(), 112)
        at_b = utxo(node)
        assert at_b[3] != at_a[3]
        assert_equal(tips(node), {tip_b: (112, 0, "active"), tip_a: (110, 10, "invalid")})

        self.log("reconsider A: valid again, but B has more work")
        node.reconsiderblock(a_hashes[0])
        assert_equal(node.getbestblockhash(), tip_b)
        assert_equal(tips(node), {tip_b: (112, 0, "active"), tip_a: (110, 10, "valid-fork")})
        assert_equal(utxo(node), at_b)

        self.log("invalidate B's first block: reorg to A, same hashes as before")
        node.invalidateblock(b_hashes[0])
        assert_equal(node.getbestblockhash(), tip_a)
        assert_equal(utxo(node), at_a)
        assert_equal(tips(node), {tip_a: (110, 0, "active"), tip_b: (112, 12, "invalid")})
        # Invalidating a block in the middle of B changes nothing more.
        node.invalidateblock(b_hashes[6])
        assert_equal(node.getbestblockhash(), tip_a)
        self.log("restart keeps the invalid marks and the active chain")
        node.restart_node()
        assert_equal(node.getbestblockhash(), tip_a)
        assert_equal(utxo(node), at_a)
        assert_equal(tips(node)[tip_b][2], "invalid")

        self.log("reconsider B (from a descendant): back to B")
        node.reconsiderblock(tip_b)
        assert_equal(node.getbestblockhash(), tip_b)
        assert_equal(utxo(node), at_b)
        assert_equal(tips(node), {tip_b: (112, 0, "active"), tip_a: (110, 10, "valid-fork")})
        assert_equal(node.verifychain(4, 0), True)

        self.log("preciousblock between two tips of equal work")
        node.invalidateblock(tip_b)
        assert_equal(node.getblockcount(), 111)
        c = build_block(node, script_out=key.script("p2tr"))
        assert_equal(node.submitblock(c.hex()), None)
        tip_c = c.hash()
        assert_equal(node.getbestblockhash(), tip_c)
        at_c = utxo(node)
        node.reconsiderblock(tip_b)
        # Equal work: the block received first (tip_b) wins, as in Core.
        assert_equal(node.getbestblockhash(), tip_b)
        t = tips(node)
        assert_equal(t[tip_b], (112, 0, "active"))
        assert_equal(t[tip_c], (112, 1, "valid-fork"))
        node.preciousblock(tip_c)
        assert_equal(node.getbestblockhash(), tip_c)
        assert_equal(utxo(node), at_c)
        assert_equal(tips(node)[tip_b], (112, 1, "valid-fork"))
        node.preciousblock(tip_b)
        assert_equal(node.getbestblockhash(), tip_b)
        assert_equal(utxo(node), at_b)
        # preciousblock of the tip, or of a block with less work: no change.
        node.preciousblock(tip_b)
        node.preciousblock(tip_a)
        assert_equal(node.getbestblockhash(), tip_b)

        self.log("a header without its block is headers-only")
        d = build_block(node)
        node.submitheader(d.header().hex())
        assert_equal(tips(node)[d.hash()], (113, 1, "headers-only"))
        assert_equal(node.getbestblockhash(), tip_b)
        assert_equal(node.submitblock(d.hex()), None)
        assert_equal(tips(node)[d.hash()], (113, 0, "active"))

        self.log("a longer fork through submitblock reorganises; a node given only that chain agrees")
        top = node.getblockcount()
        fork_base = node.getblockhash(top - 3)
        prev, fork = fork_base, []
        for i in range(5):
            h = top - 3 + 1 + i
            blk = build_block(node, prev=prev, height=h, script_out=key.script("p2pkh"),
                              time=node.getblockheader(prev)["time"] + 7)
            res = node.submitblock(blk.hex())
            # Less or equal work than the active chain (blocks at heights up
            # to the tip's): stored, not connected. The fourth has more.
            assert_equal(res, "inconclusive" if i < 3 else None)
            fork.append(blk)
            prev = blk.hash()
        assert_equal(node.getbestblockhash(), fork[-1].hash())
        assert_equal(node.getblockcount(), top + 2)
        old_tip = [t for t in node.getchaintips() if t["height"] == top and t["branchlen"] == 3]
        assert_equal(len(old_tip), 1)
        assert_equal(old_tip[0]["status"], "valid-fork")
        after = utxo(node)
        other = self.add_nodes(1)[0]
        other.start()
        for h in range(1, top - 3 + 1):
            assert_equal(other.submitblock(node.getblock(node.getblockhash(h), 0)), None)
        for blk in fork:
            assert_equal(other.submitblock(blk.hex()), None)
        assert_equal(utxo(other), after)
        other.stop_node()

        self.log("errors")
        for rpc in (node.invalidateblock, node.reconsiderblock, node.preciousblock):
            assert_raises_rpc_error(-5, "Block not found", rpc, "11" * 32)
            assert_raises_rpc_error(-8, "blockhash must be of length 64 (not 3, for 'abc')",
                                    rpc, "abc")
            assert_raises_rpc_error(-8, "blockhash must be hexadecimal string (not '" +
                                    "zz" * 32 + "')", rpc, "zz" * 32)
            assert_raises_rpc_error(-1, None, rpc)


if __name__ == "__main__":
    InvalidateTest().main()
