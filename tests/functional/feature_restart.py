#!/usr/bin/env python3
"""A clean restart keeps the chain and the UTXO set hashes. kill -9 while a
second thread is mining (with a small -dbcache, so flushes happen during
the run), then restart: the chain is consistent (verifychain, headers link
up, blocks readable) and gettxoutsetinfo's hash_serialized_3 and muhash
equal those of a -reindex and of a -reindex-chainstate of the same data."""
import random
import threading
import time

from test_framework.authproxy import AuthServiceProxy
from test_framework.messages import COIN, TestKey, Tx, TxIn, TxOut
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_greater_than


def utxo_hashes(node):
    a = node.gettxoutsetinfo("hash_serialized_3")
    b = node.gettxoutsetinfo("muhash")
    assert_equal(a["height"], b["height"])
    assert_equal(a["bestblock"], b["bestblock"])
    return {"height": a["height"], "bestblock": a["bestblock"], "txouts": a["txouts"],
            "total_amount": a["total_amount"], "hash_serialized_3": a["hash_serialized_3"],
            "muhash": b["muhash"]}


class Miner(threading.Thread):
    """Mines blocks (some with a spend) over its own RPC connection until the
    node goes away."""

    def __init__(self, node, key, coins):
        super().__init__(daemon=True)
        with open(node.cookie_path) as f:
            user, pw = f.read().strip().split(":", 1)
        self.rpc = AuthServiceProxy("127.0.0.1", node.rpc_port, user, pw, timeout=30)
        self.key = key
        self.coins = coins  # [(txid, n, TxOut)] spendable by key (p2wpkh)
        self.mined = 0
        self.error = None

    def run(self):
        addr = self.key.address("p2wpkh")
        try:
            while True:
                if self.coins and self.mined % 3 == 0:
                    txid, n, out = self.coins.pop()
                    tx = Tx()
                    tx.vin = [TxIn(txid, n)]
                    half = (out.value - 1000) // 2
                    tx.vout = [TxOut(half, self.key.script("p2wpkh")),
                               TxOut(out.value - 1000 - half, self.key.script("p2tr"))]
                    self.key.sign_input(tx, 0, "p2wpkh", [out])
                    self.rpc.generateblock(addr, [tx.hex()])
                else:
                    self.rpc.generatetoaddress(1, addr)
                self.mined += 1
        except Exception as e:  # the node was killed
            self.error = e


class RestartTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-dbcache=4"]]

    def check_consistent(self, node):
        count = node.getblockcount()
        assert_equal(node.getblockchaininfo()["blocks"], count)
        assert_equal(node.verifychain(4, 0), True)
        # The last 300 headers link up to the tip, their blocks are readable
        # and their heights are right.
        bh = node.getbestblockhash()
        for h in range(count, max(-1, count - 300), -1):
            assert_equal(node.getblockhash(h), bh)
            blk = node.getblock(bh, 1)
            assert_equal(blk["height"], h)
            assert_equal(blk["confirmations"], count - h + 1)
            bh = blk.get("previousblockhash")
        for t in node.getchaintips():
            if t["status"] == "active":
                assert_equal(t["height"], count)
        return count

    def run_test(self):
        node = self.nodes[0]
        key = TestKey(b"feature_restart")
        self.log("mine 120 blocks, restart: same chain and UTXO hashes")
        node.generatetoaddress(120, key.address("p2wpkh"))
        before = utxo_hashes(node)
        best = node.getbestblockhash()
        node.restart_node()
        assert_equal(node.getbestblockhash(), best)
        assert_equal(node.getblockcount(), 120)
        assert_equal(utxo_hashes(node), before)
        # SIGTERM is a clean shutdown too.
        node.signal(15)
        node.wait_until_stopped()
        node.start()
        assert_equal(utxo_hashes(node), before)

        coins = []
        for h in range(1, 21):
            cb = node.getblock(node.getblockhash(h), 2)["tx"][0]
            coins.append((cb["txid"], 0, TxOut(int(cb["vout"][0]["value"] * COIN),
                                               key.script("p2wpkh"))))
        rng = random.Random(7)
        for rnd in range(3):
            self.log(f"round {rnd}: kill -9 while another thread mines")
            start = node.getblockcount()
            miner = Miner(node, key, coins)
            miner.start()
            time.sleep(0.3 + rng.random() * 0.7)
            node.kill_process()
            miner.join(30)
            assert not miner.is_alive()
            assert miner.error is not None
            self.log(f"  mined {miner.mined} blocks before the kill")
            node.start()
            count = self.check_consistent(node)
            assert count >= start
            after = utxo_hashes(node)
            assert_equal(after["bestblock"], node.getbestblockhash())
            # Coins the miner used are spent if their block survived; keep
            # only the ones still unspent for the next round.
            coins = [c for c in coins if node.gettxout(c[0], c[1]) is not None]

            for flag in ("-reindex", "-reindex-chainstate"):
                node.restart_node([flag])
                assert_equal(node.getbestblockhash(), after["bestblock"])
                assert_equal(utxo_hashes(node), after)
            node.restart_node()
            assert_equal(utxo_hashes(node), after)
        assert_greater_than(node.getblockcount(), 120)
        # The node goes on mining where it was.
        node.generatetoaddress(2, key.address("p2tr"))
        self.check_consistent(node)


if __name__ == "__main__":
    RestartTest().main()
