/* The node context: see node.h. */
#include "node/node.h"

void blvm_node_request_shutdown(blvm_node *node) {
    atomic_store(&node->shutdown_requested, true);
}

bool blvm_node_shutdown_requested(const blvm_node *node) {
    return atomic_load(&((blvm_node *)node)->shutdown_requested);
}
