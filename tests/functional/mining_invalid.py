#!/usr/bin/env python3
"""submitblock of invalid blocks, each refused with Bitcoin Core 29's reject
reason and no change to the chain or the UTXO set: bad merkle root,
duplicated transactions, bad coinbase amount, double spends, spends of
missing and immature coins, bad proof of work, wrong nBits, timestamps too
old and too far ahead, a bad witness commitment. Blocks that failed in
ConnectBlock are remembered (duplicate-invalid, bad-prevblk for children);
header failures and mutated blocks are not."""
import time

from test_framework.messages import COIN, OP_TRUE, Tx, TxIn, TxOut, build_block, create_coinbase
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal


class MiningInvalidTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def state(self):
        n = self.node
        return (n.getbestblockhash(), n.getblockcount(),
                n.gettxoutsetinfo("muhash")["muhash"])

    def spend(self, txid, value, n=0, fee=1000, script=OP_TRUE):
        tx = Tx()
        tx.vin = [TxIn(txid, n, b"", 0xffffffff)]
        tx.vout = [TxOut(value - fee, script)]
        return tx

    def cb(self, height):
        b = self.node.getblock(self.node.getblockhash(height), 2)
        return b["tx"][0]["txid"], int(b["tx"][0]["vout"][0]["value"] * COIN)

    def expect(self, block, reason, remembered):
        """submitblock gives reason, nothing changes; a second submission
        gives duplicate-invalid when the block was marked invalid."""
        before = self.state()
        assert_equal(self.node.submitblock(block.hex()), reason)
        assert_equal(self.state(), before)
        again = self.node.submitblock(block.hex())
        assert_equal(again, "duplicate-invalid" if remembered else reason)
        assert_equal(self.state(), before)
        tips = {t["hash"]: t["status"] for t in self.node.getchaintips()}
        if remembered:
            assert_equal(tips.get(block.hash()), "invalid")
            # A child of an invalid block is refused at its header.
            child = build_block(self.node, prev=block.hash(), height=block_height(self, block) + 1)
            assert_equal(self.node.submitblock(child.hex()), "bad-prevblk")
            assert_equal(self.state(), before)
        else:
            assert block.hash() not in tips or tips[block.hash()] == "headers-only", tips

    def run_test(self):
        node = self.node = self.nodes[0]
        node.generatetodescriptor(110, "raw(51)")
        self.log("bad merkle root, duplicated transaction (CVE-2012-2459)")
        b = build_block(node)
        b.merkle = b"\x11" * 32
        b.solve()
        self.expect(b, "bad-txnmrklroot", False)
        t1 = self.spend(*self.cb(1))
        t4 = self.spend(*self.cb(4))
        # [cb, t1, t4, t4] has the merkle root of [cb, t1, t4]: the
        # duplicated pair makes it a mutated block (CVE-2012-2459).
        b = build_block(node, [t1, t4, t4], fees=3000)
        self.expect(b, "bad-txns-duplicate", False)

        self.log("coinbase paying too much")
        b = build_block(node, value=50 * COIN + 1)
        self.expect(b, "bad-cb-amount", True)
        b = build_block(node, [t1], fees=1000 + 1)
        self.expect(b, "bad-cb-amount", True)

        self.log("double spends, missing and immature coins, outputs above inputs")
        t1b = self.spend(*self.cb(1), fee=2000)
        b = build_block(node, [t1, t1b], fees=3000)
        self.expect(b, "bad-txns-inputs-missingorspent", True)
        b = build_block(node, [self.spend("22" * 32, COIN)])
        self.expect(b, "bad-txns-inputs-missingorspent", True)
        b = build_block(node, [self.spend(*self.cb(1), n=1)])  # no output 1
        self.expect(b, "bad-txns-inputs-missingorspent", True)
        b = build_block(node, [self.spend(*self.cb(node.getblockcount() - 50))])
        self.expect(b, "bad-txns-premature-spend-of-coinbase", True)
        b = build_block(node, [self.spend(*self.cb(2), fee=-1)])
        self.expect(b, "bad-txns-in-belowout", True)
        # A coin spent in an earlier block.
        good = build_block(node, [t1], fees=1000)
        assert_equal(node.submitblock(good.hex()), None)
        assert_equal(node.getbestblockhash(), good.hash())
        b = build_block(node, [t1b], fees=2000)
        self.expect(b, "bad-txns-inputs-missingorspent", True)

        self.log("proof of work, nBits, timestamps")
        b = build_block(node)
        while int(b.hash(), 16) <= b.target():
            b.nonce += 1
        self.expect(b, "high-hash", False)
        b = build_block(node)
        b.bits = 0x207ffffe  # harder than required: still not the required bits
        b.solve()
        self.expect(b, "bad-diffbits", False)
        mtp = node.getblockheader(node.getbestblockhash())["mediantime"]
        b = build_block(node, time=mtp)
        self.expect(b, "time-too-old", False)
        b = build_block(node, time=int(time.time()) + 2 * 3600 + 600)
        self.expect(b, "time-too-new", False)
        ok = build_block(node, time=mtp + 1)
        assert_equal(node.submitblock(ok.hex()), None)

        self.log("witness commitment")
        wtx = self.spend(*self.cb(3))
        wtx.vin[0].witness = [b"\x01"]  # witness on a non-witness spend
        b = build_block(node, [wtx], fees=1000)
        self.expect(b, "mandatory-script-verify-flag-failed (Witness provided for non-witness script)",
                    True)
        # Witness data in a block without a commitment.
        b = build_block(node, [wtx], fees=1000)
        b.txs[0].vout = b.txs[0].vout[:1]
        b.txs[0].vin[0].witness = []
        b.update_merkle()
        b.solve()
        self.expect(b, "unexpected-witness", False)
        b = build_block(node)
        b.txs[0].vout[1].script = b.txs[0].vout[1].script[:-1] + b"\x00"
        b.update_merkle()
        b.solve()
        self.expect(b, "bad-witness-merkle-match", False)
        b = build_block(node)
        b.txs[0].vin[0].witness = [b"\x00" * 31]
        b.update_merkle()
        b.solve()
        self.expect(b, "bad-witness-nonce-size", False)

        self.log("coinbase with the wrong BIP34 height; a second coinbase")
        b = build_block(node)
        b.txs[0] = create_coinbase(node.getblockcount() + 2, OP_TRUE, 50 * COIN // 2 ** 0)
        b.txs[0].vout = b.txs[0].vout[:1]
        b.txs[0].vin[0].witness = []
        b.update_merkle()
        b.solve()
        self.expect(b, "bad-cb-height", True)
        b = build_block(node)
        b.txs.append(create_coinbase(node.getblockcount() + 1, OP_TRUE, 1, False))
        b.update_merkle()
        b.solve()
        self.expect(b, "bad-cb-multiple", False)

        self.log("unknown parent; a valid block with less work")
        before = self.state()
        b = build_block(node)
        b.prev = "11" * 32
        b.update_merkle()
        b.solve()
        assert_equal(node.submitblock(b.hex()), "prev-blk-not-found")
        assert_equal(self.state(), before)
        tip_h = node.getblockcount()
        fork = build_block(node, prev=node.getblockhash(tip_h - 1), script_out=b"\x52")
        # Stored but not connected: Core's BIP22 "inconclusive".
        assert_equal(node.submitblock(fork.hex()), "inconclusive")
        assert_equal(node.submitblock(fork.hex()), "duplicate")
        assert_equal(self.state(), before)
        tips = {t["hash"]: t for t in node.getchaintips()}
        assert_equal(tips[fork.hash()]["status"], "valid-headers")
        assert_equal(tips[fork.hash()]["branchlen"], 1)

        self.log("the chain still extends normally")
        final = build_block(node)
        assert_equal(node.submitblock(final.hex()), None)
        assert_equal(node.getbestblockhash(), final.hash())
        for t in node.getchaintips():
            assert t["status"] in ("active", "invalid", "headers-only", "valid-headers"), t


def block_height(test, block):
    return test.node.getblockheader(block.prev)["height"] + 1


if __name__ == "__main__":
    MiningInvalidTest().main()
