#!/usr/bin/env python3
"""A block file the index points at has gone missing (deleted by hand, a
failed disk): blvmd refuses to start with a message naming the file, as
Core's LoadBlockIndexDB check does, instead of failing later in the middle
of a reorg or an RPC. -reindex then rebuilds from the files that remain."""
import os

from test_framework.test_framework import BlvmTestFramework
from test_framework.util import assert_equal

OP_TRUE_DESC = "raw(51)#8lvh9jxk"


class MissingBlockFileTest(BlvmTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # 64 KiB block files, so a few hundred blocks fill several of them.
        self.extra_args = [["-fastprune"]]

    def run_test(self):
        node = self.nodes[0]
        node.generatetodescriptor(700, OP_TRUE_DESC)
        blocks = os.path.join(node.netdir, "blocks")
        files = sorted(f for f in os.listdir(blocks) if f.startswith("blk"))
        self.log(f"{len(files)} block files: {files}")
        assert len(files) >= 3, files
        node.stop_node()

        self.log("with a middle file gone, start-up stops and names it")
        victim = files[1]
        os.rename(os.path.join(blocks, victim), os.path.join(blocks, victim + ".away"))
        node.assert_start_raises_init_error(
            ["-fastprune"], expected_msg=f"block file {os.path.join(blocks, victim)} is missing")

        self.log("the file back: the node starts with its whole chain")
        os.rename(os.path.join(blocks, victim + ".away"), os.path.join(blocks, victim))
        node.start(["-fastprune"])
        assert_equal(node.getblockcount(), 700)
        node.stop_node()

        self.log("-reindex without the file keeps the blocks before the gap")
        os.remove(os.path.join(blocks, victim))
        node.start(["-fastprune", "-reindex"])
        height = node.getblockcount()
        self.log(f"after -reindex: height {height}")
        assert 0 < height < 700, height
        assert node.verifychain(4, 0)


if __name__ == "__main__":
    MissingBlockFileTest().main()
