#!/usr/bin/env python3
"""Field sets, values and errors of the blockchain, raw transaction and util
RPCs against Bitcoin Core 29: getblockchaininfo, getblockcount,
getbestblockhash, getblockhash, getblockheader, getblock (verbosity 0-3),
getchaintxstats, getchaintips, getdifficulty, gettxout, gettxoutsetinfo,
verifychain, decoderawtransaction, decodescript, createrawtransaction,
validateaddress (with Core's error locations), getdescriptorinfo and
deriveaddresses. Values are checked against what this test computes itself
(hashes, sizes, work, scripts) rather than copied from blvmd."""
import struct
from decimal import Decimal

from test_framework.messages import COIN, Block, TestKey, Tx, TxIn, TxOut, hash160, \
    segwit_address, sha256
from test_framework.test_framework import BlvmTestFramework
from test_framework.test_node import TestNode
from test_framework.util import assert_equal, assert_raises_rpc_error

GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
HEADER_FIELDS = ["hash", "confirmations", "height", "version", "versionHex", "merkleroot",
                 "time", "mediantime", "nonce", "bits", "target", "difficulty", "chainwork",
                 "nTx"]
TX_FIELDS = ["txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout"]
REGTEST_TARGET = "7fffff" + "00" * 29
REGTEST_DIFFICULTY = Decimal("4.656542373906925E-10")


def median(xs):
    return sorted(xs)[len(xs) // 2]


class BlockchainRPCTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.node = self.nodes[0]
        self.key = TestKey(b"rpc_blockchain")
        self.test_genesis()
        self.hashes = node.generatetoaddress(120, self.key.address("p2wpkh"))
        self.spend = self.make_spend()
        self.spend_block = node.generateblock(self.key.address("p2tr"), [self.spend.hex()])["hash"]
        self.test_getblockchaininfo()
        self.test_headers_and_blocks()
        self.test_getchaintxstats()
        self.test_gettxout_and_utxo_set()
        self.test_rawtransactions()
        self.test_decodescript()
        self.test_util()
        self.test_mainnet_addresses()

    def test_genesis(self):
        node = self.node
        self.log("a fresh node: the regtest genesis block")
        assert_equal(node.getblockcount(), 0)
        assert_equal(node.getbestblockhash(), GENESIS)
        assert_equal(node.getblockhash(0), GENESIS)
        info = node.getblockchaininfo()
        assert_equal(info["blocks"], 0)
        assert_equal(info["headers"], 0)
        # Core's CalculateCurrentUsage: the genesis record (285 + 8 bytes),
        # no undo data for it.
        assert_equal(info["size_on_disk"], 293)
        assert_equal(info["initialblockdownload"], True)
        hdr = node.getblockheader(GENESIS)
        assert_equal(hdr["chainwork"], "%064x" % 2)
        assert "previousblockhash" not in hdr and "nextblockhash" not in hdr
        assert_equal(node.getdifficulty(), REGTEST_DIFFICULTY)

    def make_spend(self):
        node, key = self.node, self.key
        cb = node.getblock(self.hashes[0], 2)["tx"][0]
        out = TxOut(int(cb["vout"][0]["value"] * COIN), key.script("p2wpkh"))
        tx = Tx(version=2, locktime=5)
        tx.vin = [TxIn(cb["txid"], 0, b"", 0xfffffffd)]
        tx.vout = [TxOut(10 * COIN, key.script("p2pkh")), TxOut(15 * COIN, key.script("p2tr")),
                   TxOut(0, b"\x6a\x04" + b"blvm"),
                   TxOut(out.value - 25 * COIN - 4321, key.script("p2wpkh"))]
        key.sign_input(tx, 0, "p2wpkh", [out])
        self.spent_out = out
        return tx

    def test_getblockchaininfo(self):
        node = self.node
        self.log("getblockchaininfo")
        info = node.getblockchaininfo()
        assert_equal(sorted(info.keys()), sorted([
            "chain", "blocks", "headers", "bestblockhash", "bits", "target", "difficulty", "time",
            "mediantime", "verificationprogress", "initialblockdownload", "chainwork",
            "size_on_disk", "pruned", "warnings"]))
        tip = node.getblockheader(node.getbestblockhash())
        assert_equal(info["chain"], "regtest")
        assert_equal(info["blocks"], 121)
        assert_equal(info["headers"], 121)
        assert_equal(info["bestblockhash"], self.spend_block)
        assert_equal(info["bits"], "207fffff")
        assert_equal(info["target"], REGTEST_TARGET)
        assert_equal(info["difficulty"], REGTEST_DIFFICULTY)
        assert_equal(info["time"], tip["time"])
        assert_equal(info["mediantime"], tip["mediantime"])
        assert_equal(info["verificationprogress"], 1)
        assert_equal(info["initialblockdownload"], False)
        # Regtest work per block is 2 (target 0x7fffff << 232).
        assert_equal(info["chainwork"], "%064x" % (2 * 122))
        assert_equal(info["pruned"], False)
        assert_equal(info["warnings"], [])
        # Every block record (data + 8-byte header) and undo record counted.
        total = 0
        for h in range(122):
            total += len(bytes.fromhex(node.getblock(node.getblockhash(h), 0))) + 8
        assert info["size_on_disk"] > total, (info["size_on_disk"], total)
        assert info["size_on_disk"] < total + 121 * 200, (info["size_on_disk"], total)
        assert_equal(node.getblockcount(), 121)
        assert_equal(node.getbestblockhash(), self.spend_block)

    def test_headers_and_blocks(self):
        node = self.node
        self.log("getblockhash, getblockheader, getblock 0-3")
        tip = node.getblockcount()
        for h in (0, 1, 60, tip):
            bh = node.getblockhash(h)
            raw = bytes.fromhex(node.getblock(bh, 0))
            blk = Block.deserialize(raw)
            assert_equal(blk.hash(), bh)
            hdr = node.getblockheader(bh)
            fields = HEADER_FIELDS + (["previousblockhash"] if h else []) + \
                (["nextblockhash"] if h < tip else [])
            assert_equal(sorted(hdr.keys()), sorted(fields))
            assert_equal(hdr["hash"], bh)
            assert_equal(hdr["height"], h)
            assert_equal(hdr["confirmations"], tip - h + 1)
            assert_equal(hdr["version"], blk.version)
            assert_equal(hdr["versionHex"], "%08x" % blk.version)
            assert_equal(hdr["merkleroot"], blk.merkle[::-1].hex())
            assert_equal(hdr["time"], blk.time)
            assert_equal(hdr["nonce"], blk.nonce)
            assert_equal(hdr["bits"], "%08x" % blk.bits)
            assert_equal(hdr["target"], REGTEST_TARGET)
            assert_equal(hdr["chainwork"], "%064x" % (2 * (h + 1)))
            assert_equal(hdr["nTx"], len(blk.txs))
            times = [node.getblockheader(node.getblockhash(x))["time"]
                     for x in range(max(0, h - 10), h + 1)]
            assert_equal(hdr["mediantime"], median(times))
            if h:
                assert_equal(hdr["previousblockhash"], blk.prev)
            assert_equal(node.getblockheader(bh, False), blk.header().hex())

            b1 = node.getblock(bh)
            assert_equal(b1, node.getblock(bh, 1))
            assert_equal(b1, node.getblock(bh, True))
            assert_equal(node.getblock(bh, False), raw.hex())
            assert_equal(sorted(b1.keys()), sorted(fields + ["strippedsize", "size", "weight", "tx"]))
            for k in fields:
                assert_equal(b1[k], hdr[k] if k != "confirmations" else hdr[k])
            stripped = len(blk.header()) + len(bytes([len(blk.txs)])) + sum(
                len(t.serialize(False)) for t in blk.txs)
            assert_equal(b1["size"], len(raw))
            assert_equal(b1["strippedsize"], stripped)
            assert_equal(b1["weight"], stripped * 3 + len(raw))
            assert_equal(b1["tx"], [t.txid() for t in blk.txs])

            b2 = node.getblock(bh, 2)
            b3 = node.getblock(bh, 3)
            for t, ref in zip(b2["tx"], blk.txs):
                assert_equal(sorted(t.keys()), sorted(TX_FIELDS + ["hex"] + (
                    ["fee"] if "coinbase" not in t["vin"][0] else [])))
                assert_equal(t["txid"], ref.txid())
                assert_equal(t["hash"], ref.wtxid())
                assert_equal(t["hex"], ref.hex())
                assert_equal(t["size"], len(ref.serialize()))
                assert_equal(t["vsize"], ref.vsize())
                assert_equal(t["weight"], len(ref.serialize(False)) * 3 + len(ref.serialize()))
            # Verbosity 3 adds the prevout of each non-coinbase input; more
            # than 3 is 3, less than 0 is 0 (Core's ParseVerbosity).
            assert_equal(node.getblock(bh, 4), b3)
            assert_equal(node.getblock(bh, -1), raw.hex())
            for t2, t3 in zip(b2["tx"], b3["tx"]):
                for i2, i3 in zip(t2["vin"], t3["vin"]):
                    extra = set(i3) - set(i2)
                    assert_equal(extra, set() if "coinbase" in i2 else {"prevout"})

        # The spend in the tip block: fee and prevout.
        b3 = node.getblock(self.spend_block, 3)
        t = b3["tx"][1]
        fee = self.spent_out.value - sum(o.value for o in self.spend.vout)
        assert_equal(t["fee"], Decimal(fee) / COIN)
        assert_equal(t["locktime"], 5)
        pv = t["vin"][0]["prevout"]
        assert_equal(sorted(pv.keys()), ["generated", "height", "scriptPubKey", "value"])
        assert_equal(pv["generated"], True)
        assert_equal(pv["height"], 1)
        assert_equal(pv["value"], Decimal(50))
        assert_equal(pv["scriptPubKey"]["hex"], self.key.script("p2wpkh").hex())
        assert_equal(pv["scriptPubKey"]["address"], self.key.address("p2wpkh"))
        assert_equal(pv["scriptPubKey"]["type"], "witness_v0_keyhash")
        assert_equal(t["vin"][0]["txinwitness"], [w.hex() for w in self.spend.vin[0].witness])
        vout = t["vout"]
        assert_equal([o["n"] for o in vout], [0, 1, 2, 3])
        assert_equal([o["scriptPubKey"]["type"] for o in vout],
                     ["pubkeyhash", "witness_v1_taproot", "nulldata", "witness_v0_keyhash"])
        assert_equal(vout[2]["scriptPubKey"]["asm"], "OP_RETURN " + str(
            struct.unpack("<i", b"blvm")[0]))
        assert "address" not in vout[2]["scriptPubKey"]
        assert_equal(vout[1]["scriptPubKey"]["address"], self.key.address("p2tr"))
        assert_equal(vout[0]["value"], Decimal(10))

        self.log("block RPC errors")
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, tip + 1)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, -1)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.getblockhash, 1.5)
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number",
                                node.getblockhash, "1")
        # Core parses getblockheader's argument under the name "hash".
        for rpc, name in ((node.getblock, "blockhash"), (node.getblockheader, "hash")):
            assert_raises_rpc_error(-5, "Block not found", rpc, "11" * 32)
            assert_raises_rpc_error(-8, f"{name} must be of length 64 (not 2, for '11')", rpc, "11")
            assert_raises_rpc_error(-8, f"{name} must be hexadecimal string (not '" + "zz" * 32
                                    + "')", rpc, "zz" * 32)
            assert_raises_rpc_error(-1, None, rpc)
        # Core 29: a UniValue type error inside the method is -3.
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type number",
                                node.getblock, GENESIS, "1")
        assert_raises_rpc_error(-3, None, node.getblockheader, GENESIS, 1)

        self.log("getchaintips, getdifficulty, verifychain")
        assert_equal(node.getchaintips(), [{"height": tip, "hash": node.getbestblockhash(),
                                            "branchlen": 0, "status": "active"}])
        assert_equal(node.getdifficulty(), REGTEST_DIFFICULTY)
        assert_equal(node.verifychain(), True)
        assert_equal(node.verifychain(4, 0), True)
        assert_equal(node.verifychain(0, 10), True)
        # Core clamps the level to 0..4.
        assert_equal(node.verifychain(5), True)

    def test_getchaintxstats(self):
        node = self.node
        self.log("getchaintxstats")
        tip = node.getblockcount()
        tiph = node.getbestblockhash()
        s = node.getchaintxstats()
        keys = ["time", "txcount", "window_final_block_hash", "window_final_block_height",
                "window_block_count", "window_interval", "window_tx_count", "txrate"]
        # All transactions so far: one coinbase per block plus the spend.
        assert_equal(s["txcount"], tip + 1 + 1)
        assert_equal(s["window_final_block_hash"], tiph)
        assert_equal(s["window_final_block_height"], tip)
        # Default window: a month of blocks, at most the chain less one.
        assert_equal(s["window_block_count"], tip - 1)
        assert_equal(s["window_tx_count"], tip - 1 + 1)
        first = node.getblockheader(node.getblockhash(1))
        last = node.getblockheader(tiph)
        assert_equal(s["time"], last["time"])
        assert_equal(s["window_interval"], last["mediantime"] - first["mediantime"])
        if s["window_interval"] > 0:
            assert_equal(sorted(s.keys()), sorted(keys))
            assert abs(s["txrate"] - Decimal(s["window_tx_count"]) / s["window_interval"]) < \
                Decimal("1e-9")
        else:
            assert_equal(sorted(s.keys()), sorted(keys[:-1]))
        s = node.getchaintxstats(10, node.getblockhash(50))
        assert_equal(s["txcount"], 51)
        assert_equal(s["window_block_count"], 10)
        assert_equal(s["window_tx_count"], 10)
        assert_equal(s["window_final_block_height"], 50)
        s = node.getchaintxstats(0)
        assert_equal(sorted(s.keys()), ["time", "txcount", "window_block_count",
                                        "window_final_block_hash", "window_final_block_height"])
        s = node.getchaintxstats(blockhash=GENESIS)
        assert_equal(s["txcount"], 1)
        assert_equal(s["window_block_count"], 0)
        assert_raises_rpc_error(-8, "Invalid block count: should be between 0 and the block's height - 1",
                                node.getchaintxstats, tip)
        assert_raises_rpc_error(-8, "Invalid block count: should be between 0 and the block's height - 1",
                                node.getchaintxstats, -1)
        assert_raises_rpc_error(-5, "Block not found", node.getchaintxstats, 1, "11" * 32)
        # A block off the active chain.
        node.invalidateblock(tiph)
        assert_raises_rpc_error(-8, "Block is not in main chain", node.getchaintxstats, 1, tiph)
        node.reconsiderblock(tiph)
        assert_equal(node.getbestblockhash(), tiph)

    def test_gettxout_and_utxo_set(self):
        node, key = self.node, self.key
        self.log("gettxout, gettxoutsetinfo")
        tip = node.getblockcount()
        txid = self.spend.txid()
        for n, o in enumerate(self.spend.vout):
            u = node.gettxout(txid, n)
            if n == 2:
                assert_equal(u, None)  # OP_RETURN outputs are never coins
                continue
            assert_equal(sorted(u.keys()), ["bestblock", "coinbase", "confirmations",
                                            "scriptPubKey", "value"])
            assert_equal(u["bestblock"], node.getbestblockhash())
            assert_equal(u["confirmations"], 1)
            assert_equal(u["value"], Decimal(o.value) / COIN)
            assert_equal(u["coinbase"], False)
            spk = u["scriptPubKey"]
            assert_equal(spk["hex"], o.script.hex())
            # Core infers rawtr() for a taproot output it knows no keys of.
            want = "rawtr(%s)" % key.output_key.hex() if n == 1 else "addr(%s)" % spk["address"]
            assert_equal(spk["desc"].split("#")[0], want)
        assert_equal(node.gettxout(txid, 4), None)
        assert_equal(node.gettxout(txid, 0, False)["value"], Decimal(10))
        # The spent coinbase is gone; an unspent one is a coinbase coin.
        cb1 = node.getblock(self.hashes[0])["tx"][0]
        assert_equal(node.gettxout(cb1, 0), None)
        cb2 = node.getblock(self.hashes[1])["tx"][0]
        u = node.gettxout(cb2, 0)
        assert_equal(u["coinbase"], True)
        assert_equal(u["confirmations"], tip - 2 + 1)
        assert_raises_rpc_error(-8, "txid must be of length 64 (not 3, for 'abc')",
                                node.gettxout, "abc", 0)
        assert_raises_rpc_error(-1, "JSON integer out of range", node.gettxout, txid, -1)
        assert_raises_rpc_error(-1, None, node.gettxout, txid)

        info = node.gettxoutsetinfo()
        assert_equal(sorted(info.keys()), sorted([
            "height", "bestblock", "txouts", "bogosize", "hash_serialized_3", "total_amount",
            "transactions", "disk_size"]))
        # Coins: 121 coinbase outputs less the spent one (the commitments
        # are OP_RETURN), plus three outputs of the spend.
        assert_equal(info["height"], tip)
        assert_equal(info["txouts"], 121 - 1 + 3)
        assert_equal(info["transactions"], 121 - 1 + 1)
        subsidy = sum(50 if h < 150 else 25 for h in range(1, tip + 1))
        fee = Decimal(4321) / COIN
        assert_equal(info["total_amount"], subsidy - fee)
        mu = node.gettxoutsetinfo("muhash")
        assert_equal(sorted(mu.keys()), sorted([
            "height", "bestblock", "txouts", "bogosize", "muhash", "total_amount",
            "transactions", "disk_size"]))
        none = node.gettxoutsetinfo("none")
        assert "muhash" not in none and "hash_serialized_3" not in none
        for k in ("txouts", "bogosize", "total_amount"):
            assert_equal(none[k], info[k])
        assert_equal(node.gettxoutsetinfo(hash_type="muhash")["muhash"], mu["muhash"])
        assert_raises_rpc_error(-8, "'bogus' is not a valid hash_type", node.gettxoutsetinfo, "bogus")
        assert_raises_rpc_error(-8, "Querying specific block heights requires coinstatsindex",
                                node.gettxoutsetinfo, "muhash", 1)

    def test_rawtransactions(self):
        node, key = self.node, self.key
        self.log("decoderawtransaction, createrawtransaction")
        d = node.decoderawtransaction(self.spend.hex())
        assert_equal(sorted(d.keys()), sorted(TX_FIELDS))
        assert_equal(d["txid"], self.spend.txid())
        assert_equal(d["hash"], self.spend.wtxid())
        assert_equal(d["size"], len(self.spend.serialize()))
        assert_equal(d["vsize"], self.spend.vsize())
        assert_equal(d["locktime"], 5)
        assert_equal(d["vin"][0]["sequence"], 0xfffffffd)
        assert_equal(d["vin"][0]["scriptSig"], {"asm": "", "hex": ""})
        assert_equal(d["vout"][3]["value"], Decimal(self.spend.vout[3].value) / COIN)
        block_tx = node.getblock(self.spend_block, 2)["tx"][1]
        for k in TX_FIELDS:
            assert_equal(d[k], block_tx[k])
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "00")
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "zz")
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction,
                                self.spend.hex()[:-2])
        # The witness form read as non-witness fails.
        assert_raises_rpc_error(-22, "TX decode failed", node.decoderawtransaction,
                                self.spend.hex(), False)
        nowit = Tx.from_hex(self.spend.hex())
        nowit.vin[0].witness = []
        assert_equal(node.decoderawtransaction(nowit.hex(), False)["txid"], self.spend.txid())

        a_tr, a_pkh = key.address("p2tr"), key.address("p2pkh")
        raw = node.createrawtransaction([{"txid": "11" * 32, "vout": 3}],
                                        [{a_tr: Decimal("0.00012345")}, {"data": "ab"}], 99)
        tx = Tx.from_hex(raw)
        assert_equal(tx.version, 2)
        assert_equal(tx.locktime, 99)
        assert_equal((tx.vin[0].txid, tx.vin[0].n, tx.vin[0].script_sig), ("11" * 32, 3, b""))
        # BIP125 signalling by default (Core's replaceable default).
        assert_equal(tx.vin[0].sequence, 0xfffffffd)
        assert_equal([(o.value, o.script) for o in tx.vout],
                     [(12345, key.script("p2tr")), (0, b"\x6a\x01\xab")])
        raw = node.createrawtransaction([{"txid": "22" * 32, "vout": 0, "sequence": 7}],
                                        {a_pkh: 1, a_tr: "0.5"}, 0, False)
        tx = Tx.from_hex(raw)
        assert_equal(tx.vin[0].sequence, 7)
        assert_equal([(o.value, o.script) for o in tx.vout],
                     [(COIN, key.script("p2pkh")), (COIN // 2, key.script("p2tr"))])
        raw = node.createrawtransaction([{"txid": "22" * 32, "vout": 0}], {}, 0, False)
        assert_equal(Tx.from_hex(raw).vin[0].sequence, 0xffffffff)
        raw = node.createrawtransaction([{"txid": "22" * 32, "vout": 0}], {}, 1, False)
        assert_equal(Tx.from_hex(raw).vin[0].sequence, 0xfffffffe)
        assert_equal(node.createrawtransaction([], {}), "02000000000000000000")
        assert_raises_rpc_error(-8, "Invalid parameter, missing vout key",
                                node.createrawtransaction, [{"txid": "11" * 32}], {})
        assert_raises_rpc_error(-8, "Invalid parameter, vout cannot be negative",
                                node.createrawtransaction, [{"txid": "11" * 32, "vout": -1}], {})
        assert_raises_rpc_error(-8, "txid must be of length 64 (not 2, for 'zz')",
                                node.createrawtransaction, [{"txid": "zz", "vout": 1}], {})
        assert_raises_rpc_error(-5, "Invalid Bitcoin address: notanaddress",
                                node.createrawtransaction, [], {"notanaddress": 1})
        assert_raises_rpc_error(-8, "Invalid parameter, duplicated address: " + a_tr,
                                node.createrawtransaction, [], [{a_tr: 1}, {a_tr: 1}])
        assert_raises_rpc_error(-8, "Data must be hexadecimal string (not 'zz')",
                                node.createrawtransaction, [], {"data": "zz"})
        assert_raises_rpc_error(-3, "Amount out of range", node.createrawtransaction, [],
                                {a_tr: -1})
        assert_raises_rpc_error(-3, "Invalid amount", node.createrawtransaction, [], {a_tr: "abc"})
        assert_raises_rpc_error(-8, "Invalid parameter, locktime out of range",
                                node.createrawtransaction, [], {}, -1)
        assert_raises_rpc_error(-8, "Invalid parameter, locktime out of range",
                                node.createrawtransaction, [], {}, 2 ** 32)
        assert_raises_rpc_error(-3, "JSON value of type string is not of expected type array",
                                node.createrawtransaction, "x", {})

    def test_decodescript(self):
        node, key = self.node, self.key
        self.log("decodescript")
        pk = key.pubkey
        # P2PKH: can be wrapped in P2SH and its segwit form is P2WPKH.
        d = node.decodescript(key.script("p2pkh").hex())
        assert_equal(d["asm"], "OP_DUP OP_HASH160 %s OP_EQUALVERIFY OP_CHECKSIG" % hash160(pk).hex())
        assert_equal(d["type"], "pubkeyhash")
        assert_equal(d["address"], key.address("p2pkh"))
        assert "hex" not in d
        assert_equal(d["segwit"]["hex"], key.script("p2wpkh").hex())
        assert_equal(d["segwit"]["type"], "witness_v0_keyhash")
        assert_equal(d["segwit"]["address"], key.address("p2wpkh"))
        assert_equal(sorted(d["segwit"].keys()),
                     ["address", "asm", "desc", "hex", "p2sh-segwit", "type"])
        # P2WPKH: P2SH-wrappable only.
        d = node.decodescript(key.script("p2wpkh").hex())
        assert_equal(sorted(d.keys()), ["address", "asm", "desc", "p2sh", "type"])
        assert_equal(d["asm"], "0 " + hash160(pk).hex())
        assert_equal(d["p2sh"], node.decodescript(key.script("p2pkh").hex())["segwit"]["p2sh-segwit"])
        # P2TR: neither.
        d = node.decodescript(key.script("p2tr").hex())
        assert_equal(sorted(d.keys()), ["address", "asm", "desc", "type"])
        assert_equal(d["type"], "witness_v1_taproot")
        assert_equal(d["desc"].split("#")[0], "rawtr(%s)" % key.output_key.hex())
        # Bare key and multisig: P2WPKH / P2WSH(multi) segwit forms.
        d = node.decodescript((bytes([33]) + pk + b"\xac").hex())
        assert_equal(d["type"], "pubkey")
        assert_equal(d["desc"].split("#")[0], "pk(%s)" % pk.hex())
        assert_equal(d["segwit"]["hex"], key.script("p2wpkh").hex())
        ms = b"\x51\x21" + pk + b"\x51\xae"
        d = node.decodescript(ms.hex())
        assert_equal(d["type"], "multisig")
        assert_equal(d["asm"], "1 %s 1 OP_CHECKMULTISIG" % pk.hex())
        assert_equal(d["segwit"]["hex"], "0020" + sha256(ms).hex())
        assert_equal(d["segwit"]["address"], segwit_address("bcrt", 0, sha256(ms)))
        assert_equal(d["segwit"]["desc"].split("#")[0], "wsh(multi(1,%s))" % pk.hex())
        # OP_RETURN: small pushes shown as numbers; never wrapped.
        d = node.decodescript("6a0401020304")
        assert_equal(d, {"asm": "OP_RETURN 67305985", "desc": d["desc"], "type": "nulldata"})
        # P2SH: not wrapped again.
        d = node.decodescript("a914" + "11" * 20 + "87")
        assert_equal(sorted(d.keys()), ["address", "asm", "desc", "type"])
        assert_equal(d["type"], "scripthash")
        # A bad push: "[error]", nothing to wrap.
        d = node.decodescript("4c")
        assert_equal(d["asm"], "[error]")
        assert_equal(d["type"], "nonstandard")
        assert "p2sh" not in d
        d = node.decodescript("")
        assert_equal(d["asm"], "")
        assert_equal(d["type"], "nonstandard")
        assert_equal(d["segwit"]["hex"], "0020" + sha256(b"").hex())
        assert_raises_rpc_error(-8, "argument must be hexadecimal string (not 'zz')",
                                node.decodescript, "zz")

    def test_util(self):
        node, key = self.node, self.key
        self.log("validateaddress, getdescriptorinfo, deriveaddresses")
        for kind in ("p2pkh", "p2wpkh", "p2tr"):
            a = key.address(kind)
            v = node.validateaddress(a)
            assert_equal(v["isvalid"], True)
            assert_equal(v["scriptPubKey"], key.script(kind).hex())
            fields = ["isvalid", "address", "scriptPubKey", "isscript", "iswitness"]
            if kind != "p2pkh":
                fields += ["witness_version", "witness_program"]
            assert_equal(sorted(v.keys()), sorted(fields))
            info = node.getdescriptorinfo("addr(%s)" % a)
            assert_equal(sorted(info.keys()), ["checksum", "descriptor", "hasprivatekeys",
                                               "isrange", "issolvable"])
            assert_equal(info["descriptor"], "addr(%s)#%s" % (a, info["checksum"]))
            assert_equal((info["isrange"], info["issolvable"], info["hasprivatekeys"]),
                         (False, False, False))
            assert_equal(node.deriveaddresses(info["descriptor"]), [a])
            # raw() of the same script derives the same address.
            rd = node.getdescriptorinfo("raw(%s)" % key.script(kind).hex())["descriptor"]
            assert_equal(node.deriveaddresses(rd), [a])
        # Mainnet address on regtest; typos.
        v = node.validateaddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        assert_equal(v, {"isvalid": False, "error_locations": [],
                         "error": "Invalid or unsupported Segwit (Bech32) or Base58 encoding."})
        a = key.address("p2wpkh")
        typo = a[:10] + ("q" if a[10] != "q" else "p") + a[11:]
        v = node.validateaddress(typo)
        assert_equal(v, {"isvalid": False, "error_locations": [10],
                         "error": "Invalid Bech32 checksum"})
        a = key.address("p2tr")
        typo = a[:7] + ("q" if a[7] != "q" else "p") + a[8:20] + ("q" if a[20] != "q" else "p") + a[21:]
        v = node.validateaddress(typo)
        assert_equal(v, {"isvalid": False, "error_locations": [7, 20],
                         "error": "Invalid Bech32m checksum"})
        last = max(i for i, c in enumerate(a) if c.isalpha())
        mixed = a.upper()[:last] + a[last] + a.upper()[last + 1:]
        v = node.validateaddress(mixed)
        assert_equal(v["error"], "Invalid character or mixed case")
        assert_equal(v["error_locations"], [last])
        assert_equal(node.validateaddress("bcrt1qxyz")["error_locations"], [4])
        p = key.address("p2pkh")
        v = node.validateaddress(p[:-1] + ("1" if p[-1] != "1" else "2"))
        assert_equal(v, {"isvalid": False, "error_locations": [],
                         "error": "Invalid checksum or length of Base58 address (P2PKH or P2SH)"})

        assert_raises_rpc_error(-5, "Raw script is not hex", node.getdescriptorinfo, "raw(zz)")
        assert_raises_rpc_error(-5, "Address is not valid", node.getdescriptorinfo,
                                "addr(notanaddress)")
        assert_raises_rpc_error(-5, "'foo' is not a valid descriptor function",
                                node.getdescriptorinfo, "foo(51)")
        assert_raises_rpc_error(-5, "Provided checksum 'aaaaaaaa' does not match computed checksum",
                                node.getdescriptorinfo, "raw(51)#aaaaaaaa")
        assert_raises_rpc_error(-5, "Missing checksum", node.deriveaddresses, "raw(51)")
        assert_raises_rpc_error(-5, "Descriptor does not have a corresponding address",
                                node.deriveaddresses, node.getdescriptorinfo("raw(51)")["descriptor"])
        assert_raises_rpc_error(-8, "Range should not be specified for an un-ranged descriptor",
                                node.deriveaddresses,
                                node.getdescriptorinfo("addr(%s)" % key.address("p2tr"))["descriptor"],
                                [0, 2])

    def test_mainnet_addresses(self):
        """Core's rpc_validateaddress.py cases whose answer Core 29 gives
        through bech32 decoding (error text and error_locations), on a
        mainnet node."""
        self.log("validateaddress on mainnet: BIP173/BIP350 cases")
        main = TestNode(len(self.nodes), self.tmpdir, self.bindir, chain="main")
        self.nodes.append(main)
        main.start()
        invalid = [
            ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid Bech32 checksum", [41]),
            ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
             "Version 1+ witness address must use Bech32m checksum", []),
            ("bc1rw5uspcuh", "Version 1+ witness address must use Bech32m checksum", []),
            ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
             "Invalid Bech32 v0 address program size (16 bytes), per BIP141", []),
            ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", "Invalid character or mixed case", [40]),
            ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
             "Version 1+ witness address must use Bech32m checksum", []),
            ("bc1qfysxzmfq2phhyarvv9hxgtjgdajxcw3fpkpph893lw",
             "Invalid padding in Bech32 data section", []),
            ("bc1gmk9yu", "Empty Bech32 data section", []),
            ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
             "Version 1+ witness address must use Bech32m checksum", []),
            ("bc1qfysxzmfq2phhyarvv9hxgtjgfazycwjypqqqfm706a",
             "Version 0 witness address must use Bech32 checksum", []),
            ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
             "Invalid Bech32 address witness version", []),
            ("bc1pw5dgrnzv", "Invalid Bech32 address program size (1 byte)", []),
            ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
             "Invalid Bech32 address program size (41 bytes)", []),
            ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
             "Invalid padding in Bech32 data section", []),
        ]
        for addr, error, locs in invalid:
            v = main.validateaddress(addr)
            assert_equal(v, {"isvalid": False, "error_locations": locs, "error": error}, addr)
        valid = [
            ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
            ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
             "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
            ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
             "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
            ("BC1SW50QGDZ25J", "6002751e"),
            ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
            ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
             "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
            ("bc1pfeessrawgf", "51024e73"),
        ]
        for addr, spk in valid:
            v = main.validateaddress(addr)
            assert_equal(v["isvalid"], True, addr)
            assert_equal(v["scriptPubKey"], spk)
            assert "error" not in v and "error_locations" not in v
        main.stop_node()


if __name__ == "__main__":
    BlockchainRPCTest().main()
