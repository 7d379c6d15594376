#!/usr/bin/env python3
"""Regtest mining RPCs against Bitcoin Core 29's behaviour: generatetoaddress
(P2PKH, P2WPKH, P2TR), generatetodescriptor, generateblock with and without
submit, getmininginfo, getblocktemplate (fields, BIP9 version bits, proposal
mode), submitblock of blocks built here from a template (accepted,
duplicate, missing witness reserved value added, bad coinbase amount with no
state change), submitheader, and Core's errors for bad input."""
import hashlib
import threading
import time

from test_framework.messages import (COIN, OP_TRUE, Block, Tx, TxIn, TxOut, block_from_template,
                                     push_int, sha256d)
from test_framework.authproxy import AuthServiceProxy
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_in, assert_raises_rpc_error

# Regtest addresses and their scripts (Core's key_io_valid.json).
P2PKH = ("mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc",
         "76a91401f15a4cc063dae4f4d56b89bfbc8bcc9ae5387c88ac")
P2WPKH = ("bcrt1q65nhlm4hf2ptg3t264al57p7wjxj2c3s6kyt83",
          "0014d5277feeb74a82b4456ad57bfa783e748d256230")
P2TR = ("bcrt1p39a4s4vdcw9kqa8w2t0rp7aj8kfxyw7mce5sk5d70x6wnnmpvt7skf2kxy",
        "5120897b58558dc38b6074ee52de30fbb23d92623bdbc6690b51be79b4e9cf6162fd")
GBT = {"rules": ["segwit"]}


class MiningBasicTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.node = node
        assert_equal(node.getblockcount(), 0)
        info = node.getmininginfo()
        # Before any block was assembled Core leaves these out.
        assert "currentblockweight" not in info and "currentblocktx" not in info
        self.mine_200()
        self.test_getmininginfo()
        self.test_getblocktemplate()
        self.test_submitblock()
        self.test_bad_blocks()
        self.test_generateblock()
        self.test_generate_errors()
        self.test_submitheader()
        self.test_longpoll()
        self.test_testdummy_active()
        self.test_restart()

    def coinbase(self, height):
        blk = self.node.getblock(self.node.getblockhash(height), 2)
        return blk["tx"][0]

    def mine_200(self):
        node = self.node
        self.log("mine 200 blocks: raw(51), P2PKH, P2WPKH, P2TR")
        hashes = node.generatetodescriptor(50, "raw(51)")
        hashes += node.generatetoaddress(50, P2PKH[0])
        hashes += node.generatetoaddress(50, P2WPKH[0])
        hashes += node.generatetodescriptor(25, "addr(" + P2TR[0] + ")")
        hashes += node.generatetoaddress(25, P2TR[0], 1000000)
        assert_equal(len(hashes), 200)
        assert_equal(node.getblockcount(), 200)
        assert_equal(node.getbestblockhash(), hashes[-1])
        for h in (1, 50, 51, 100, 101, 150, 151, 175, 176, 200):
            assert_equal(node.getblockhash(h), hashes[h - 1])
        for h, spk in ((1, OP_TRUE.hex()), (51, P2PKH[1]), (150, P2WPKH[1]), (151, P2TR[1]),
                       (200, P2TR[1])):
            cb = self.coinbase(h)
            # BIP34 height push then OP_0, as Core 29's coinbase.
            assert_equal(cb["vin"][0]["coinbase"], (push_int(h) + b"\x00").hex())
            assert_equal(cb["vin"][0]["sequence"], 0xffffffff)
            assert_equal(cb["vin"][0]["txinwitness"], ["00" * 32])
            assert_equal(cb["vout"][0]["scriptPubKey"]["hex"], spk)
            # Regtest halves every 150 blocks.
            assert_equal(cb["vout"][0]["value"], 50 if h < 150 else 25)
            assert_equal(cb["vout"][1]["value"], 0)
            assert cb["vout"][1]["scriptPubKey"]["hex"].startswith("6a24aa21a9ed")
            assert_equal(cb["version"], 2)
            assert_equal(cb["locktime"], 0)
        # BIP9 testdummy on regtest: signalled from block 144 (Core's
        # ComputeBlockVersion), not before.
        assert_equal(node.getblockheader(hashes[142])["versionHex"], "20000000")
        assert_equal(node.getblockheader(hashes[143])["versionHex"], "30000000")
        assert_equal(node.getblockheader(hashes[199])["versionHex"], "30000000")
        # Times increase past the median time past.
        for h in (2, 100, 200):
            hdr = node.getblockheader(node.getblockhash(h))
            prev = node.getblockheader(hdr["previousblockhash"])
            assert_greater_than(hdr["time"], prev["mediantime"])

    def test_getmininginfo(self):
        self.log("getmininginfo")
        info = self.node.getmininginfo()
        assert_equal(info["blocks"], 200)
        assert_equal(info["currentblockweight"], 8000)  # Core 29's reserved weight
        assert_equal(info["currentblocktx"], 0)
        assert_equal(info["bits"], "207fffff")
        assert_equal(info["target"], "7fffff" + "00" * 29)
        assert 4.6e-10 < info["difficulty"] < 4.7e-10
        assert_greater_than(info["networkhashps"], 0)
        assert_equal(info["pooledtx"], 0)
        assert_equal(info["chain"], "regtest")
        assert_equal(info["next"]["height"], 201)
        assert_equal(info["next"]["bits"], "207fffff")
        assert_equal(info["warnings"], [])
        assert_equal(list(info.keys()),
                     ["blocks", "currentblockweight", "currentblocktx", "bits", "difficulty",
                      "target", "networkhashps", "pooledtx", "chain", "next", "warnings"])
        assert_greater_than(self.node.getnetworkhashps(), 0)
        assert_equal(self.node.getnetworkhashps(120, 0), 0)
        assert_raises_rpc_error(-8, "Invalid nblocks. Must be a positive number or -1.",
                                self.node.getnetworkhashps, 0)
        assert_raises_rpc_error(-8, "Block does not exist at specified height",
                                self.node.getnetworkhashps, 100, 201)

    def test_getblocktemplate(self):
        node = self.node
        self.log("getblocktemplate")
        best = node.getbestblockhash()
        t = node.getblocktemplate(GBT)
        assert_equal(list(t.keys()),
                     ["capabilities", "version", "rules", "vbavailable", "vbrequired",
                      "previousblockhash", "transactions", "coinbaseaux", "coinbasevalue",
                      "longpollid", "target", "mintime", "mutable", "noncerange", "sigoplimit",
                      "sizelimit", "weightlimit", "curtime", "bits", "height",
                      "default_witness_commitment"])
        assert_equal(t["capabilities"], ["proposal"])
        # Core's mining_basic: at height 201 testdummy is STARTED.
        assert_equal(t["version"], 0x20000000 + (1 << 28))
        assert_equal(t["rules"], ["csv", "!segwit", "taproot"])
        assert_equal(t["vbavailable"], {"testdummy": 28})
        assert_equal(t["vbrequired"], 0)
        assert_equal(t["previousblockhash"], best)
        assert_equal(t["transactions"], [])
        assert_equal(t["coinbaseaux"], {})
        assert_equal(t["coinbasevalue"], 25 * COIN)
        assert t["longpollid"].startswith(best)
        assert_equal(t["target"], "7fffff" + "00" * 29)
        mtp = node.getblockheader(best)["mediantime"]
        assert_equal(t["mintime"], mtp + 1)
        assert_equal(t["mutable"], ["time", "transactions", "prevblock"])
        assert_equal(t["noncerange"], "00000000ffffffff")
        assert_equal(t["sigoplimit"], 80000)
        assert_equal(t["sizelimit"], 4000000)
        assert_equal(t["weightlimit"], 4000000)
        assert t["curtime"] >= t["mintime"]
        assert_equal(t["bits"], "207fffff")
        assert_equal(t["height"], 201)
        # Empty block: witness root of the zero coinbase wtxid alone.
        commit = sha256d(b"\x00" * 32 + b"\x00" * 32)
        assert_equal(t["default_witness_commitment"], "6a24aa21a9ed" + commit.hex())
        # Core's errors.
        assert_raises_rpc_error(
            -8, 'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
            node.getblocktemplate, {})
        # template_request is required (Core 29): the help text, -1.
        assert_raises_rpc_error(-1, "getblocktemplate", node.getblocktemplate)
        assert_raises_rpc_error(-8, "getblocktemplate must be called with the segwit rule set",
                                node.getblocktemplate, {"rules": ["csv"]})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate,
                                {"mode": "something", "rules": ["segwit"]})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate,
                                {"mode": 1, "rules": ["segwit"]})
        assert_raises_rpc_error(-3, "Missing data String key for proposal", node.getblocktemplate,
                                {"mode": "proposal"})
        assert_raises_rpc_error(-22, "Block decode failed", node.getblocktemplate,
                                {"mode": "proposal", "data": "ff"})
        assert_raises_rpc_error(-3, None, node.getblocktemplate, "segwit")
        # Longpoll on a hash that is not the tip returns at once.
        t2 = node.getblocktemplate({"rules": ["segwit"], "longpollid": "00" * 32 + "0"})
        assert_equal(t2["previousblockhash"], best)
        assert_raises_rpc_error(-8, "longpollid must be of length 64", node.getblocktemplate,
                                {"rules": ["segwit"], "longpollid": "abcd"})

    def test_submitblock(self):
        node = self.node
        self.log("submitblock a block built from a template; proposals; duplicates")
        t = node.getblocktemplate(GBT)
        b = block_from_template(t)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": b.hex()}), None)
        assert_equal(node.submitblock(b.hex()), None)
        assert_equal(node.getbestblockhash(), b.hash())
        assert_equal(node.getblockcount(), 201)
        assert_equal(node.submitblock(b.hex()), "duplicate")
        assert_equal(node.submitblock(b.hex(), "ignored"), "duplicate")
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": b.hex()}), "duplicate")
        assert_equal(node.getblock(b.hash())["tx"][0], b.txs[0].txid())

        # A pool that leaves out the witness reserved value: Core's
        # UpdateUncommittedBlockStructures puts it back.
        t = node.getblocktemplate(GBT)
        b = block_from_template(t, witness=False)
        assert_equal(node.submitblock(b.hex()), None)
        assert_equal(node.getbestblockhash(), b.hash())
        assert_equal(node.getblock(b.hash(), 2)["tx"][0]["vin"][0]["txinwitness"], ["00" * 32])
        # A competing block at the same height: stored, not connected (the
        # first seen wins among equal work), so its verdict is unknown.
        rival = block_from_template(t, script=bytes.fromhex(P2WPKH[1]))
        assert_equal(node.submitblock(rival.hex()), "inconclusive")
        assert_equal(node.getbestblockhash(), b.hash())
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": rival.hex()}),
                     "duplicate-inconclusive")
        # A proposal on a block that is not on the tip.
        t_old = t
        stale = block_from_template(t_old)
        stale.time += 1
        stale.solve()
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": stale.hex()}),
                     "inconclusive-not-best-prevblk")

    def test_bad_blocks(self):
        node = self.node
        self.log("invalid blocks: no state change, Core's reasons and errors")
        best, count = node.getbestblockhash(), node.getblockcount()
        t = node.getblocktemplate(GBT)
        bad = block_from_template(t, value=t["coinbasevalue"] + 1)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": bad.hex()}), "bad-cb-amount")
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.submitblock(bad.hex()), "bad-cb-amount")
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.getblockcount(), count)
        assert_equal(node.submitblock(bad.hex()), "duplicate-invalid")
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": bad.hex()}),
                     "duplicate-invalid")
        # Wrong BIP34 height.
        cb_bad = dict(t)
        cb_bad["height"] = t["height"] + 1
        bad = block_from_template(cb_bad)
        assert_equal(node.submitblock(bad.hex()), "bad-cb-height")
        # Proof of work not met.
        good = block_from_template(t)
        target = int(t["target"], 16)
        while int(good.hash(), 16) <= target:
            good.nonce += 1
        assert_equal(node.submitblock(good.hex()), "high-hash")
        assert_equal(node.getbestblockhash(), best)
        # Garbage.
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "00")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "zz")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "0")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, good.hex()[:-2])
        # No transactions, or a first transaction that is not a coinbase.
        assert_raises_rpc_error(-22, "Block does not start with a coinbase", node.submitblock,
                                good.header().hex() + "00")
        spend = Tx()
        spend.vin = [TxIn(self.coinbase(3)["txid"], 0, b"", 0xffffffff)]
        spend.vout = [TxOut(COIN, OP_TRUE)]
        nocb = Block(t["version"], t["previousblockhash"], t["curtime"], int(t["bits"], 16),
                     [spend])
        nocb.update_merkle()
        assert_raises_rpc_error(-22, "Block does not start with a coinbase", node.submitblock,
                                nocb.hex())
        assert_raises_rpc_error(-3, None, node.submitblock, 1)
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.getblockcount(), count)

    def spend_coinbase(self, height, script_out, fee=1000):
        cb = self.coinbase(height)
        tx = Tx()
        tx.vin = [TxIn(cb["txid"], 0, b"", 0xffffffff)]  # OP_TRUE needs no scriptSig
        value = int(round(cb["vout"][0]["value"] * COIN)) - fee
        tx.vout = [TxOut(value, script_out)]
        return tx, value

    def test_generateblock(self):
        node = self.node
        self.log("generateblock with transactions, with and without submit")
        wsh_true = b"\x00\x20" + hashlib.sha256(b"\x51").digest()  # P2WSH(OP_TRUE)
        tx1, v1 = self.spend_coinbase(1, wsh_true)
        tx2 = Tx()
        tx2.vin = [TxIn(tx1.txid(), 0, b"", 0xffffffff)]
        tx2.vin[0].witness = [b"\x51"]
        tx2.vout = [TxOut(v1 - 1000, bytes.fromhex(P2WPKH[1]))]
        count, best = node.getblockcount(), node.getbestblockhash()
        res = node.generateblock("raw(51)", [tx1.hex(), tx2.hex()], False)
        assert_equal(sorted(res.keys()), ["hash", "hex"])
        assert_equal(node.getblockcount(), count)
        assert_equal(node.getbestblockhash(), best)
        raw = bytes.fromhex(res["hex"])
        assert_equal(sha256d(raw[:80])[::-1].hex(), res["hash"])
        assert_equal(raw[80], 3)  # coinbase, tx1, tx2 in the order given
        assert tx1.serialize() in raw and tx2.serialize() in raw
        assert_equal(node.submitblock(res["hex"]), None)
        assert_equal(node.getbestblockhash(), res["hash"])
        blk = node.getblock(res["hash"], 2)
        assert_equal([t["txid"] for t in blk["tx"][1:]], [tx1.txid(), tx2.txid()])
        # Fees are not claimed: the coinbase pays the subsidy only (Core).
        assert_equal(blk["tx"][0]["vout"][0]["value"], 25)
        assert_equal(blk["tx"][0]["vout"][0]["scriptPubKey"]["hex"], OP_TRUE.hex())
        assert_equal(blk["tx"][2]["vin"][0]["txinwitness"], ["51"])

        # Submitted by default; to an address and to an addr() descriptor.
        tx3, _ = self.spend_coinbase(2, bytes.fromhex(P2TR[1]))
        res = node.generateblock(P2PKH[0], [tx3.hex()])
        assert_equal(list(res.keys()), ["hash"])
        assert_equal(node.getbestblockhash(), res["hash"])
        blk = node.getblock(res["hash"], 2)
        assert_equal(blk["tx"][1]["txid"], tx3.txid())
        assert_equal(blk["tx"][0]["vout"][0]["scriptPubKey"]["hex"], P2PKH[1])
        res = node.generateblock("addr(" + P2WPKH[0] + ")", [], True)
        assert_equal(node.getbestblockhash(), res["hash"])
        assert_equal(node.getblock(res["hash"])["nTx"], 1)

        # Invalid transactions: Core's TestBlockValidity errors, no change.
        best = node.getbestblockhash()
        assert_raises_rpc_error(-25, "TestBlockValidity failed: bad-txns-inputs-missingorspent",
                                node.generateblock, "raw(51)", [tx1.hex()])
        young, _ = self.spend_coinbase(201, OP_TRUE)  # built from a template
        assert_raises_rpc_error(-25, "TestBlockValidity failed: bad-txns-premature-spend-of-coinbase",
                                node.generateblock, "raw(51)", [young.hex()])
        over, _ = self.spend_coinbase(4, OP_TRUE, fee=-1)
        assert_raises_rpc_error(-25, "TestBlockValidity failed: bad-txns-in-belowout",
                                node.generateblock, "raw(51)", [over.hex()])
        t5, _ = self.spend_coinbase(5, OP_TRUE)
        # The same spend twice: the second finds its coin spent.
        assert_raises_rpc_error(-25, "TestBlockValidity failed: bad-txns-inputs-missingorspent",
                                node.generateblock, "raw(51)", [t5.hex(), t5.hex()])
        assert_equal(node.getbestblockhash(), best)
        # The coin of t5 is still unspent: the checks changed nothing.
        res = node.generateblock("raw(51)", [t5.hex()])
        assert_equal(node.getbestblockhash(), res["hash"])

        assert_raises_rpc_error(-22, "Transaction decode failed for 00. Make sure the tx has at least one input.",
                                node.generateblock, "raw(51)", ["00"])
        assert_raises_rpc_error(-22, "Transaction decode failed for zz.", node.generateblock,
                                "raw(51)", ["zz"])
        txid = "11" * 32
        assert_raises_rpc_error(-5, f"Transaction {txid} not in mempool.", node.generateblock,
                                "raw(51)", [txid])
        assert_raises_rpc_error(-5, "Error: Invalid address or descriptor", node.generateblock,
                                "notanaddress", [])
        # Core 29 turns UniValue type errors inside a method into -3.
        assert_raises_rpc_error(-3, "JSON value of type number is not of expected type string",
                                node.generateblock, "raw(51)", [1])
        assert_raises_rpc_error(-3, None, node.generateblock, "raw(51)", "notalist")

    def test_generate_errors(self):
        node = self.node
        self.log("generate* errors and maxtries")
        count = node.getblockcount()
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1, "xyz")
        # A mainnet address is not valid on regtest.
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1,
                                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        assert_raises_rpc_error(-5, None, node.generatetodescriptor, 1, "foo(51)")
        assert_raises_rpc_error(-5, "Provided checksum", node.generatetodescriptor, 1,
                                "raw(51)#aaaaaaaa")
        assert_equal(node.generatetoaddress(1, P2WPKH[0], 0), [])
        assert_equal(node.generatetodescriptor(0, "raw(51)"), [])
        assert_equal(node.getblockcount(), count)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.generatetoaddress,
                                2 ** 40, P2WPKH[0])
        assert_raises_rpc_error(-3, None, node.generatetoaddress, "1", P2WPKH[0])
        # Named parameters.
        hashes = node.generatetoaddress(nblocks=2, address=P2WPKH[0])
        assert_equal(len(hashes), 2)
        assert_equal(node.getblockcount(), count + 2)

    def test_submitheader(self):
        node = self.node
        self.log("submitheader")
        t = node.getblocktemplate(GBT)
        b = block_from_template(t)
        assert_equal(node.submitheader(b.header().hex()), None)
        assert_equal(node.getblockheader(b.hash())["height"], t["height"])
        assert_equal(node.getbestblockhash(), t["previousblockhash"])  # header only
        assert_equal(node.submitblock(b.hex()), None)
        assert_equal(node.getbestblockhash(), b.hash())
        orphan = Block(t["version"], "11" * 32, t["curtime"], int(t["bits"], 16), b.txs)
        orphan.update_merkle()
        assert_raises_rpc_error(-25, "Must submit previous header (" + "11" * 32 + ") first",
                                node.submitheader, orphan.header().hex())
        assert_raises_rpc_error(-22, "Block header decode failed", node.submitheader, "00")
        t = node.getblocktemplate(GBT)
        b = block_from_template(t)
        b.bits = 0x1d00ffff  # not the required bits, and its proof of work fails
        assert_raises_rpc_error(-25, None, node.submitheader, b.header().hex())

    def test_longpoll(self):
        node = self.node
        self.log("getblocktemplate long polling returns when the tip changes")
        t = node.getblocktemplate(GBT)
        rpc = node.rpc
        other = AuthServiceProxy(rpc.host, rpc.port, rpc.user, rpc.password, timeout=60)
        result = {}

        def poll():
            result["t"] = other.getblocktemplate({"rules": ["segwit"],
                                                  "longpollid": t["longpollid"]})

        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.5)
        assert th.is_alive()  # still waiting: the tip did not change
        new = node.generatetoaddress(1, P2WPKH[0])[0]
        th.join(30)
        assert not th.is_alive()
        assert_equal(result["t"]["previousblockhash"], new)
        assert_equal(result["t"]["height"], t["height"] + 1)

    def test_testdummy_active(self):
        node = self.node
        self.log("BIP9 testdummy: locked in from 288, active from 432 (regtest)")
        count = node.getblockcount()
        node.generatetodescriptor(431 - count, "raw(51)")
        assert_equal(node.getblockcount(), 431)
        assert_equal(node.getblockheader(node.getblockhash(300))["versionHex"], "30000000")
        t = node.getblocktemplate(GBT)
        assert_equal(t["height"], 432)
        assert_equal(t["version"], 0x20000000)
        assert_equal(t["vbavailable"], {})
        assert_equal(t["rules"][:2], ["csv", "!segwit"])
        assert_equal(sorted(t["rules"][2:]), ["taproot", "testdummy"])
        h = node.generatetodescriptor(1, "raw(51)")[0]
        assert_equal(node.getblockheader(h)["versionHex"], "20000000")

    def test_restart(self):
        node = self.node
        self.log("the mined chain survives a restart")
        best, count = node.getbestblockhash(), node.getblockcount()
        node.stop_node()
        node.start()
        assert_equal(node.getblockcount(), count)
        assert_equal(node.getbestblockhash(), best)
        hashes = node.generatetoaddress(1, P2PKH[0])
        assert_equal(node.getblockheader(hashes[0])["previousblockhash"], best)
        assert_in(hashes[0], node.getbestblockhash())

        self.log("block creation options")
        node.stop_node()
        node.assert_start_raises_init_error(
            ["-blockmaxweight=4000001"],
            "Specified -blockmaxweight (4000001) exceeds consensus maximum block weight (4000000)")
        node.assert_start_raises_init_error(
            ["-blockreservedweight=1999"],
            "Specified -blockreservedweight (1999) is lower than minimum safety value of (2000)")
        node.assert_start_raises_init_error(
            ["-blockreservedweight=4000001"],
            "Specified -blockreservedweight (4000001) exceeds consensus maximum block weight")
        # Core's mining_basic: -blockversion overrides the version on regtest.
        node.start(["-blockversion=1337", "-blockreservedweight=10000"])
        assert_equal(node.getblocktemplate(GBT)["version"], 1337)
        h = node.generatetoaddress(1, P2PKH[0])[0]
        assert_equal(node.getblockheader(h)["version"], 1337)
        assert_equal(node.getmininginfo()["currentblockweight"], 10000)
        node.stop_node()
        node.start()
        assert_equal(node.getblocktemplate(GBT)["version"], 0x20000000)  # testdummy active


if __name__ == "__main__":
    MiningBasicTest().main()
