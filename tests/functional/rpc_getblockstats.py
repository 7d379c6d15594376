#!/usr/bin/env python3
"""getblockstats against Bitcoin Core 29's own test data
(rpc_getblockstats.json): its 104 regtest blocks are loaded with
submitblock and every statistic of every listed height must be what Core
answered, by height and by hash, all together and one at a time; then
Core's errors for bad heights, hashes and statistic names."""
import json
import os
from decimal import Decimal

from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, vectors_dir


class GetblockstatsTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        path = os.path.join(vectors_dir(), "rpc_getblockstats.json")
        with open(path) as f:
            data = json.load(f, parse_float=Decimal)
        blocks, expected = data["blocks"], data["stats"]
        self.log(f"load {len(blocks)} blocks of Core's test chain")
        # The first is the regtest genesis block.
        assert_equal(node.submitblock(blocks[0]), "duplicate")
        for i, b in enumerate(blocks[1:], 1):
            res = node.submitblock(b)
            assert_equal(res, None, f"block {i}")
        tip = len(blocks) - 1
        assert_equal(node.getblockcount(), tip)

        self.log("every statistic of each height, by height and by hash")
        for exp in expected:
            got = node.getblockstats(exp["height"])
            assert_equal(sorted(got.keys()), sorted(exp.keys()))
            for k in exp:
                assert_equal(got[k], exp[k], f"height {exp['height']} stat {k}")
            assert_equal(node.getblockstats(hash_or_height=exp["blockhash"]), exp)

        self.log("each statistic on its own; a selection")
        for stat in expected[0]:
            for exp in expected:
                got = node.getblockstats(hash_or_height=exp["height"], stats=[stat])
                assert_equal(list(got.keys()), [stat])
                assert_equal(got[stat], exp[stat], f"height {exp['height']} stat {stat}")
        some = {"minfee", "maxfee"}
        assert_equal(set(node.getblockstats(hash_or_height=1, stats=list(some)).keys()), some)
        sel = node.getblockstats(expected[-1]["height"], ["txs", "totalfee", "utxo_size_inc"])
        assert_equal(sel, {k: expected[-1][k] for k in ("txs", "totalfee", "utxo_size_inc")})

        self.log("the genesis block and the tip (with an OP_RETURN output)")
        g = node.getblockstats(0)
        assert_equal(g["blockhash"], "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
        assert_equal(g["utxo_increase"], 1)
        assert_equal(g["utxo_size_inc"], 117)
        assert_equal(g["utxo_increase_actual"], 0)
        assert_equal(g["utxo_size_inc_actual"], 0)
        t = node.getblockstats(tip)
        assert_equal(t["utxo_increase"], 6)
        assert_equal(t["utxo_size_inc"], 441)
        assert_equal(t["utxo_increase_actual"], 4)
        assert_equal(t["utxo_size_inc_actual"], 300)

        self.log("errors")
        assert_raises_rpc_error(-8, f"Target block height {tip + 1} after current tip {tip}",
                                node.getblockstats, hash_or_height=tip + 1)
        assert_raises_rpc_error(-8, "Target block height -1 is negative",
                                node.getblockstats, hash_or_height=-1)
        inv = "asdfghjkl"
        for stats in ([inv], ["minfee", inv], [inv, "minfee"], ["minfee", inv, "maxfee"]):
            assert_raises_rpc_error(-8, f"Invalid selected statistic '{inv}'",
                                    node.getblockstats, hash_or_height=1, stats=stats)
        assert_raises_rpc_error(-8, f"Invalid selected statistic 'aaa{inv}'",
                                node.getblockstats, hash_or_height=1, stats=["minfee", "aaa" + inv])
        # Mainnet's genesis block is not on regtest.
        assert_raises_rpc_error(
            -5, "Block not found", node.getblockstats,
            hash_or_height="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        assert_raises_rpc_error(-8, "hash_or_height must be of length 64 (not 2, for '00')",
                                node.getblockstats, "00")
        assert_raises_rpc_error(-1, "getblockstats hash_or_height ( stats )",
                                node.getblockstats, "00", 1, 2)
        assert_raises_rpc_error(-1, "getblockstats hash_or_height ( stats )", node.getblockstats)

        self.log("the stats survive a -reindex-chainstate (undo data rebuilt)")
        node.restart_node(["-reindex-chainstate"])
        for exp in expected:
            assert_equal(node.getblockstats(exp["height"]), exp)


if __name__ == "__main__":
    GetblockstatsTest().main()
