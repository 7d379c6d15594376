/* Fuzz target: compact sizes. A value read must be canonical (re-encoding
 * gives the same bytes) and within the limit; failures leave the reader where
 * it was; the unbounded reader agrees below the limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    blvm_reader r, u;
    blvm_reader_init(&r, data, size);
    blvm_reader_init(&u, data, size);
    while (blvm_reader_remaining(&r) > 0) {
        size_t start = r.pos;
        uint64_t v = 0, vu = 0;
        bool ok = blvm_read_compact_size(&r, &v);
        u.pos = start;
        u.err = BLVM_READ_OK;
        bool oku = blvm_read_compact_size_unbounded(&u, &vu);
        if (!ok) {
            if (r.pos != start || r.err == BLVM_READ_OK) abort();
            if (r.err == BLVM_READ_TOO_LARGE && (!oku || vu <= BLVM_MAX_COMPACT_SIZE)) abort();
            if (r.err != BLVM_READ_TOO_LARGE && oku) abort();
            /* Skip a byte and go on reading. */
            r.err = BLVM_READ_OK;
            r.pos = start + 1;
            continue;
        }
        if (!oku || vu != v || u.pos != r.pos) abort();
        if (v > BLVM_MAX_COMPACT_SIZE) abort();
        uint8_t enc[9];
        size_t n = blvm_encode_compact_size(enc, v);
        if (n != r.pos - start || n != blvm_compact_size_len(v)) abort();
        if (memcmp(enc, data + start, n)) abort();
    }
    return 0;
}
