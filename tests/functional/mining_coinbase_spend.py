#!/usr/bin/env python3
"""Mining to keys and spending the coinbases with real signatures: 200
regtest blocks, coinbases paid to P2PKH, P2WPKH and P2TR (key path)
addresses of keys held here, spent once they are mature in a block made by
generateblock, and those outputs spent again together (one transaction with
a P2PKH, a P2WPKH and a P2TR input) in a block built from getblocktemplate
and sent with submitblock. Bad signatures are refused with Core's script
errors and change nothing."""
from test_framework.messages import COIN, OP_TRUE, TestKey, Tx, TxIn, TxOut, block_from_template
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error

GBT = {"rules": ["segwit"]}
FEE = 10_000
KINDS = ("p2pkh", "p2wpkh", "p2tr")


class Wallet(TestKey):
    """One key and its three output types."""

    def __init__(self, secret):
        super().__init__(secret)
        self.p2pkh, self.p2wpkh, self.p2tr = (self.script(k) for k in KINDS)

    def sign(self, tx, i, spent):
        """Fills input i of tx; spent: a TxOut per input. SIGHASH_ALL for
        ECDSA, SIGHASH_DEFAULT (a bare 64-byte signature, BIP341) for P2TR."""
        ours = [self.p2pkh, self.p2wpkh, self.p2tr]
        assert spent[i].script in ours, "not our script"
        self.sign_input(tx, i, KINDS[ours.index(spent[i].script)], spent)


class MiningCoinbaseSpendTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        w = Wallet(0x1234567890abcdef)
        dest = Wallet(0xfedcba0987654321)

        self.log("addresses of our keys, as the node shows them")
        addrs = {}
        for kind, spk, prefix in (("p2pkh", w.p2pkh, ("m", "n")), ("p2wpkh", w.p2wpkh, ("bcrt1q",)),
                                  ("p2tr", w.p2tr, ("bcrt1p",))):
            info = node.decodescript(spk.hex())
            addrs[kind] = info["address"]
            assert addrs[kind].startswith(prefix), addrs[kind]
            assert_equal(node.validateaddress(addrs[kind])["scriptPubKey"], spk.hex())

        self.log("mine 200 blocks: coinbases to P2PKH, P2WPKH, P2TR, then to raw(51)")
        h1 = node.generatetoaddress(1, addrs["p2pkh"])[0]
        h2 = node.generatetoaddress(1, addrs["p2wpkh"])[0]
        h3 = node.generatetoaddress(1, addrs["p2tr"])[0]
        node.generatetodescriptor(197, "raw(" + OP_TRUE.hex() + ")")
        assert_equal(node.getblockcount(), 200)
        coinbases = []
        for h, spk in ((h1, w.p2pkh), (h2, w.p2wpkh), (h3, w.p2tr)):
            cb = node.getblock(h, 2)["tx"][0]
            assert_equal(cb["vout"][0]["scriptPubKey"]["hex"], spk.hex())
            coinbases.append((cb["txid"], int(round(cb["vout"][0]["value"] * COIN)), spk))

        self.log("spend the three coinbases in a block made by generateblock")
        spends = []
        for txid, value, spk in coinbases:
            tx = Tx()
            tx.vin = [TxIn(txid, 0, b"", 0xfffffffd)]
            tx.vout = [TxOut(value - FEE, {w.p2pkh: dest.p2pkh, w.p2wpkh: dest.p2wpkh,
                                           w.p2tr: dest.p2tr}[spk])]
            w.sign(tx, 0, [TxOut(value, spk)])
            spends.append(tx)

        # A bad signature of each kind: Core's script errors, nothing changes.
        best = node.getbestblockhash()
        for tx, want in ((spends[0], "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)"),
                         (spends[1], "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)"),
                         (spends[2], "mandatory-script-verify-flag-failed (Invalid Schnorr signature)")):
            bad = Tx.from_hex(tx.hex())
            if bad.vin[0].witness:
                sig = bytearray(bad.vin[0].witness[0])
                sig[10] ^= 1  # inside r (DER) / R (Schnorr)
                bad.vin[0].witness[0] = bytes(sig)
            else:
                ss = bytearray(bad.vin[0].script_sig)
                ss[10] ^= 1
                bad.vin[0].script_sig = bytes(ss)
            assert_raises_rpc_error(-25, "TestBlockValidity failed: " + want, node.generateblock,
                                    "raw(51)", [bad.hex()])
            # The same through submitblock: rejected with the reason, no state change.
            t = node.getblocktemplate(GBT)
            blk = block_from_template(t, extra_txs=[bad])
            assert_equal(node.submitblock(blk.hex()), want)
            assert_equal(node.getbestblockhash(), best)

        res = node.generateblock("raw(51)", [t.hex() for t in spends])
        assert_equal(node.getbestblockhash(), res["hash"])
        blk = node.getblock(res["hash"], 2)
        assert_equal([t["txid"] for t in blk["tx"][1:]], [t.txid() for t in spends])
        for txid, _, _ in coinbases:
            assert_equal(node.gettxout(txid, 0), None)

        self.log("spend all three outputs in one transaction, in a block from getblocktemplate")
        spent = [t.vout[0] for t in spends]
        tx = Tx()
        tx.vin = [TxIn(t.txid(), 0, b"", 0xffffffff) for t in spends]
        total = sum(o.value for o in spent)
        tx.vout = [TxOut(total - FEE, w.p2tr), TxOut(0, bytes.fromhex("6a0474657374"))]
        for i in range(3):
            dest.sign(tx, i, spent)
        t = node.getblocktemplate(GBT)
        block = block_from_template(t, script=w.p2wpkh, extra_txs=[tx], fees=FEE)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": block.hex()}), None)
        assert_equal(node.submitblock(block.hex()), None)
        assert_equal(node.getbestblockhash(), block.hash())
        out = node.gettxout(tx.txid(), 0)
        assert_equal(out["scriptPubKey"]["hex"], w.p2tr.hex())
        assert_equal(int(round(out["value"] * COIN)), total - FEE)
        # The coinbase claimed the fee: subsidy 25 BTC (after the halving at
        # 150) plus FEE.
        cb = node.getblock(block.hash(), 2)["tx"][0]
        assert_equal(int(round(cb["vout"][0]["value"] * COIN)), 25 * COIN + FEE)
        # Claiming one satoshi more is bad-cb-amount.
        t = node.getblocktemplate(GBT)
        tx2 = Tx()
        tx2.vin = [TxIn(tx.txid(), 0, b"", 0xffffffff)]
        tx2.vout = [TxOut(total - 2 * FEE, w.p2wpkh)]
        w.sign(tx2, 0, [TxOut(total - FEE, w.p2tr)])
        greedy = block_from_template(t, extra_txs=[tx2], fees=FEE + 1)
        best = node.getbestblockhash()
        assert_equal(node.submitblock(greedy.hex()), "bad-cb-amount")
        assert_equal(node.getbestblockhash(), best)
        fair = block_from_template(t, extra_txs=[tx2], fees=FEE)
        assert_equal(node.submitblock(fair.hex()), None)
        assert_equal(node.getbestblockhash(), fair.hash())
        assert_in("bestblock", node.gettxout(tx2.txid(), 0))

        self.log("the chain with its spends survives a restart")
        count, best = node.getblockcount(), node.getbestblockhash()
        node.stop_node()
        node.start()
        assert_equal(node.getblockcount(), count)
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.gettxout(tx.txid(), 0), None)
        assert_equal(int(round(node.gettxout(tx2.txid(), 0)["value"] * COIN)), total - 2 * FEE)


if __name__ == "__main__":
    MiningCoinbaseSpendTest().main()
