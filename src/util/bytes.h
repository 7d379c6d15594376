#ifndef BLVM_UTIL_BYTES_H
#define BLVM_UTIL_BYTES_H

/* The one bounds-checked reader for untrusted bytes, and a growable writer.
 *
 * Reader: every read either succeeds and advances, or fails, leaves the
 * cursor where it was and sets r->err. Once r->err is set every later read
 * fails too, so a decoder may check once at the end of a group of reads.
 * Reading past the end is an error code, never undefined behaviour.
 *
 * Writer: appends to a heap buffer it owns. An allocation failure sets
 * w->err and turns every later write into a no-op.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Bitcoin Core's MAX_SIZE: the largest compact size a decoder accepts. */
#define BLVM_MAX_COMPACT_SIZE 0x02000000u

typedef enum {
    BLVM_READ_OK = 0,
    BLVM_READ_TRUNCATED,      /* fewer bytes left than the read needs */
    BLVM_READ_NONCANONICAL,   /* compact size not in its shortest form */
    BLVM_READ_TOO_LARGE,      /* compact size above BLVM_MAX_COMPACT_SIZE or a limit */
    BLVM_READ_INVALID,        /* well-formed bytes that break a rule of the format
                                 (set by decoders built on the reader) */
    BLVM_READ_NO_MEMORY,      /* a decoder could not allocate its output */
} blvm_read_error;

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;
    blvm_read_error err;
} blvm_reader;

void blvm_reader_init(blvm_reader *r, const uint8_t *data, size_t len);

static inline size_t blvm_reader_remaining(const blvm_reader *r) {
    return r->len - r->pos;
}
static inline const uint8_t *blvm_reader_ptr(const blvm_reader *r) {
    return r->data + r->pos;
}

BLVM_WUR bool blvm_read_u8(blvm_reader *r, uint8_t *out);
BLVM_WUR bool blvm_read_u16(blvm_reader *r, uint16_t *out);
BLVM_WUR bool blvm_read_u32(blvm_reader *r, uint32_t *out);
BLVM_WUR bool blvm_read_u64(blvm_reader *r, uint64_t *out);
BLVM_WUR bool blvm_read_i32(blvm_reader *r, int32_t *out);
BLVM_WUR bool blvm_read_i64(blvm_reader *r, int64_t *out);
BLVM_WUR bool blvm_read_u32_be(blvm_reader *r, uint32_t *out);
BLVM_WUR bool blvm_read_u16_be(blvm_reader *r, uint16_t *out);
/* Copies n bytes into out. */
BLVM_WUR bool blvm_read_bytes(blvm_reader *r, uint8_t *out, size_t n);
/* Points *out at the next n bytes without copying, and advances. */
BLVM_WUR bool blvm_read_span(blvm_reader *r, const uint8_t **out, size_t n);
BLVM_WUR bool blvm_read_skip(blvm_reader *r, size_t n);
/* Canonical compact size (shortest encoding), at most BLVM_MAX_COMPACT_SIZE,
 * like Core's ReadCompactSize(range_check=true). */
BLVM_WUR bool blvm_read_compact_size(blvm_reader *r, uint64_t *out);
/* Same encoding checks, without the 32 MiB limit (Core's range_check=false). */
BLVM_WUR bool blvm_read_compact_size_unbounded(blvm_reader *r, uint64_t *out);

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool err; /* an allocation failed; data holds what was written before */
} blvm_writer;

void blvm_writer_init(blvm_writer *w);
/* Frees the buffer and resets w to empty. */
void blvm_writer_clear(blvm_writer *w);
/* Makes room for n more bytes. */
BLVM_WUR bool blvm_writer_reserve(blvm_writer *w, size_t n);
/* Hands the buffer to the caller (who frees it) and resets w. */
uint8_t *blvm_writer_release(blvm_writer *w, size_t *len_out);

void blvm_write_bytes(blvm_writer *w, const void *data, size_t n);
void blvm_write_u8(blvm_writer *w, uint8_t v);
void blvm_write_u16(blvm_writer *w, uint16_t v);
void blvm_write_u32(blvm_writer *w, uint32_t v);
void blvm_write_u64(blvm_writer *w, uint64_t v);
void blvm_write_i32(blvm_writer *w, int32_t v);
void blvm_write_i64(blvm_writer *w, int64_t v);
void blvm_write_compact_size(blvm_writer *w, uint64_t v);
/* compact size of n, then the n bytes */
void blvm_write_var_bytes(blvm_writer *w, const void *data, size_t n);

/* Number of bytes blvm_write_compact_size(v) writes. */
static inline size_t blvm_compact_size_len(uint64_t v) {
    return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
}

/* Writes the compact size of v into out (at least 9 bytes); returns its length. */
size_t blvm_encode_compact_size(uint8_t *out, uint64_t v);

#endif
