#!/usr/bin/env python3
"""Mine 200 blocks to P2PKH, P2WPKH and P2TR addresses of keys held by the
test, spend mature coinbases of each kind (signed here: legacy, BIP143 and
BIP341 signature hashes) in blocks made with generateblock, and check what
gettxout, getrawtransaction (with blockhash) and getblock 2/3 say about
them. A bad signature in a block is refused with Core's
"mandatory-script-verify-flag-failed (...)" and changes nothing."""
from decimal import Decimal

from test_framework.messages import COIN, TestKey, Tx, TxIn, TxOut, build_block, \
    decode_segwit_address, base58check_decode, hash160
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

KINDS = ("p2pkh", "p2wpkh", "p2tr")
FEE = 10_000


def btc(sats):
    return Decimal(sats) / COIN


class SpendTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.node = node
        self.keys = {k: TestKey(b"feature_spend " + k.encode()) for k in KINDS}
        self.dest = TestKey(b"feature_spend destination")
        self.check_addresses()
        self.mine()
        self.spend_each_kind()
        self.spend_mixed_and_chained()
        self.bad_signatures()

    def check_addresses(self):
        """Our encodings agree with blvmd's decoding (validateaddress)."""
        node = self.node
        for kind, key in self.keys.items():
            addr = key.address(kind)
            info = node.validateaddress(addr)
            assert_equal(info["isvalid"], True)
            assert_equal(info["address"], addr)
            assert_equal(info["scriptPubKey"], key.script(kind).hex())
            assert_equal(info["isscript"], kind == "p2tr", kind)
            assert_equal(info["iswitness"], kind != "p2pkh")
            if kind == "p2pkh":
                assert_equal(base58check_decode(addr), (111, hash160(key.pubkey)))
            else:
                ver, prog = decode_segwit_address("bcrt", addr)
                assert_equal(info["witness_version"], ver)
                assert_equal(info["witness_program"], prog.hex())
            # One changed character breaks the checksum.
            bad = addr[:-1] + ("q" if addr[-1] != "q" else "p")
            assert_equal(node.validateaddress(bad)["isvalid"], False)

    def mine(self):
        node = self.node
        self.log("mine 200 blocks to our P2PKH, P2WPKH and P2TR addresses")
        self.cb_heights = {}
        h = 1
        for kind in KINDS:
            hashes = node.generatetoaddress(30, self.keys[kind].address(kind))
            self.cb_heights[kind] = list(range(h, h + 30))
            h += 30
        node.generatetoaddress(110, self.dest.address("p2wpkh"))
        assert_equal(node.getblockcount(), 200)
        for kind in KINDS:
            cb = node.getblock(node.getblockhash(self.cb_heights[kind][0]), 2)["tx"][0]
            assert_equal(cb["vout"][0]["scriptPubKey"]["hex"], self.keys[kind].script(kind).hex())
            assert_equal(cb["vout"][0]["scriptPubKey"]["address"], self.keys[kind].address(kind))
        _ = hashes

    def coinbase_utxo(self, kind, i):
        """(txid, vout, TxOut) of the i-th coinbase paid to kind."""
        node = self.node
        blk = node.getblock(node.getblockhash(self.cb_heights[kind][i]), 2)
        cb = blk["tx"][0]
        value = int(cb["vout"][0]["value"] * COIN)
        return cb["txid"], 0, TxOut(value, bytes.fromhex(cb["vout"][0]["scriptPubKey"]["hex"]))

    def make_tx(self, inputs, outputs):
        """inputs: [(txid, n, TxOut, kind, TestKey)]; outputs: [TxOut]. Signed."""
        tx = Tx(version=2)
        tx.vin = [TxIn(t, n, b"", 0xfffffffd) for t, n, _, _, _ in inputs]
        tx.vout = outputs
        spent = [o for _, _, o, _, _ in inputs]
        for i, (_, _, _, kind, key) in enumerate(inputs):
            key.sign_input(tx, i, kind, spent)
        return tx

    def check_block(self, bhash, txs, spent_by_tx):
        """getblock 2 and 3, getrawtransaction with blockhash, gettxout."""
        node = self.node
        spent_later = {(i.txid, i.n) for t in txs for i in t.vin}
        tip = node.getblockcount()
        b2 = node.getblock(bhash, 2)
        b3 = node.getblock(bhash, 3)
        assert_equal([t["txid"] for t in b2["tx"][1:]], [t.txid() for t in txs])
        assert_equal(b2["nTx"], len(txs) + 1)
        assert "fee" not in b2["tx"][0]
        for j, tx in enumerate(txs):
            t2, t3 = b2["tx"][j + 1], b3["tx"][j + 1]
            spent = spent_by_tx[j]
            fee = sum(o.value for o in spent) - sum(o.value for o in tx.vout)
            assert_equal(t2["hash"], tx.wtxid())
            assert_equal(t2["hex"], tx.hex())
            assert_equal(t2["fee"], btc(fee))
            assert_equal(t3["fee"], btc(fee))
            assert_equal(t2["vsize"], tx.vsize())
            assert "prevout" not in t2["vin"][0]
            for k, vin in enumerate(t3["vin"]):
                assert_equal(vin["txid"], tx.vin[k].txid)
                assert_equal(vin["vout"], tx.vin[k].n)
                pv = vin["prevout"]
                assert_equal(pv["value"], btc(spent[k].value))
                assert_equal(pv["scriptPubKey"]["hex"], spent[k].script.hex())
                src = node.getrawtransaction(tx.vin[k].txid, 1, pv.get("height") and
                                             node.getblockhash(pv["height"]))
                assert_equal(pv["generated"], "coinbase" in src["vin"][0])
                if tx.vin[k].witness:
                    assert_equal(vin["txinwitness"], [w.hex() for w in tx.vin[k].witness])
                else:
                    assert "txinwitness" not in vin
                    assert_equal(vin["scriptSig"]["hex"], tx.vin[k].script_sig.hex())
                # The coin it spent is gone.
                assert_equal(node.gettxout(tx.vin[k].txid, tx.vin[k].n), None)
            # getrawtransaction with the block hash.
            assert_equal(node.getrawtransaction(tx.txid(), False, bhash), tx.hex())
            r = node.getrawtransaction(tx.txid(), True, bhash)
            assert_equal(r["in_active_chain"], True)
            assert_equal(r["blockhash"], bhash)
            assert_equal(r["confirmations"], tip - b2["height"] + 1)
            assert_equal(r["txid"], tx.txid())
            assert_equal(r["hex"], tx.hex())
            assert_equal(r["time"], b2["time"])
            assert_equal(r["blocktime"], b2["time"])
            r2 = node.getrawtransaction(tx.txid(), 2, bhash)
            assert_equal(r2["fee"], btc(fee))
            assert_equal(r2["vin"][0]["prevout"]["value"], btc(spent[0].value))
            # Its outputs are unspent coins.
            for n, o in enumerate(tx.vout):
                u = node.gettxout(tx.txid(), n)
                if (tx.txid(), n) in spent_later:
                    assert_equal(u, None)
                    continue
                assert_equal(u["bestblock"], node.getbestblockhash())
                assert_equal(u["confirmations"], tip - b2["height"] + 1)
                assert_equal(u["value"], btc(o.value))
                assert_equal(u["scriptPubKey"]["hex"], o.script.hex())
                assert_equal(u["coinbase"], False)

    def spend_each_kind(self):
        node = self.node
        self.log("spend a mature coinbase of each kind, one transaction each")
        txs, spent = [], []
        for kind in KINDS:
            t, n, o = self.coinbase_utxo(kind, 0)
            outs = [TxOut(o.value // 2, self.dest.script("p2tr")),
                    TxOut(o.value - o.value // 2 - FEE, self.dest.script("p2pkh"))]
            txs.append(self.make_tx([(t, n, o, kind, self.keys[kind])], outs))
            spent.append([o])
            u = node.gettxout(t, n)
            assert_equal(u["coinbase"], True)
            assert_equal(u["value"], btc(o.value))
        best = node.getbestblockhash()
        res = node.generateblock(self.dest.address("p2wpkh"), [t.hex() for t in txs])
        assert_equal(node.getbestblockhash(), res["hash"])
        assert_equal(node.getblockheader(res["hash"])["previousblockhash"], best)
        self.check_block(res["hash"], txs, spent)
        # Without blockhash and no -txindex: Core's message.
        assert_raises_rpc_error(
            -5, "No such mempool transaction. Use -txindex or provide a block hash",
            node.getrawtransaction, txs[0].txid())
        # In a block that does not hold it.
        assert_raises_rpc_error(-5, "No such transaction found in the provided block",
                                node.getrawtransaction, txs[0].txid(), False, best)
        self.first_txs = txs

    def spend_mixed_and_chained(self):
        node = self.node
        self.log("one transaction with all three kinds; a chain inside one block")
        ins = []
        for kind in KINDS:
            t, n, o = self.coinbase_utxo(kind, 1)
            ins.append((t, n, o, kind, self.keys[kind]))
        total = sum(i[2].value for i in ins)
        mixed = self.make_tx(ins, [TxOut(total - FEE, self.dest.script("p2wpkh"))])
        # Spend the non-coinbase outputs of the first block: P2TR and P2PKH
        # coins of dest, then a child of that spend in the same block.
        parent = self.first_txs[0]
        p_ins = [(parent.txid(), 0, parent.vout[0], "p2tr", self.dest),
                 (parent.txid(), 1, parent.vout[1], "p2pkh", self.dest)]
        ptotal = parent.vout[0].value + parent.vout[1].value
        spend2 = self.make_tx(p_ins, [TxOut(ptotal - FEE, self.dest.script("p2wpkh"))])
        child = self.make_tx([(spend2.txid(), 0, spend2.vout[0], "p2wpkh", self.dest)],
                             [TxOut(ptotal - 2 * FEE, self.dest.script("p2tr"))])
        txs = [mixed, spend2, child]
        res = node.generateblock("raw(51)", [t.hex() for t in txs])
        assert_equal(node.getbestblockhash(), res["hash"])
        self.check_block(res["hash"], txs, [[i[2] for i in ins], [p[2] for p in p_ins],
                                             [spend2.vout[0]]])
        # spend2's output was spent in the same block: no coin left.
        assert_equal(node.gettxout(spend2.txid(), 0), None)
        assert_equal(node.gettxout(child.txid(), 0)["value"], btc(ptotal - 2 * FEE))
        stats = node.getblockstats(res["hash"])
        assert_equal(stats["txs"], 4)
        assert_equal(stats["ins"], 6)
        assert_equal(stats["totalfee"], 3 * FEE)

    def bad_signatures(self):
        node = self.node
        self.log("a bad signature of each kind: refused, nothing changes")
        reasons = {
            "p2pkh": "Script evaluated without error but finished with a false/empty top stack element",
            "p2wpkh": "Script evaluated without error but finished with a false/empty top stack element",
            "p2tr": "Invalid Schnorr signature",
        }
        for kind in KINDS:
            best, count = node.getbestblockhash(), node.getblockcount()
            utxo_hash = node.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"]
            t, n, o = self.coinbase_utxo(kind, 2)
            tx = self.make_tx([(t, n, o, kind, self.keys[kind])],
                              [TxOut(o.value - FEE, self.dest.script(kind))])
            # Sign, then change the output: the signature no longer matches.
            tx.vout[0].value -= 1
            reason = f"mandatory-script-verify-flag-failed ({reasons[kind]})"
            assert_raises_rpc_error(-25, "TestBlockValidity failed: " + reason,
                                    node.generateblock, "raw(51)", [tx.hex()])
            assert_equal(node.getbestblockhash(), best)
            # The same block through submitblock gets the bare reason.
            blk = build_block(node, [tx])
            assert_equal(node.submitblock(blk.hex()), reason)
            assert_equal(node.getbestblockhash(), best)
            assert_equal(node.getblockcount(), count)
            assert_equal(node.gettxout(t, n)["value"], btc(o.value))
            assert_equal(node.gettxoutsetinfo("hash_serialized_3")["hash_serialized_3"], utxo_hash)
            tips = node.getchaintips()
            assert {"height": count + 1, "hash": blk.hash(), "branchlen": 1,
                    "status": "invalid"} in tips, tips
            # Signed correctly, the same coin is spendable.
            good = self.make_tx([(t, n, o, kind, self.keys[kind])],
                                [TxOut(o.value - FEE - 1, self.dest.script(kind))])
            res = node.generateblock("raw(51)", [good.hex()])
            assert_equal(node.getbestblockhash(), res["hash"])
            assert_equal(node.gettxout(t, n), None)


if __name__ == "__main__":
    SpendTest().main()
