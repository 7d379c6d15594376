#ifndef BLVM_NODE_RPC_AREAS_H
#define BLVM_NODE_RPC_AREAS_H

/* The RPC method tables, one per area; blvmd registers each at start-up. */

#include "node/rpc/rpc.h"

BLVM_WUR bool blvm_rpc_register_blockchain(blvm_rpc_table *t);
BLVM_WUR bool blvm_rpc_register_rawtransactions(blvm_rpc_table *t);
BLVM_WUR bool blvm_rpc_register_util(blvm_rpc_table *t);
/* src/node/rpc/mining.c: getmininginfo, getnetworkhashps, getblocktemplate,
 * submitblock, submitheader, generatetoaddress, generatetodescriptor,
 * generateblock. */
BLVM_WUR bool blvm_rpc_register_mining(blvm_rpc_table *t);

#endif
