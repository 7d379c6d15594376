/* Fuzz target: block decode. Whatever decodes must re-encode to the same
 * bytes; then the merkle roots, CheckBlock (without proof of work) and the
 * witness commitment check run and must not crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/block.h"
#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    blvm_reader r;
    blvm_reader_init(&r, data, size);
    blvm_block b;
    if (!blvm_block_decode(&b, &r)) {
        if (r.pos != 0 || r.err == BLVM_READ_OK || b.txs || b.tx_count) abort();
        return 0;
    }
    size_t used = r.pos;
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_encode(&b, &w, true);
    if (w.err || w.len != used || memcmp(w.data, data, used)) abort();
    blvm_writer_clear(&w);
    if (blvm_block_size(&b, true) != used) abort();
    uint8_t root[32];
    bool mutated;
    if (!blvm_block_merkle_root(&b, root, &mutated)) abort();
    if (!blvm_block_witness_merkle_root(&b, root, NULL)) abort();
    blvm_validation_state st;
    blvm_state_init(&st);
    bool ok = blvm_check_block(&b, blvm_params_get(BLVM_NET_REGTEST), (data[1] & 2) != 0,
                               (data[0] & 1) != 0, &st);
    if (ok != blvm_state_is_valid(&st)) abort();
    blvm_state_init(&st);
    if (ok) (void)!blvm_block_check_witness_commitment(&b, (data[1] & 1) != 0, &st);
    blvm_block_clear(&b);
    return 0;
}
