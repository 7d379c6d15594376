#ifndef BLVM_CONSENSUS_SIGNET_H
#define BLVM_CONSENSUS_SIGNET_H

/* BIP325 signet block solutions (Core's signet.cpp): on a signet every block
 * but the genesis block carries, in its witness commitment output, a push
 * starting with the 4-byte signet header followed by a serialized scriptSig
 * and witness stack. They must satisfy the network's challenge script as the
 * input of a virtual transaction that commits to the block (version,
 * previous hash, a merkle root computed without the solution, time). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/params.h"
#include "util/common.h"

/* The 4 bytes that open the solution push (Core's SIGNET_HEADER). */
#define BLVM_SIGNET_HEADER_LEN 4
extern const uint8_t BLVM_SIGNET_HEADER[BLVM_SIGNET_HEADER_LEN];

/* Core's CheckSignetBlockSolution for block b under p's challenge.
 * 1: valid (always for p's genesis block); 0: no witness commitment, a
 * solution that does not parse, or one that does not satisfy the challenge;
 * -1: out of memory. */
BLVM_WUR int blvm_signet_check_block_solution(const blvm_block *b, const blvm_params *p);

#endif
