#!/usr/bin/env python3
"""Pruning. Manual pruning (-prune=1) with small block files (-fastprune,
64 KiB as Core's) over a chain long enough for regtest (more than 1,000
blocks): pruneblockchain deletes whole block and undo files while keeping
the last 288 blocks, getblockchaininfo reports pruned/pruneheight,
getblock of a pruned block is "Block not available (pruned data)", and the
node restarts with the same chain. Also the start-up checks of -prune and
the options getblockchaininfo shows for -prune=550."""
import os

from test_framework.messages import TestKey
from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_greater_than, assert_raises_rpc_error


def utxo(node):
    a = node.gettxoutsetinfo("hash_serialized_3")
    return (a["height"], a["bestblock"], a["hash_serialized_3"],
            node.gettxoutsetinfo("muhash")["muhash"])


def block_files(node):
    d = os.path.join(node.netdir, "blocks")
    return sorted(f for f in os.listdir(d) if f.startswith(("blk", "rev")) and f.endswith(".dat"))


class PruningTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-prune=1", "-fastprune"], []]

    def run_test(self):
        node, plain = self.nodes
        key = TestKey(b"feature_pruning")

        self.log("not in prune mode; -prune values checked at start-up")
        info = plain.getblockchaininfo()
        assert_equal(info["pruned"], False)
        assert "pruneheight" not in info and "automatic_pruning" not in info
        plain.generatetoaddress(1, key.address("p2wpkh"))
        assert_raises_rpc_error(-1, "Cannot prune blocks because node is not in prune mode.",
                                plain.pruneblockchain, 1)
        plain.stop_node()
        plain.assert_start_raises_init_error(
            ["-prune=500"], "Prune configured below the minimum of 550 MiB.  Please use a higher number.")
        plain.assert_start_raises_init_error(
            ["-prune=550", "-reindex-chainstate"],
            "Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.")
        plain.start(["-prune=550"])
        info = plain.getblockchaininfo()
        assert_equal(info["pruned"], True)
        assert_equal(info["automatic_pruning"], True)
        assert_equal(info["prune_target_size"], 550 * 1024 * 1024)
        assert_equal(info["pruneheight"], 0)
        plain.stop_node()

        self.log("-prune=1: manual pruning only")
        info = node.getblockchaininfo()
        assert_equal(info["pruned"], True)
        assert_equal(info["automatic_pruning"], False)
        assert "prune_target_size" not in info
        node.generatetoaddress(500, key.address("p2wpkh"))
        assert_raises_rpc_error(-1, "Blockchain is too short for pruning.", node.pruneblockchain, 100)
        node.generatetoaddress(700, key.address("p2tr"))
        tip = node.getblockcount()
        assert_equal(tip, 1200)
        files = block_files(node)
        assert_greater_than(len([f for f in files if f.startswith("blk")]), 3)
        assert "blk00000.dat" in files and "rev00000.dat" in files
        before = utxo(node)
        assert_equal(node.getblockchaininfo()["pruneheight"], 0)

        assert_raises_rpc_error(-8, "Negative block height.", node.pruneblockchain, -1)
        assert_raises_rpc_error(-8, "Blockchain is shorter than the attempted prune height.",
                                node.pruneblockchain, tip + 1)
        assert_raises_rpc_error(-8, "Could not find block with at least the specified timestamp.",
                                node.pruneblockchain, 2 ** 31 - 1)

        self.log("pruneblockchain up to 600")
        last = node.pruneblockchain(600)
        assert 0 < last < 600, last
        files = block_files(node)
        assert "blk00000.dat" not in files and "rev00000.dat" not in files, files
        info = node.getblockchaininfo()
        assert_equal(info["pruned"], True)
        assert_equal(info["pruneheight"], last + 1)
        assert_equal(info["blocks"], tip)
        assert_greater_than(info["size_on_disk"], 0)
        pruned_hash = node.getblockhash(last)
        assert_raises_rpc_error(-1, "Block not available (pruned data)", node.getblock, pruned_hash)
        assert_raises_rpc_error(-1, "Block not available (pruned data)", node.getblock,
                                node.getblockhash(1), 0)
        assert_raises_rpc_error(-1, "Block not available (pruned data)", node.getblockstats, 1)
        assert_raises_rpc_error(-1, "Block not available", node.getrawtransaction, "11" * 32,
                                False, pruned_hash)
        cb_txid = node.getblockheader(pruned_hash)  # headers stay
        assert_equal(cb_txid["height"], last)
        # Blocks above the prune height are all there.
        node.getblock(node.getblockhash(last + 1), 2)
        node.getblockstats(last + 1)
        assert_equal(utxo(node), before)
        # Core's VerifyDB stops at the first pruned block and reports it as
        # not a success (SKIPPED_MISSING_BLOCKS); within the kept blocks it
        # succeeds.
        assert_equal(node.verifychain(4, 0), False)
        assert_equal(node.verifychain(4, 200), True)

        self.log("pruning close to the tip keeps the last 288 blocks")
        last2 = node.pruneblockchain(tip)
        assert last < last2 <= tip - 288, last2
        assert_equal(node.getblockchaininfo()["pruneheight"], last2 + 1)
        for h in range(tip - 287, tip + 1, 41):
            node.getblock(node.getblockhash(h), 0)
        # A second call has nothing left to do.
        assert_equal(node.pruneblockchain(tip), last2)
        # By timestamp: the block time of an already-pruned block.
        assert_equal(node.pruneblockchain(node.getblockheader(node.getblockhash(10))["time"]), last2)

        self.log("restart: same chain, still pruned; it goes on")
        node.restart_node()
        assert_equal(node.getblockcount(), tip)
        assert_equal(utxo(node), before)
        assert_equal(node.getblockchaininfo()["pruneheight"], last2 + 1)
        assert_raises_rpc_error(-1, "Block not available (pruned data)", node.getblock, pruned_hash)
        node.generatetoaddress(5, key.address("p2pkh"))
        assert_equal(node.getblockcount(), tip + 5)
        node.kill_process()
        node.start()
        # Blocks after the last flush may be lost to kill -9; what is there
        # is consistent.
        assert node.getblockcount() >= tip
        assert_equal(node.verifychain(4, 200), True)
        assert_equal(node.getblockchaininfo()["pruneheight"], last2 + 1)


if __name__ == "__main__":
    PruningTest().main()
