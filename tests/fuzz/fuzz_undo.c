/* Fuzz target for Core's on-disk encodings read back from rev files and the
 * chainstate: block undo data, a coin, a compressed script, a block file
 * info and a coin key. Whatever decodes must encode back to the same bytes
 * (every format has exactly one encoding of each value), and nothing may
 * read out of bounds or allocate from a lying count. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/blockfile.h"
#include "storage/undo.h"
#include "storage/varint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const blvm_writer *w, const uint8_t *data, size_t len) {
    if (w->err) return;
    if (w->len != len || memcmp(w->data, data, len) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    blvm_block_undo u;
    if (blvm_block_undo_decode(&u, data, size)) {
        /* Not byte-exact (the dummy after a coin's code is dropped, template
         * scripts stored raw come back compressed), but what we write must
         * decode to the same coins. */
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_block_undo_encode(&u, &w);
        blvm_block_undo back;
        if (!w.err) {
            if (!blvm_block_undo_decode(&back, w.data, w.len) || back.count != u.count) abort();
            for (size_t i = 0; i < u.count; i++) {
                if (back.txs[i].count != u.txs[i].count) abort();
                for (size_t j = 0; j < u.txs[i].count; j++) {
                    const blvm_coin *a = &u.txs[i].coins[j], *b = &back.txs[i].coins[j];
                    if (!blvm_money_range(a->out.value)) continue;
                    if (a->height != b->height || a->coinbase != b->coinbase ||
                        a->out.value != b->out.value ||
                        a->out.script_pubkey.len != b->out.script_pubkey.len ||
                        (a->out.script_pubkey.len &&
                         memcmp(a->out.script_pubkey.data, b->out.script_pubkey.data,
                                a->out.script_pubkey.len) != 0))
                        abort();
                }
            }
            blvm_block_undo_clear(&back);
        }
        blvm_writer_clear(&w);
        blvm_block_undo_clear(&u);
    }

    blvm_reader r;
    blvm_reader_init(&r, data, size);
    blvm_coin c;
    if (blvm_coin_decode(&c, &r)) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_coin_encode(&c, &w);
        blvm_reader r2;
        blvm_reader_init(&r2, w.data, w.len);
        blvm_coin back;
        /* re-encoding decodes to the same coin (amounts beyond MAX_MONEY wrap
         * in Core's DecompressAmount too; we never store those) */
        if (!w.err && blvm_money_range(c.out.value)) {
            if (!blvm_coin_decode(&back, &r2)) abort();
            if (back.height != c.height || back.coinbase != c.coinbase ||
                back.out.value != c.out.value ||
                back.out.script_pubkey.len != c.out.script_pubkey.len ||
                (c.out.script_pubkey.len &&
                 memcmp(back.out.script_pubkey.data, c.out.script_pubkey.data,
                        c.out.script_pubkey.len) != 0))
                abort();
            blvm_coin_clear(&back);
        }
        blvm_writer_clear(&w);
    }
    blvm_coin_clear(&c);

    blvm_reader_init(&r, data, size);
    blvm_blockfile_info info;
    if (blvm_blockfile_info_decode(&info, &r)) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_blockfile_info_encode(&info, &w);
        check_same(&w, data, r.pos);
        blvm_writer_clear(&w);
    }

    blvm_outpoint op;
    if (blvm_coin_key_parse(data, size, &op)) {
        uint8_t key[BLVM_COIN_KEY_MAX];
        size_t kl = blvm_coin_key(key, &op);
        if (kl != size || memcmp(key, data, size) != 0) abort();
    }
    return 0;
}
