#include "storage/undo.h"

#include <secp256k1.h>
#include <stdlib.h>
#include <string.h>

#include "storage/varint.h"

/* Core's nSpecialScripts: codes 0..5 are compressed script kinds. */
#define SPECIAL_SCRIPTS 6u

void blvm_coin_init(blvm_coin *c) {
    memset(c, 0, sizeof(*c));
}

void blvm_coin_clear(blvm_coin *c) {
    free(c->out.script_pubkey.data);
    memset(c, 0, sizeof(*c));
}

bool blvm_coin_copy(blvm_coin *dst, const blvm_coin *src) {
    blvm_coin_init(dst);
    dst->out.value = src->out.value;
    dst->height = src->height;
    dst->coinbase = src->coinbase;
    return blvm_script_set(&dst->out.script_pubkey, src->out.script_pubkey.data,
                           src->out.script_pubkey.len);
}

uint64_t blvm_amount_compress(uint64_t n) {
    if (n == 0) return 0;
    int e = 0;
    while ((n % 10) == 0 && e < 9) {
        n /= 10;
        e++;
    }
    if (e < 9) {
        uint64_t d = n % 10;
        n /= 10;
        return 1 + (n * 9 + d - 1) * 10 + (uint64_t)e;
    }
    return 1 + (n - 1) * 10 + 9;
}

uint64_t blvm_amount_decompress(uint64_t x) {
    if (x == 0) return 0;
    x--;
    int e = (int)(x % 10);
    x /= 10;
    uint64_t n;
    if (e < 9) {
        uint64_t d = (x % 9) + 1;
        x /= 9;
        n = x * 10 + d;
    } else {
        n = x + 1;
    }
    while (e) {
        n *= 10;
        e--;
    }
    return n;
}

/* Core's CompressScript: fills out (21 or 33 bytes) and returns its length,
 * or 0 when the script has no special form. */
static size_t compress_script(const uint8_t *s, size_t len, uint8_t out[33]) {
    if (len == 25 && s[0] == 0x76 && s[1] == 0xa9 && s[2] == 20 && s[23] == 0x88 &&
        s[24] == 0xac) { /* P2PKH */
        out[0] = 0x00;
        memcpy(out + 1, s + 3, 20);
        return 21;
    }
    if (len == 23 && s[0] == 0xa9 && s[1] == 20 && s[22] == 0x87) { /* P2SH */
        out[0] = 0x01;
        memcpy(out + 1, s + 2, 20);
        return 21;
    }
    if (len == 35 && s[0] == 33 && s[34] == 0xac && (s[1] == 0x02 || s[1] == 0x03)) {
        out[0] = s[1]; /* P2PK, compressed key */
        memcpy(out + 1, s + 2, 32);
        return 33;
    }
    if (len == 67 && s[0] == 65 && s[66] == 0xac && s[1] == 0x04) {
        /* P2PK, uncompressed key: only a key on the curve can be rebuilt
         * from its x coordinate (Core checks IsFullyValid). */
        secp256k1_pubkey pk;
        if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, s + 1, 65)) return 0;
        out[0] = (uint8_t)(0x04 | (s[65] & 0x01));
        memcpy(out + 1, s + 2, 32);
        return 33;
    }
    return 0;
}

void blvm_script_compress_write(blvm_writer *w, const uint8_t *script, size_t len) {
    uint8_t compr[33];
    size_t n = compress_script(script, len, compr);
    if (n) {
        blvm_write_bytes(w, compr, n);
        return;
    }
    blvm_write_varint(w, (uint64_t)len + SPECIAL_SCRIPTS);
    blvm_write_bytes(w, script, len);
}

bool blvm_script_compress_read(blvm_reader *r, blvm_script *out) {
    memset(out, 0, sizeof(*out));
    uint64_t code;
    if (!blvm_read_varint(r, UINT32_MAX, &code)) return false;
    if (code < SPECIAL_SCRIPTS) {
        uint8_t v[32];
        size_t vlen = code < 2 ? 20 : 32;
        if (!blvm_read_bytes(r, v, vlen)) return false;
        uint8_t s[67];
        size_t slen;
        switch (code) {
        case 0:
            s[0] = 0x76, s[1] = 0xa9, s[2] = 20;
            memcpy(s + 3, v, 20);
            s[23] = 0x88, s[24] = 0xac;
            slen = 25;
            break;
        case 1:
            s[0] = 0xa9, s[1] = 20;
            memcpy(s + 2, v, 20);
            s[22] = 0x87;
            slen = 23;
            break;
        case 2:
        case 3:
            s[0] = 33, s[1] = (uint8_t)code;
            memcpy(s + 2, v, 32);
            s[34] = 0xac;
            slen = 35;
            break;
        default: { /* 4, 5: rebuild the uncompressed key */
            uint8_t comp[33];
            comp[0] = (uint8_t)(code - 2);
            memcpy(comp + 1, v, 32);
            secp256k1_pubkey pk;
            if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, comp, 33)) {
                r->err = BLVM_READ_TOO_LARGE; /* not a point: corrupt data */
                return false;
            }
            size_t plen = 65;
            s[0] = 65;
            (void)secp256k1_ec_pubkey_serialize(secp256k1_context_static, s + 1, &plen, &pk,
                                                SECP256K1_EC_UNCOMPRESSED);
            s[66] = 0xac;
            slen = 67;
            break;
        }
        }
        return blvm_script_set(out, s, slen);
    }
    uint64_t size = code - SPECIAL_SCRIPTS;
    if (size > BLVM_MAX_SCRIPT_SIZE) {
        /* Core keeps such outputs as a short unspendable script. */
        if (!blvm_read_skip(r, (size_t)size)) return false;
        static const uint8_t op_return = 0x6a;
        return blvm_script_set(out, &op_return, 1);
    }
    const uint8_t *p;
    if (!blvm_read_span(r, &p, (size_t)size)) return false;
    return blvm_script_set(out, p, (size_t)size);
}

void blvm_txout_compress_write(blvm_writer *w, const blvm_txout *out) {
    blvm_write_varint(w, blvm_amount_compress((uint64_t)out->value));
    blvm_script_compress_write(w, out->script_pubkey.data, out->script_pubkey.len);
}

bool blvm_txout_compress_read(blvm_reader *r, blvm_txout *out) {
    memset(out, 0, sizeof(*out));
    uint64_t v;
    if (!blvm_read_varint(r, UINT64_MAX, &v)) return false;
    out->value = (blvm_amount)blvm_amount_decompress(v);
    return blvm_script_compress_read(r, &out->script_pubkey);
}

void blvm_coin_encode(const blvm_coin *c, blvm_writer *w) {
    blvm_write_varint(w, (uint64_t)c->height * 2 + (c->coinbase ? 1 : 0));
    blvm_txout_compress_write(w, &c->out);
}

bool blvm_coin_decode(blvm_coin *c, blvm_reader *r) {
    blvm_coin_init(c);
    uint64_t code;
    if (!blvm_read_varint(r, UINT32_MAX, &code)) return false;
    c->height = (uint32_t)(code >> 1);
    c->coinbase = code & 1;
    return blvm_txout_compress_read(r, &c->out);
}

size_t blvm_coin_key(uint8_t out[BLVM_COIN_KEY_MAX], const blvm_outpoint *op) {
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_write_varint(&w, op->n);
    out[0] = 'C';
    memcpy(out + 1, op->hash, 32);
    size_t n = w.err ? 0 : w.len;
    if (n) memcpy(out + 33, w.data, n);
    blvm_writer_clear(&w);
    return 33 + n;
}

bool blvm_coin_key_parse(const uint8_t *key, size_t len, blvm_outpoint *op) {
    if (len < 34 || key[0] != 'C') return false;
    blvm_reader r;
    blvm_reader_init(&r, key + 33, len - 33);
    uint32_t n;
    if (!blvm_read_varint32(&r, &n) || blvm_reader_remaining(&r) != 0) return false;
    memcpy(op->hash, key + 1, 32);
    op->n = n;
    return true;
}

void blvm_block_undo_init(blvm_block_undo *u) {
    memset(u, 0, sizeof(*u));
}

void blvm_block_undo_clear(blvm_block_undo *u) {
    for (size_t i = 0; i < u->count; i++) {
        for (size_t j = 0; j < u->txs[i].count; j++)
            blvm_coin_clear(&u->txs[i].coins[j]);
        free(u->txs[i].coins);
    }
    free(u->txs);
    memset(u, 0, sizeof(*u));
}

bool blvm_block_undo_resize(blvm_block_undo *u, size_t count) {
    blvm_block_undo_clear(u);
    if (!count) return true;
    u->txs = calloc(count, sizeof(*u->txs));
    if (!u->txs) return false;
    u->count = count;
    return true;
}

bool blvm_tx_undo_resize(blvm_tx_undo *t, size_t count) {
    for (size_t j = 0; j < t->count; j++)
        blvm_coin_clear(&t->coins[j]);
    free(t->coins);
    t->coins = NULL;
    t->count = 0;
    if (!count) return true;
    t->coins = calloc(count, sizeof(*t->coins));
    if (!t->coins) return false;
    t->count = count;
    return true;
}

void blvm_block_undo_encode(const blvm_block_undo *u, blvm_writer *w) {
    blvm_write_compact_size(w, u->count);
    for (size_t i = 0; i < u->count; i++) {
        const blvm_tx_undo *t = &u->txs[i];
        blvm_write_compact_size(w, t->count);
        for (size_t j = 0; j < t->count; j++) {
            const blvm_coin *c = &t->coins[j];
            blvm_write_varint(w, (uint64_t)c->height * 2 + (c->coinbase ? 1 : 0));
            if (c->height > 0) blvm_write_varint(w, 0); /* Core's version dummy */
            blvm_txout_compress_write(w, &c->out);
        }
    }
}

bool blvm_block_undo_decode(blvm_block_undo *u, const uint8_t *data, size_t len) {
    blvm_block_undo_init(u);
    blvm_reader r;
    blvm_reader_init(&r, data, len);
    uint64_t ntx;
    if (!blvm_read_compact_size(&r, &ntx)) return false;
    /* each tx undo takes at least one byte */
    if (ntx > blvm_reader_remaining(&r)) return false;
    if (!blvm_block_undo_resize(u, (size_t)ntx)) return false;
    for (size_t i = 0; i < u->count; i++) {
        uint64_t ncoins;
        if (!blvm_read_compact_size(&r, &ncoins)) goto fail;
        /* each coin takes at least two bytes (code, amount, script code) */
        if (ncoins > blvm_reader_remaining(&r) / 2) goto fail;
        if (!blvm_tx_undo_resize(&u->txs[i], (size_t)ncoins)) goto fail;
        for (size_t j = 0; j < ncoins; j++) {
            blvm_coin *c = &u->txs[i].coins[j];
            uint64_t code, dummy;
            if (!blvm_read_varint(&r, UINT32_MAX, &code)) goto fail;
            c->height = (uint32_t)(code >> 1);
            c->coinbase = code & 1;
            if (c->height > 0 && !blvm_read_varint(&r, UINT32_MAX, &dummy)) goto fail;
            if (!blvm_txout_compress_read(&r, &c->out)) goto fail;
        }
    }
    if (blvm_reader_remaining(&r) != 0) goto fail;
    return true;
fail:
    blvm_block_undo_clear(u);
    return false;
}
