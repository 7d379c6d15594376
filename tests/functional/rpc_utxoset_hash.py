#!/usr/bin/env python3
"""gettxoutsetinfo's hash_serialized_3 and muhash, recomputed here in Python
from the blocks themselves (getblock verbosity 2) the way Bitcoin Core's
kernel/coinstats.cpp defines them: every unspent output serialized as
outpoint || LE32(height * 2 + coinbase) || amount || script, hashed in
(txid, vout) order with double SHA-256, or inserted into MuHash3072. The
Python side shares no code with blvm, so agreement means blvmd commits to
the UTXO set exactly as Core would for the same chain. Checked after
mining, after spends in blocks, after a reorg and after a restart."""
import hashlib
import struct
from decimal import Decimal

from test_framework.messages import COIN, OP_TRUE, Tx, TxIn, TxOut, ser_compact
from test_framework.muhash import MuHash3072
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal

OP_TRUE_DESC = "raw(51)#8lvh9jxk"


def sats(v):
    return int(Decimal(str(v)) * COIN)


class UtxoSetHashTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def utxo_set_from_blocks(self, node):
        """{(txid hex, n): (height, coinbase, value, script)} from the chain."""
        utxos = {}
        for h in range(1, node.getblockcount() + 1):
            block = node.getblock(node.getblockhash(h), 2)
            for i, tx in enumerate(block["tx"]):
                if i > 0:
                    for vin in tx["vin"]:
                        del utxos[(vin["txid"], vin["vout"])]
                for out in tx["vout"]:
                    spk = bytes.fromhex(out["scriptPubKey"]["hex"])
                    if spk[:1] == b"\x6a" or len(spk) > 10000:
                        continue  # unspendable: never in the UTXO set
                    utxos[(tx["txid"], out["n"])] = (h, i == 0, sats(out["value"]), spk)
        return utxos

    def expected_hashes(self, utxos):
        sha = hashlib.sha256()
        mu = MuHash3072()
        # Core's order: txid as stored (internal byte order), then vout.
        for (txid, n) in sorted(utxos, key=lambda k: (bytes.fromhex(k[0])[::-1], k[1])):
            height, coinbase, value, spk = utxos[(txid, n)]
            data = (bytes.fromhex(txid)[::-1] + struct.pack("<I", n) +
                    struct.pack("<I", height * 2 + int(coinbase)) +
                    struct.pack("<q", value) + ser_compact(len(spk)) + spk)
            sha.update(data)
            mu.insert(data)
        serialized = hashlib.sha256(sha.digest()).digest()[::-1].hex()
        return serialized, mu.digest()[::-1].hex()

    def check(self, node, what):
        utxos = self.utxo_set_from_blocks(node)
        want_serialized, want_muhash = self.expected_hashes(utxos)
        got = node.gettxoutsetinfo()
        got_mu = node.gettxoutsetinfo("muhash")
        self.log(f"{what}: {len(utxos)} outputs, hash_serialized_3 {want_serialized[:16]}...")
        assert_equal(got["hash_serialized_3"], want_serialized)
        assert_equal(got_mu["muhash"], want_muhash)
        assert_equal(got["txouts"], len(utxos))
        assert_equal(got["transactions"], len({k[0] for k in utxos}))
        assert_equal(sats(got["total_amount"]), sum(u[2] for u in utxos.values()))
        assert_equal(got["bogosize"], sum(50 + len(u[3]) for u in utxos.values()))
        assert_equal(got["height"], node.getblockcount())
        assert_equal(got["bestblock"], node.getbestblockhash())
        none = node.gettxoutsetinfo("none")
        assert "hash_serialized_3" not in none and "muhash" not in none
        return want_serialized, want_muhash

    def spend(self, node, outpoints, n_outputs):
        """A transaction spending OP_TRUE outputs into n_outputs new ones
        (one of them a second OP_TRUE, one a P2WPKH-looking script)."""
        tx = Tx()
        total = 0
        for txid, n, value in outpoints:
            tx.vin.append(TxIn(txid, n, b"", 0xffffffff))
            total += value
        share = (total - 10_000) // n_outputs
        for k in range(n_outputs):
            spk = OP_TRUE if k % 2 == 0 else bytes.fromhex("0014") + bytes([k]) * 20
            tx.vout.append(TxOut(share, spk))
        return tx

    def run_test(self):
        node = self.nodes[0]
        self.log("empty set: the hashes of nothing")
        self.check(node, "genesis only")

        self.log("coinbases to OP_TRUE (with witness commitments, which are unspendable)")
        node.generatetodescriptor(120, OP_TRUE_DESC)
        self.check(node, "120 blocks")

        self.log("spends in blocks: outputs leave the set, new ones (several per txid) enter")
        coinbases = []
        for h in range(1, 11):
            cb = node.getblock(node.getblockhash(h), 2)["tx"][0]
            coinbases.append((cb["txid"], 0, sats(cb["vout"][0]["value"])))
        tx1 = self.spend(node, coinbases[:3], 5)
        tx2 = self.spend(node, [(tx1.txid(), 0, tx1.vout[0].value)] + coinbases[3:5], 3)
        node.generateblock(OP_TRUE_DESC, [tx1.hex(), tx2.hex()])
        serialized, muhash = self.check(node, "after spends")

        self.log("a reorg: invalidate the spending block, the set goes back")
        tip = node.getbestblockhash()
        node.invalidateblock(tip)
        self.check(node, "after invalidateblock")
        node.reconsiderblock(tip)
        assert_equal(self.check(node, "after reconsiderblock"), (serialized, muhash))

        self.log("the same hashes after a restart")
        node.restart_node()
        assert_equal(self.check(node, "after restart"), (serialized, muhash))


if __name__ == "__main__":
    UtxoSetHashTest().main()
