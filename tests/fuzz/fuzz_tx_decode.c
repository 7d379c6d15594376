/* Fuzz target: transaction decode. The first byte picks the witness mode;
 * whatever decodes must re-encode to exactly the bytes read (the encoding is
 * canonical), re-decode to the same hashes, agree on sizes and weight, and
 * survive a copy and CheckTransaction. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "consensus/tx_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    bool allow_witness = data[0] & 1;
    data++;
    size--;
    blvm_reader r;
    blvm_reader_init(&r, data, size);
    blvm_tx tx;
    if (!blvm_tx_decode(&tx, &r, allow_witness)) {
        if (r.pos != 0 || r.err == BLVM_READ_OK || tx.mem) abort();
        return 0;
    }
    size_t used = r.pos;
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_tx_encode(&tx, &w, allow_witness);
    if (w.err || w.len != used || memcmp(w.data, data, used)) abort();
    if (blvm_tx_size(&tx, allow_witness) != used) abort();
    if (blvm_tx_weight(&tx) != 3 * blvm_tx_size(&tx, false) + blvm_tx_size(&tx, true)) abort();
    uint8_t txid[32], wtxid[32];
    memcpy(txid, tx.txid, 32);
    memcpy(wtxid, tx.wtxid, 32);
    blvm_tx_compute_hashes(&tx);
    if (memcmp(txid, tx.txid, 32) || memcmp(wtxid, tx.wtxid, 32)) abort();
    blvm_tx copy;
    if (blvm_tx_copy(&copy, &tx)) {
        if (blvm_tx_size(&copy, true) != blvm_tx_size(&tx, true)) abort();
        blvm_validation_state a, b;
        blvm_state_init(&a);
        blvm_state_init(&b);
        bool ra = blvm_check_transaction(&tx, &a);
        bool rb = blvm_check_transaction(&copy, &b);
        if (ra != rb || strcmp(a.reject_reason, b.reject_reason)) abort();
        blvm_tx_clear(&copy);
    }
    blvm_writer_clear(&w);
    blvm_tx_clear(&tx);
    return 0;
}
