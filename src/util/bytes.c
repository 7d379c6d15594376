#include "util/bytes.h"

#include <stdlib.h>
#include <string.h>

void blvm_reader_init(blvm_reader *r, const uint8_t *data, size_t len) {
    r->data = data;
    r->len = data ? len : 0;
    r->pos = 0;
    r->err = BLVM_READ_OK;
}

static bool take(blvm_reader *r, size_t n, const uint8_t **p) {
    if (r->err != BLVM_READ_OK) return false;
    if (n > r->len - r->pos) {
        r->err = BLVM_READ_TRUNCATED;
        return false;
    }
    *p = r->data + r->pos;
    r->pos += n;
    return true;
}

bool blvm_read_u8(blvm_reader *r, uint8_t *out) {
    const uint8_t *p;
    if (!take(r, 1, &p)) return false;
    *out = p[0];
    return true;
}

bool blvm_read_u16(blvm_reader *r, uint16_t *out) {
    const uint8_t *p;
    if (!take(r, 2, &p)) return false;
    *out = blvm_read_le16(p);
    return true;
}

bool blvm_read_u16_be(blvm_reader *r, uint16_t *out) {
    const uint8_t *p;
    if (!take(r, 2, &p)) return false;
    *out = (uint16_t)((p[0] << 8) | p[1]);
    return true;
}

bool blvm_read_u32(blvm_reader *r, uint32_t *out) {
    const uint8_t *p;
    if (!take(r, 4, &p)) return false;
    *out = blvm_read_le32(p);
    return true;
}

bool blvm_read_u32_be(blvm_reader *r, uint32_t *out) {
    const uint8_t *p;
    if (!take(r, 4, &p)) return false;
    *out = blvm_read_be32(p);
    return true;
}

bool blvm_read_u64(blvm_reader *r, uint64_t *out) {
    const uint8_t *p;
    if (!take(r, 8, &p)) return false;
    *out = blvm_read_le64(p);
    return true;
}

bool blvm_read_i32(blvm_reader *r, int32_t *out) {
    uint32_t v;
    if (!blvm_read_u32(r, &v)) return false;
    *out = (int32_t)v;
    return true;
}

bool blvm_read_i64(blvm_reader *r, int64_t *out) {
    uint64_t v;
    if (!blvm_read_u64(r, &v)) return false;
    *out = (int64_t)v;
    return true;
}

bool blvm_read_bytes(blvm_reader *r, uint8_t *out, size_t n) {
    const uint8_t *p;
    if (!take(r, n, &p)) return false;
    if (n) memcpy(out, p, n);
    return true;
}

bool blvm_read_span(blvm_reader *r, const uint8_t **out, size_t n) {
    return take(r, n, out);
}

bool blvm_read_skip(blvm_reader *r, size_t n) {
    const uint8_t *p;
    return take(r, n, &p);
}

bool blvm_read_compact_size_unbounded(blvm_reader *r, uint64_t *out) {
    size_t start = r->pos;
    uint8_t tag;
    uint64_t v;
    if (!blvm_read_u8(r, &tag)) return false;
    if (tag < 0xfd) {
        v = tag;
    } else if (tag == 0xfd) {
        uint16_t x;
        if (!blvm_read_u16(r, &x)) goto fail;
        v = x;
        if (v < 0xfd) goto noncanonical;
    } else if (tag == 0xfe) {
        uint32_t x;
        if (!blvm_read_u32(r, &x)) goto fail;
        v = x;
        if (v < 0x10000u) goto noncanonical;
    } else {
        if (!blvm_read_u64(r, &v)) goto fail;
        if (v < 0x100000000ull) goto noncanonical;
    }
    *out = v;
    return true;
noncanonical:
    r->err = BLVM_READ_NONCANONICAL;
fail:
    r->pos = start;
    return false;
}

bool blvm_read_compact_size(blvm_reader *r, uint64_t *out) {
    size_t start = r->pos;
    uint64_t v;
    if (!blvm_read_compact_size_unbounded(r, &v)) return false;
    if (v > BLVM_MAX_COMPACT_SIZE) {
        r->pos = start;
        r->err = BLVM_READ_TOO_LARGE;
        return false;
    }
    *out = v;
    return true;
}

void blvm_writer_init(blvm_writer *w) {
    w->data = NULL;
    w->len = 0;
    w->cap = 0;
    w->err = false;
}

void blvm_writer_clear(blvm_writer *w) {
    free(w->data);
    blvm_writer_init(w);
}

bool blvm_writer_reserve(blvm_writer *w, size_t n) {
    if (w->err) return false;
    if (n <= w->cap - w->len) return true;
    if (n > SIZE_MAX / 2 - w->len) {
        w->err = true;
        return false;
    }
    size_t cap = w->cap ? w->cap : 64;
    while (cap - w->len < n) cap *= 2;
    uint8_t *p = realloc(w->data, cap);
    if (!p) {
        w->err = true;
        return false;
    }
    w->data = p;
    w->cap = cap;
    return true;
}

uint8_t *blvm_writer_release(blvm_writer *w, size_t *len_out) {
    uint8_t *p = w->data;
    if (len_out) *len_out = w->len;
    blvm_writer_init(w);
    return p;
}

void blvm_write_bytes(blvm_writer *w, const void *data, size_t n) {
    if (n == 0 || !blvm_writer_reserve(w, n)) return;
    memcpy(w->data + w->len, data, n);
    w->len += n;
}

void blvm_write_u8(blvm_writer *w, uint8_t v) { blvm_write_bytes(w, &v, 1); }

void blvm_write_u16(blvm_writer *w, uint16_t v) {
    uint8_t b[2];
    blvm_write_le16(b, v);
    blvm_write_bytes(w, b, 2);
}

void blvm_write_u32(blvm_writer *w, uint32_t v) {
    uint8_t b[4];
    blvm_write_le32(b, v);
    blvm_write_bytes(w, b, 4);
}

void blvm_write_u64(blvm_writer *w, uint64_t v) {
    uint8_t b[8];
    blvm_write_le64(b, v);
    blvm_write_bytes(w, b, 8);
}

void blvm_write_i32(blvm_writer *w, int32_t v) { blvm_write_u32(w, (uint32_t)v); }
void blvm_write_i64(blvm_writer *w, int64_t v) { blvm_write_u64(w, (uint64_t)v); }

size_t blvm_encode_compact_size(uint8_t *out, uint64_t v) {
    if (v < 0xfd) {
        out[0] = (uint8_t)v;
        return 1;
    }
    if (v <= 0xffff) {
        out[0] = 0xfd;
        blvm_write_le16(out + 1, (uint16_t)v);
        return 3;
    }
    if (v <= 0xffffffffu) {
        out[0] = 0xfe;
        blvm_write_le32(out + 1, (uint32_t)v);
        return 5;
    }
    out[0] = 0xff;
    blvm_write_le64(out + 1, v);
    return 9;
}

void blvm_write_compact_size(blvm_writer *w, uint64_t v) {
    uint8_t b[9];
    blvm_write_bytes(w, b, blvm_encode_compact_size(b, v));
}

void blvm_write_var_bytes(blvm_writer *w, const void *data, size_t n) {
    blvm_write_compact_size(w, n);
    blvm_write_bytes(w, data, n);
}
