#ifndef BLVM_NODE_CHAINSTATE_INIT_H
#define BLVM_NODE_CHAINSTATE_INIT_H

/* blvmd's start-up and shutdown of the chain state: opens it with the
 * configuration's options (-datadir, -blocksdir, -dbcache, -par, -prune,
 * -reindex, -reindex-chainstate, -assumevalid, -fastprune), imports the
 * -loadblock files, and plugs it into the node context. */

#include <stdbool.h>
#include <stddef.h>

#include "node/config.h"
#include "node/node.h"
#include "util/common.h"

/* Opens the chain state of the configured network into node->chainstate and
 * registers a shutdown hook that wakes its waiters. false with a message in
 * err when it cannot be opened. */
BLVM_WUR bool blvm_init_chainstate(blvm_node *node, const blvm_config *cfg, char *err,
                                   size_t errlen);
/* Flushes and closes node->chainstate (after the RPC server stopped). */
void blvm_init_chainstate_close(blvm_node *node);

#endif
