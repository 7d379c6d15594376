/* Transactions: decode, encode, hashes, sizes, copies and builders.
 *
 * Decoding runs in two passes over the input. The first checks the whole
 * transaction against Core's UnserializeTransaction rules and measures it
 * without allocating anything; the second copies it into one heap block
 * (arrays first, then all script and witness bytes). So a lying count fails
 * in the first pass without cost, the allocation is bounded by a small
 * multiple of the bytes actually present, and a block of N transactions costs
 * N allocations.
 */
#include "consensus/tx.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"

/* Smallest encodings: an input is outpoint (36) + script length (1) +
 * sequence (4); an output is value (8) + script length (1). */
#define MIN_TXIN_SIZE  41
#define MIN_TXOUT_SIZE 9

void blvm_tx_init(blvm_tx *tx) {
    memset(tx, 0, sizeof *tx);
}

void blvm_script_clear(blvm_script *s) {
    if (s->cap) free(s->data);
    s->data = NULL;
    s->len = 0;
    s->cap = 0;
}

void blvm_witness_clear(blvm_witness *wit) {
    for (size_t i = 0; i < wit->count; i++)
        blvm_script_clear(&wit->items[i]);
    if (wit->cap) free(wit->items);
    wit->items = NULL;
    wit->count = 0;
    wit->cap = 0;
}

static void txin_release(blvm_txin *in) {
    blvm_script_clear(&in->script_sig);
    blvm_witness_clear(&in->witness);
}

void blvm_tx_clear(blvm_tx *tx) {
    for (size_t i = 0; i < tx->vin_count; i++)
        txin_release(&tx->vin[i]);
    for (size_t i = 0; i < tx->vout_count; i++)
        blvm_script_clear(&tx->vout[i].script_pubkey);
    if (tx->vin_owned) free(tx->vin);
    if (tx->vout_owned) free(tx->vout);
    free(tx->mem);
    blvm_tx_init(tx);
}

const char *blvm_tx_decode_strerror(blvm_tx_decode_result res) {
    switch (res) {
    case BLVM_TX_DECODE_OK:
        return "ok";
    case BLVM_TX_DECODE_READ:
        return "read error";
    case BLVM_TX_DECODE_SUPERFLUOUS_WITNESS:
        return "Superfluous witness record";
    case BLVM_TX_DECODE_UNKNOWN_FLAGS:
        return "Unknown transaction optional data";
    case BLVM_TX_DECODE_NO_MEMORY:
        return "out of memory";
    }
    return "unknown";
}

/* What the first pass learns about a transaction. */
typedef struct {
    size_t vin_count, vout_count;
    size_t wit_items;    /* witness stack items over all inputs */
    size_t script_bytes; /* scriptSigs + scriptPubKeys + witness items */
    bool segwit;         /* extended format with witnesses */
    /* Offsets from the start of the transaction: where the input vector
     * starts (after marker and flag when segwit), where the witnesses start
     * and where the lock time is. */
    size_t body_off, wit_off, lock_off, end_off;
} tx_shape;

static bool scan_vin(blvm_reader *r, tx_shape *sh) {
    uint64_t n;
    if (!blvm_read_compact_size(r, &n)) return false;
    /* Cheap rejection of a count the remaining bytes cannot hold. */
    if (n > blvm_reader_remaining(r) / MIN_TXIN_SIZE) {
        r->err = BLVM_READ_TRUNCATED;
        return false;
    }
    sh->vin_count = (size_t)n;
    for (size_t i = 0; i < sh->vin_count; i++) {
        uint64_t len;
        if (!blvm_read_skip(r, 36) || !blvm_read_compact_size(r, &len) ||
            !blvm_read_skip(r, (size_t)len) || !blvm_read_skip(r, 4))
            return false;
        sh->script_bytes += (size_t)len;
    }
    return true;
}

static bool scan_vout(blvm_reader *r, tx_shape *sh) {
    uint64_t n;
    if (!blvm_read_compact_size(r, &n)) return false;
    if (n > blvm_reader_remaining(r) / MIN_TXOUT_SIZE) {
        r->err = BLVM_READ_TRUNCATED;
        return false;
    }
    sh->vout_count = (size_t)n;
    for (size_t i = 0; i < sh->vout_count; i++) {
        uint64_t len;
        if (!blvm_read_skip(r, 8) || !blvm_read_compact_size(r, &len) ||
            !blvm_read_skip(r, (size_t)len))
            return false;
        sh->script_bytes += (size_t)len;
    }
    return true;
}

/* First pass: Core's UnserializeTransaction, without building anything. */
static blvm_tx_decode_result scan_tx(blvm_reader *r, bool allow_witness, tx_shape *sh) {
    size_t start = r->pos;
    memset(sh, 0, sizeof *sh);
    uint8_t flags = 0;
    if (!blvm_read_skip(r, 4)) return BLVM_TX_DECODE_READ;
    sh->body_off = 4;
    /* Read the inputs. A segwit marker (0x00) reads as an empty vector. */
    if (!scan_vin(r, sh)) return BLVM_TX_DECODE_READ;
    if (sh->vin_count == 0 && allow_witness) {
        /* BIP144: marker seen (or a real empty input vector); the next byte is
         * the flag. A zero flag means inputs and outputs both stay empty. */
        if (!blvm_read_u8(r, &flags)) return BLVM_TX_DECODE_READ;
        if (flags != 0) {
            sh->body_off = r->pos - start;
            if (!scan_vin(r, sh) || !scan_vout(r, sh)) return BLVM_TX_DECODE_READ;
        }
    } else {
        if (!scan_vout(r, sh)) return BLVM_TX_DECODE_READ;
    }
    sh->wit_off = r->pos - start;
    if ((flags & 1) && allow_witness) {
        flags ^= 1;
        bool any = false;
        for (size_t i = 0; i < sh->vin_count; i++) {
            uint64_t items;
            if (!blvm_read_compact_size(r, &items)) return BLVM_TX_DECODE_READ;
            /* Each item needs at least its one-byte length. */
            if (items > blvm_reader_remaining(r)) {
                r->err = BLVM_READ_TRUNCATED;
                return BLVM_TX_DECODE_READ;
            }
            if (items) any = true;
            sh->wit_items += (size_t)items;
            for (uint64_t k = 0; k < items; k++) {
                uint64_t len;
                if (!blvm_read_compact_size(r, &len) || !blvm_read_skip(r, (size_t)len))
                    return BLVM_TX_DECODE_READ;
                sh->script_bytes += (size_t)len;
            }
        }
        /* Encoding witnesses when all stacks are empty is illegal: it would
         * give one transaction two encodings. */
        if (!any) return BLVM_TX_DECODE_SUPERFLUOUS_WITNESS;
        sh->segwit = true;
    }
    if (flags) return BLVM_TX_DECODE_UNKNOWN_FLAGS;
    sh->lock_off = r->pos - start;
    if (!blvm_read_skip(r, 4)) return BLVM_TX_DECODE_READ;
    sh->end_off = r->pos - start;
    return BLVM_TX_DECODE_OK;
}

/* Second-pass helpers: the bytes were checked by scan_tx. */
static uint64_t take_compact(const uint8_t **pp) {
    const uint8_t *p = *pp;
    uint64_t v;
    if (p[0] < 0xfd) {
        v = p[0];
        *pp = p + 1;
    } else if (p[0] == 0xfd) {
        v = blvm_read_le16(p + 1);
        *pp = p + 3;
    } else if (p[0] == 0xfe) {
        v = blvm_read_le32(p + 1);
        *pp = p + 5;
    } else {
        v = blvm_read_le64(p + 1);
        *pp = p + 9;
    }
    return v;
}

static uint8_t *take_script(const uint8_t **pp, blvm_script *s, uint8_t *bytes) {
    size_t len = (size_t)take_compact(pp);
    s->len = len;
    s->cap = 0;
    if (len) {
        memcpy(bytes, *pp, len);
        s->data = bytes;
        *pp += len;
    } else {
        s->data = NULL;
    }
    return bytes + len;
}

/* Size of the single block for a transaction of this shape, or 0 on overflow.
 * Counts are bounded by the input's length, so the sums cannot overflow on a
 * real machine; checked anyway. */
static size_t arena_size(size_t vin_count, size_t vout_count, size_t wit_items,
                         size_t script_bytes) {
    size_t total = 0, part;
    if (__builtin_mul_overflow(vin_count, sizeof(blvm_txin), &part) ||
        __builtin_add_overflow(total, part, &total))
        return 0;
    if (__builtin_mul_overflow(vout_count, sizeof(blvm_txout), &part) ||
        __builtin_add_overflow(total, part, &total))
        return 0;
    if (__builtin_mul_overflow(wit_items, sizeof(blvm_script), &part) ||
        __builtin_add_overflow(total, part, &total))
        return 0;
    if (__builtin_add_overflow(total, script_bytes, &total)) return 0;
    return total ? total : 1;
}

/* Points tx's arrays into a fresh block; returns where witness item arrays
 * start (*wit) and where bytes start. */
static uint8_t *arena_alloc(blvm_tx *tx, size_t vin_count, size_t vout_count, size_t wit_items,
                            size_t script_bytes, blvm_script **wit) {
    size_t size = arena_size(vin_count, vout_count, wit_items, script_bytes);
    if (size == 0) return NULL;
    uint8_t *mem = malloc(size);
    if (!mem) return NULL;
    tx->mem = mem;
    tx->vin = vin_count ? (blvm_txin *)mem : NULL;
    tx->vout = vout_count ? (blvm_txout *)(mem + vin_count * sizeof(blvm_txin)) : NULL;
    tx->vin_count = vin_count;
    tx->vout_count = vout_count;
    tx->vin_owned = tx->vout_owned = false;
    uint8_t *p = mem + vin_count * sizeof(blvm_txin) + vout_count * sizeof(blvm_txout);
    *wit = (blvm_script *)p;
    return p + wit_items * sizeof(blvm_script);
}

static const uint8_t *fill_vin(blvm_tx *tx, const uint8_t *p, uint8_t **bytes) {
    take_compact(&p);
    for (size_t i = 0; i < tx->vin_count; i++) {
        blvm_txin *in = &tx->vin[i];
        memcpy(in->prevout.hash, p, 32);
        in->prevout.n = blvm_read_le32(p + 32);
        p += 36;
        *bytes = take_script(&p, &in->script_sig, *bytes);
        in->sequence = blvm_read_le32(p);
        p += 4;
        in->witness.count = 0;
        in->witness.items = NULL;
        in->witness.cap = 0;
    }
    return p;
}

static const uint8_t *fill_vout(blvm_tx *tx, const uint8_t *p, uint8_t **bytes) {
    take_compact(&p);
    for (size_t i = 0; i < tx->vout_count; i++) {
        blvm_txout *out = &tx->vout[i];
        out->value = (blvm_amount)blvm_read_le64(p);
        p += 8;
        *bytes = take_script(&p, &out->script_pubkey, *bytes);
    }
    return p;
}

static void hash_from_shape(blvm_tx *tx, const uint8_t *base, const tx_shape *sh) {
    if (!sh->segwit) {
        /* The legacy encoding is exactly the bytes read. */
        blvm_sha256d(tx->txid, base, sh->end_off);
        memcpy(tx->wtxid, tx->txid, 32);
        return;
    }
    /* txid hashes the stripped form: version, inputs and outputs, lock time. */
    blvm_sha256_ctx ctx;
    uint8_t h[32];
    blvm_sha256_init(&ctx);
    blvm_sha256_write(&ctx, base, 4);
    blvm_sha256_write(&ctx, base + sh->body_off, sh->wit_off - sh->body_off);
    blvm_sha256_write(&ctx, base + sh->lock_off, 4);
    blvm_sha256_finalize(&ctx, h);
    blvm_sha256(tx->txid, h, 32);
    blvm_sha256d(tx->wtxid, base, sh->end_off);
}

blvm_tx_decode_result blvm_tx_decode_ex(blvm_tx *tx, blvm_reader *r, bool allow_witness) {
    blvm_tx_init(tx);
    size_t start = r->pos;
    tx_shape sh;
    blvm_tx_decode_result res = scan_tx(r, allow_witness, &sh);
    if (res != BLVM_TX_DECODE_OK) {
        r->pos = start;
        if (res != BLVM_TX_DECODE_READ)
            r->err = BLVM_READ_INVALID;
        else if (r->err == BLVM_READ_OK)
            r->err = BLVM_READ_TRUNCATED;
        return res;
    }
    const uint8_t *base = r->data + start;
    blvm_script *wit;
    uint8_t *bytes =
        arena_alloc(tx, sh.vin_count, sh.vout_count, sh.wit_items, sh.script_bytes, &wit);
    if (!bytes) {
        blvm_tx_init(tx);
        r->pos = start;
        r->err = BLVM_READ_NO_MEMORY;
        return BLVM_TX_DECODE_NO_MEMORY;
    }
    tx->version = blvm_read_le32(base);
    const uint8_t *p = base + sh.body_off;
    p = fill_vin(tx, p, &bytes);
    p = fill_vout(tx, p, &bytes);
    if (sh.segwit) {
        for (size_t i = 0; i < tx->vin_count; i++) {
            blvm_witness *w = &tx->vin[i].witness;
            w->count = (size_t)take_compact(&p);
            w->items = w->count ? wit : NULL;
            for (size_t k = 0; k < w->count; k++)
                bytes = take_script(&p, &wit[k], bytes);
            wit += w->count;
        }
    }
    tx->locktime = blvm_read_le32(base + sh.lock_off);
    hash_from_shape(tx, base, &sh);
    return BLVM_TX_DECODE_OK;
}

bool blvm_tx_decode(blvm_tx *tx, blvm_reader *r, bool allow_witness) {
    return blvm_tx_decode_ex(tx, r, allow_witness) == BLVM_TX_DECODE_OK;
}

bool blvm_tx_decode_bytes(blvm_tx *tx, const uint8_t *data, size_t len, bool allow_witness) {
    blvm_reader r;
    blvm_reader_init(&r, data, len);
    if (!blvm_tx_decode(tx, &r, allow_witness)) return false;
    if (blvm_reader_remaining(&r) != 0) {
        blvm_tx_clear(tx);
        return false;
    }
    return true;
}

bool blvm_tx_has_witness(const blvm_tx *tx) {
    for (size_t i = 0; i < tx->vin_count; i++)
        if (tx->vin[i].witness.count) return true;
    return false;
}

bool blvm_outpoint_is_null(const blvm_outpoint *o) {
    static const uint8_t zero[32];
    return o->n == 0xffffffffu && memcmp(o->hash, zero, 32) == 0;
}

bool blvm_tx_is_coinbase(const blvm_tx *tx) {
    return tx->vin_count == 1 && blvm_outpoint_is_null(&tx->vin[0].prevout);
}

/* Encoding. */

static void write_script(blvm_writer *w, const blvm_script *s) {
    blvm_write_var_bytes(w, s->data, s->len);
}

void blvm_tx_encode(const blvm_tx *tx, blvm_writer *w, bool with_witness) {
    bool wit = with_witness && blvm_tx_has_witness(tx);
    if (!blvm_writer_reserve(w, blvm_tx_size(tx, wit))) return;
    blvm_write_u32(w, tx->version);
    if (wit) {
        /* BIP144 marker and flag. */
        blvm_write_u8(w, 0);
        blvm_write_u8(w, 1);
    }
    blvm_write_compact_size(w, tx->vin_count);
    for (size_t i = 0; i < tx->vin_count; i++) {
        const blvm_txin *in = &tx->vin[i];
        blvm_write_bytes(w, in->prevout.hash, 32);
        blvm_write_u32(w, in->prevout.n);
        write_script(w, &in->script_sig);
        blvm_write_u32(w, in->sequence);
    }
    blvm_write_compact_size(w, tx->vout_count);
    for (size_t i = 0; i < tx->vout_count; i++) {
        blvm_write_i64(w, tx->vout[i].value);
        write_script(w, &tx->vout[i].script_pubkey);
    }
    if (wit) {
        for (size_t i = 0; i < tx->vin_count; i++) {
            const blvm_witness *ws = &tx->vin[i].witness;
            blvm_write_compact_size(w, ws->count);
            for (size_t k = 0; k < ws->count; k++)
                write_script(w, &ws->items[k]);
        }
    }
    blvm_write_u32(w, tx->locktime);
}

static size_t var_size(size_t n) {
    return blvm_compact_size_len(n) + n;
}

static size_t stripped_size(const blvm_tx *tx) {
    size_t n = 4 + blvm_compact_size_len(tx->vin_count) + blvm_compact_size_len(tx->vout_count) + 4;
    for (size_t i = 0; i < tx->vin_count; i++)
        n += 36 + var_size(tx->vin[i].script_sig.len) + 4;
    for (size_t i = 0; i < tx->vout_count; i++)
        n += 8 + var_size(tx->vout[i].script_pubkey.len);
    return n;
}

static size_t witness_size(const blvm_tx *tx) {
    if (!blvm_tx_has_witness(tx)) return 0;
    size_t n = 2; /* marker and flag */
    for (size_t i = 0; i < tx->vin_count; i++) {
        const blvm_witness *ws = &tx->vin[i].witness;
        n += blvm_compact_size_len(ws->count);
        for (size_t k = 0; k < ws->count; k++)
            n += var_size(ws->items[k].len);
    }
    return n;
}

size_t blvm_tx_size(const blvm_tx *tx, bool with_witness) {
    size_t n = stripped_size(tx);
    return with_witness ? n + witness_size(tx) : n;
}

size_t blvm_tx_weight(const blvm_tx *tx) {
    size_t base = stripped_size(tx);
    return base * (BLVM_WITNESS_SCALE_FACTOR - 1) + base + witness_size(tx);
}

size_t blvm_tx_vsize(const blvm_tx *tx) {
    return (blvm_tx_weight(tx) + BLVM_WITNESS_SCALE_FACTOR - 1) / BLVM_WITNESS_SCALE_FACTOR;
}

/* Streams the encoding of tx through SHA-256, so hashing a built
 * transaction needs no allocation. */
static void hash_u32(blvm_sha256_ctx *c, uint32_t v) {
    uint8_t b[4];
    blvm_write_le32(b, v);
    blvm_sha256_write(c, b, 4);
}

static void hash_compact(blvm_sha256_ctx *c, uint64_t v) {
    uint8_t b[9];
    blvm_sha256_write(c, b, blvm_encode_compact_size(b, v));
}

static void hash_script(blvm_sha256_ctx *c, const blvm_script *s) {
    hash_compact(c, s->len);
    if (s->len) blvm_sha256_write(c, s->data, s->len);
}

static void hash_tx(const blvm_tx *tx, bool wit, uint8_t out[32]) {
    blvm_sha256_ctx c;
    uint8_t h[32];
    blvm_sha256_init(&c);
    hash_u32(&c, tx->version);
    if (wit) {
        static const uint8_t marker_flag[2] = {0, 1};
        blvm_sha256_write(&c, marker_flag, 2);
    }
    hash_compact(&c, tx->vin_count);
    for (size_t i = 0; i < tx->vin_count; i++) {
        const blvm_txin *in = &tx->vin[i];
        blvm_sha256_write(&c, in->prevout.hash, 32);
        hash_u32(&c, in->prevout.n);
        hash_script(&c, &in->script_sig);
        hash_u32(&c, in->sequence);
    }
    hash_compact(&c, tx->vout_count);
    for (size_t i = 0; i < tx->vout_count; i++) {
        uint8_t v[8];
        blvm_write_le64(v, (uint64_t)tx->vout[i].value);
        blvm_sha256_write(&c, v, 8);
        hash_script(&c, &tx->vout[i].script_pubkey);
    }
    if (wit) {
        for (size_t i = 0; i < tx->vin_count; i++) {
            const blvm_witness *ws = &tx->vin[i].witness;
            hash_compact(&c, ws->count);
            for (size_t k = 0; k < ws->count; k++)
                hash_script(&c, &ws->items[k]);
        }
    }
    hash_u32(&c, tx->locktime);
    blvm_sha256_finalize(&c, h);
    blvm_sha256(out, h, 32);
}

void blvm_tx_compute_hashes(blvm_tx *tx) {
    hash_tx(tx, false, tx->txid);
    if (blvm_tx_has_witness(tx))
        hash_tx(tx, true, tx->wtxid);
    else
        memcpy(tx->wtxid, tx->txid, 32);
}

/* Copies. */

static uint8_t *copy_script(blvm_script *dst, const blvm_script *src, uint8_t *bytes) {
    dst->len = src->len;
    dst->cap = 0;
    if (src->len) {
        memcpy(bytes, src->data, src->len);
        dst->data = bytes;
    } else {
        dst->data = NULL;
    }
    return bytes + src->len;
}

bool blvm_tx_copy(blvm_tx *dst, const blvm_tx *src) {
    blvm_tx_init(dst);
    size_t wit_items = 0, script_bytes = 0;
    for (size_t i = 0; i < src->vin_count; i++) {
        const blvm_txin *in = &src->vin[i];
        script_bytes += in->script_sig.len;
        wit_items += in->witness.count;
        for (size_t k = 0; k < in->witness.count; k++)
            script_bytes += in->witness.items[k].len;
    }
    for (size_t i = 0; i < src->vout_count; i++)
        script_bytes += src->vout[i].script_pubkey.len;
    blvm_script *wit;
    uint8_t *bytes =
        arena_alloc(dst, src->vin_count, src->vout_count, wit_items, script_bytes, &wit);
    if (!bytes) {
        blvm_tx_init(dst);
        return false;
    }
    dst->version = src->version;
    dst->locktime = src->locktime;
    for (size_t i = 0; i < src->vin_count; i++) {
        const blvm_txin *in = &src->vin[i];
        blvm_txin *out = &dst->vin[i];
        out->prevout = in->prevout;
        out->sequence = in->sequence;
        bytes = copy_script(&out->script_sig, &in->script_sig, bytes);
        out->witness.count = in->witness.count;
        out->witness.cap = 0;
        out->witness.items = in->witness.count ? wit : NULL;
        for (size_t k = 0; k < in->witness.count; k++)
            bytes = copy_script(&wit[k], &in->witness.items[k], bytes);
        wit += in->witness.count;
    }
    for (size_t i = 0; i < src->vout_count; i++) {
        dst->vout[i].value = src->vout[i].value;
        bytes = copy_script(&dst->vout[i].script_pubkey, &src->vout[i].script_pubkey, bytes);
    }
    memcpy(dst->txid, src->txid, 32);
    memcpy(dst->wtxid, src->wtxid, 32);
    return true;
}

/* Builders. */

bool blvm_tx_resize(blvm_tx *tx, size_t vin_count, size_t vout_count) {
    if (vin_count > SIZE_MAX / sizeof(blvm_txin) || vout_count > SIZE_MAX / sizeof(blvm_txout))
        return false;
    blvm_txin *vin = tx->vin;
    blvm_txout *vout = tx->vout;
    if (vin_count != tx->vin_count) {
        vin = vin_count ? calloc(vin_count, sizeof *vin) : NULL;
        if (vin_count && !vin) return false;
    }
    if (vout_count != tx->vout_count) {
        vout = vout_count ? calloc(vout_count, sizeof *vout) : NULL;
        if (vout_count && !vout) {
            if (vin != tx->vin) free(vin);
            return false;
        }
    }
    if (vin != tx->vin) {
        size_t keep = vin_count < tx->vin_count ? vin_count : tx->vin_count;
        if (keep) memcpy(vin, tx->vin, keep * sizeof *vin);
        for (size_t i = keep; i < tx->vin_count; i++)
            txin_release(&tx->vin[i]);
        if (tx->vin_owned) free(tx->vin);
        tx->vin = vin;
        tx->vin_count = vin_count;
        tx->vin_owned = vin != NULL;
    }
    if (vout != tx->vout) {
        size_t keep = vout_count < tx->vout_count ? vout_count : tx->vout_count;
        if (keep) memcpy(vout, tx->vout, keep * sizeof *vout);
        for (size_t i = keep; i < tx->vout_count; i++)
            blvm_script_clear(&tx->vout[i].script_pubkey);
        if (tx->vout_owned) free(tx->vout);
        tx->vout = vout;
        tx->vout_count = vout_count;
        tx->vout_owned = vout != NULL;
    }
    return true;
}

bool blvm_script_set(blvm_script *s, const uint8_t *data, size_t len) {
    uint8_t *p = NULL;
    if (len) {
        p = malloc(len);
        if (!p) return false;
        memcpy(p, data, len);
    }
    blvm_script_clear(s);
    s->data = p;
    s->len = len;
    s->cap = len;
    return true;
}

bool blvm_witness_push(blvm_witness *wit, const uint8_t *data, size_t len) {
    if (wit->count == wit->cap || wit->cap == 0) {
        size_t cap = wit->count < 4 ? 4 : wit->count * 2;
        if (cap > SIZE_MAX / sizeof(blvm_script)) return false;
        blvm_script *items = malloc(cap * sizeof *items);
        if (!items) return false;
        if (wit->count) memcpy(items, wit->items, wit->count * sizeof *items);
        if (wit->cap) free(wit->items);
        wit->items = items;
        wit->cap = cap;
    }
    blvm_script *s = &wit->items[wit->count];
    memset(s, 0, sizeof *s);
    if (!blvm_script_set(s, data, len)) return false;
    wit->count++;
    return true;
}
