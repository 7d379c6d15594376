#ifndef BLVM_NODE_RPC_BLOCKCHAIN_UTIL_H
#define BLVM_NODE_RPC_BLOCKCHAIN_UTIL_H

/* Pieces the blockchain, rawtransaction and mining RPC tables share. */

#include <jansson.h>

#include "node/blockindex.h"
#include "node/chainstate.h"
#include "node/node.h"
#include "node/rpc/rpc.h"

/* The node's chainstate, or NULL after filling err with RPC_IN_WARMUP. */
blvm_chainstate *blvm_rpc_chainstate(blvm_node *node, blvm_rpc_error *err);

/* The network's consensus parameters (from the chainstate, or from the
 * configuration before it is loaded). */
const blvm_params *blvm_rpc_params(const blvm_node *node);

/* nBits as Core shows it ("207fffff"), and the target it encodes as 64 hex
 * digits (Core 29's "target" fields). */
json_t *blvm_rpc_bits_json(uint32_t bits);
json_t *blvm_rpc_target_json(uint32_t bits, const blvm_params *p);

/* Core's blockheaderToJSON for an index entry. Call with the chainstate
 * locked. */
json_t *blvm_rpc_header_json(blvm_chainstate *cs, blvm_block_index *b);

/* Reads and decodes a stored block; Core's errors when its data is pruned
 * ("Block not available (pruned data)") or missing ("Block not found on
 * disk"). */
BLVM_WUR bool blvm_rpc_read_block(blvm_chainstate *cs, blvm_block_index *b, blvm_block *out,
                                  uint8_t **raw, size_t *raw_len, blvm_rpc_error *err);

#endif
