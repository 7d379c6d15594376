#!/usr/bin/env python3
"""Mining to keys and spending the coinbases with real signatures: 200
regtest blocks, coinbases paid to P2PKH, P2WPKH and P2TR (key path)
addresses of keys held here, spent once they are mature in a block made by
generateblock, and those outputs spent again together (one transaction with
a P2PKH, a P2WPKH and a P2TR input) in a block built from getblocktemplate
and sent with submitblock. Bad signatures are refused with Core's script
errors and change nothing."""
from test_framework.blocktools import COIN, OP_TRUE, Tx, block_from_template
from test_framework.key import (Key, hash160, schnorr_sign, sighash_bip143, sighash_legacy,
                                sighash_taproot, taproot_tweak)
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error

GBT = {"rules": ["segwit"]}
FEE = 10_000


class Wallet:
    """One key and its three output types."""

    def __init__(self, secret):
        self.key = Key(secret)
        h = hash160(self.key.pubkey())
        self.p2pkh = bytes.fromhex("76a914") + h + bytes.fromhex("88ac")
        self.p2wpkh = bytes.fromhex("0014") + h
        xq, self.tr_secret = taproot_tweak(self.key)
        self.p2tr = bytes.fromhex("5120") + xq

    def sign_input(self, tx, i, spent):
        """Fills input i of tx; spent: [(amount, scriptPubKey)] of every input."""
        amount, spk = spent[i]
        txid, n, _, seq = tx.vin[i]
        while len(tx.wit) < len(tx.vin):
            tx.wit.append([])
        if spk == self.p2pkh:
            sig = self.key.sign_ecdsa(sighash_legacy(tx, i, spk)) + b"\x01"
            pub = self.key.pubkey()
            tx.vin[i] = (txid, n, bytes([len(sig)]) + sig + bytes([len(pub)]) + pub, seq)
        elif spk == self.p2wpkh:
            code = bytes.fromhex("76a914") + spk[2:] + bytes.fromhex("88ac")
            sig = self.key.sign_ecdsa(sighash_bip143(tx, i, code, amount)) + b"\x01"
            tx.wit[i] = [sig, self.key.pubkey()]
        elif spk == self.p2tr:
            # SIGHASH_DEFAULT: a bare 64-byte signature (BIP341).
            tx.wit[i] = [schnorr_sign(self.tr_secret, sighash_taproot(tx, i, spent))]
        else:
            raise AssertionError("not our script")


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
        node.generatetodescriptor(197, "raw(" + OP_TRUE + ")")
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
            tx.vin = [(txid, 0, b"", 0xfffffffd)]
            tx.vout = [(value - FEE, {w.p2pkh: dest.p2pkh, w.p2wpkh: dest.p2wpkh,
                                      w.p2tr: dest.p2tr}[spk])]
            w.sign_input(tx, 0, [(value, spk)])
            spends.append(tx)

        # A bad signature of each kind: Core's script errors, nothing changes.
        best = node.getbestblockhash()
        for tx, want in ((spends[0], "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)"),
                         (spends[1], "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)"),
                         (spends[2], "mandatory-script-verify-flag-failed (Invalid Schnorr signature)")):
            bad = Tx(tx.version, tx.locktime)
            bad.vin, bad.vout = list(tx.vin), list(tx.vout)
            bad.wit = [list(x) for x in tx.wit]
            if tx.wit and tx.wit[0]:
                sig = bytearray(bad.wit[0][0])
                sig[10] ^= 1  # inside r (DER) / R (Schnorr)
                bad.wit[0][0] = bytes(sig)
            else:
                txid, n, ss, seq = bad.vin[0]
                ss = bytearray(ss)
                ss[10] ^= 1
                bad.vin[0] = (txid, n, bytes(ss), seq)
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
        spent = [(t.vout[0][0], t.vout[0][1]) for t in spends]
        tx = Tx()
        tx.vin = [(t.txid(), 0, b"", 0xffffffff) for t in spends]
        total = sum(v for v, _ in spent)
        tx.vout = [(total - FEE, w.p2tr), (0, bytes.fromhex("6a0474657374"))]
        for i in range(3):
            dest.sign_input(tx, i, spent)
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
        tx2.vin = [(tx.txid(), 0, b"", 0xffffffff)]
        tx2.vout = [(total - 2 * FEE, w.p2wpkh)]
        w.sign_input(tx2, 0, [(total - FEE, w.p2tr)])
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
