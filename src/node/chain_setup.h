#ifndef BLVM_NODE_CHAIN_SETUP_H
#define BLVM_NODE_CHAIN_SETUP_H

/* Opening the chainstate from blvmd's configuration (-datadir, -blocksdir,
 * -dbcache, -par, -prune, -reindex, -reindex-chainstate, -assumevalid) and
 * importing -loadblock files, with progress in the log. */

#include <stdbool.h>
#include <stddef.h>

#include "node/config.h"
#include "node/node.h"

/* Opens node->chainstate and registers its flush/close at shutdown. On
 * failure writes one sentence to err. */
BLVM_WUR bool blvm_node_open_chainstate(blvm_node *node, const blvm_config *cfg, char *err,
                                        size_t errlen);

/* Imports every -loadblock file in order; a damaged or truncated file is
 * reported in the log and skipped. Stops early on shutdown. */
void blvm_node_import_blocks(blvm_node *node, const blvm_config *cfg);

/* True once the chainstate hit a fatal storage error (disk full, I/O
 * error): it asked the node to stop, and blvmd then exits with status 1
 * (Core's AbortNode). */
bool blvm_node_chainstate_failed(void);

#endif
