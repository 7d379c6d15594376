/* Unit tests for src/storage/blockfile and src/storage/undo: Core's blk/rev
 * record framing, positions, file rollover at 128 MiB, undo checksums,
 * scanning damaged files, and Core's coin/undo/compression encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/blockfile.h"
#include "storage/undo.h"
#include "storage/varint.h"
#include "testutil.h"
#include "util/hex.h"

static const uint8_t REGTEST_MAGIC[4] = {0xfa, 0xbf, 0xb5, 0xda};

static uint8_t *fake_block(size_t len, uint8_t seed) {
    uint8_t *b = malloc(len);
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(seed + i * 7);
    /* no accidental magic inside the data */
    for (size_t i = 0; i < len; i++)
        if (b[i] == 0xfa) b[i] = 0x01;
    return b;
}

static void test_write_read_blocks(void **state) {
    blvm_blockstore *bs = blvm_blockstore_create(*state, REGTEST_MAGIC);
    assert_non_null(bs);
    blvm_flatpos pos[5];
    uint8_t *blocks[5];
    size_t lens[5] = {81, 285, 1000, 80, 4000};
    for (int i = 0; i < 5; i++) {
        blocks[i] = fake_block(lens[i], (uint8_t)i);
        assert_true(blvm_blockstore_write_block(bs, blocks[i], lens[i], (uint32_t)i + 10,
                                                1000u + (uint32_t)i, &pos[i]));
        assert_int_equal(pos[i].file, 0);
    }
    /* positions point just past each 8-byte header, records back to back */
    assert_int_equal(pos[0].pos, 8);
    assert_int_equal(pos[1].pos, 8 + 81 + 8);
    assert_true(blvm_blockstore_flush(bs));

    blvm_blockfile_info info;
    assert_true(blvm_blockstore_get_info(bs, 0, &info));
    assert_int_equal(info.blocks, 5);
    assert_int_equal(info.size, 81 + 285 + 1000 + 80 + 4000 + 5 * 8);
    assert_int_equal(info.height_first, 10);
    assert_int_equal(info.height_last, 14);
    assert_int_equal(info.time_first, 1000);
    assert_int_equal(info.time_last, 1004);

    for (int i = 0; i < 5; i++) {
        uint8_t *data;
        size_t len;
        assert_true(blvm_blockstore_read_block(bs, &pos[i], &data, &len));
        assert_int_equal(len, lens[i]);
        assert_memory_equal(data, blocks[i], len);
        free(data);
    }

    /* The file is in Core's format: magic, LE size, data. */
    char path[4096];
    blvm_blockstore_file_path(bs, 0, false, path, sizeof path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t hdr[8];
    assert_int_equal(fread(hdr, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(hdr, REGTEST_MAGIC, 4);
    assert_int_equal(blvm_read_le32(hdr + 4), 81);
    /* space is reserved in 16 MiB chunks, as Core does */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size >= 81 + 8);

    /* Bad positions fail cleanly. */
    uint8_t *data;
    size_t len;
    blvm_flatpos bad = {0, 9}; /* not at a record */
    assert_false(blvm_blockstore_read_block(bs, &bad, &data, &len));
    assert_null(data);
    bad = (blvm_flatpos){0, 3}; /* before the first header */
    assert_false(blvm_blockstore_read_block(bs, &bad, &data, &len));
    bad = (blvm_flatpos){0, 0x7fffffff}; /* past the end */
    assert_false(blvm_blockstore_read_block(bs, &bad, &data, &len));
    bad = (blvm_flatpos){7, 8}; /* missing file */
    assert_false(blvm_blockstore_read_block(bs, &bad, &data, &len));
    bad = (blvm_flatpos){-1, 8};
    assert_false(blvm_blockstore_read_block(bs, &bad, &data, &len));

    /* A store for another network does not read our records. */
    const uint8_t main_magic[4] = {0xf9, 0xbe, 0xb4, 0xd9};
    blvm_blockstore *other = blvm_blockstore_create(*state, main_magic);
    assert_false(blvm_blockstore_read_block(other, &pos[0], &data, &len));
    blvm_blockstore_destroy(other);

    /* Oversized blocks are refused. */
    blvm_flatpos p;
    assert_false(
        blvm_blockstore_write_block(bs, blocks[0], BLVM_MAX_BLOCK_SERIALIZED_SIZE + 1, 1, 1, &p));
    for (int i = 0; i < 5; i++)
        free(blocks[i]);
    blvm_blockstore_destroy(bs);
}

static void test_rollover_and_reload(void **state) {
    blvm_blockstore *bs = blvm_blockstore_create(*state, REGTEST_MAGIC);
    const size_t len = 3900000;
    uint8_t *blk = fake_block(len, 3);
    blvm_flatpos pos;
    int n0 = 0;
    /* 128 MiB / (3.9 MB + 8) = 34 records fit in file 0 */
    for (int i = 0; i < 36; i++) {
        assert_true(blvm_blockstore_write_block(bs, blk, len, (uint32_t)i, 0, &pos));
        if (pos.file == 0) n0++;
    }
    assert_int_equal(n0, 34);
    assert_int_equal(pos.file, 1);
    assert_int_equal(pos.pos, len + 8 + 8);
    assert_int_equal(blvm_blockstore_last_file(bs), 1);
    assert_true(blvm_blockstore_flush(bs));

    /* The finished file is cut to its used size at flush. */
    char path[4096];
    blvm_blockstore_file_path(bs, 0, false, path, sizeof path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    blvm_blockfile_info info0;
    assert_true(blvm_blockstore_get_info(bs, 0, &info0));
    assert_int_equal((uint64_t)st.st_size, info0.size);
    assert_true(info0.size <= BLVM_MAX_BLOCKFILE_SIZE);

    /* Persist the infos the way the chainstate does, and reload them. */
    int dirty[8];
    size_t nd = blvm_blockstore_take_dirty(bs, dirty, 8);
    assert_int_equal(nd, 2);
    assert_int_equal(blvm_blockstore_take_dirty(bs, dirty, 8), 0);
    blvm_blockfile_info infos[2];
    for (int i = 0; i < 2; i++) {
        blvm_blockfile_info in;
        assert_true(blvm_blockstore_get_info(bs, i, &in));
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_blockfile_info_encode(&in, &w);
        blvm_reader r;
        blvm_reader_init(&r, w.data, w.len);
        assert_true(blvm_blockfile_info_decode(&infos[i], &r));
        assert_int_equal(blvm_reader_remaining(&r), 0);
        assert_memory_equal(&infos[i], &in, sizeof in);
        blvm_writer_clear(&w);
    }
    blvm_blockstore_destroy(bs);

    bs = blvm_blockstore_create(*state, REGTEST_MAGIC);
    assert_true(blvm_blockstore_load(bs, infos, 2, 1));
    assert_true(blvm_blockstore_write_block(bs, blk, 100, 36, 0, &pos));
    assert_int_equal(pos.file, 1);
    assert_int_equal(pos.pos, 2 * (len + 8) + 8);
    assert_int_equal(blvm_blockstore_disk_usage(bs), info0.size + 3 * (len + 8) + 108 - (len + 8));

    /* Pruning removes both files and resets the info. */
    assert_true(blvm_blockstore_remove_file(bs, 0));
    assert_int_not_equal(stat(path, &st), 0);
    blvm_blockfile_info in;
    assert_true(blvm_blockstore_get_info(bs, 0, &in));
    assert_int_equal(in.size, 0);
    free(blk);
    blvm_blockstore_destroy(bs);
}

static void test_undo_checksum(void **state) {
    blvm_blockstore *bs = blvm_blockstore_create(*state, REGTEST_MAGIC);
    uint8_t prev[32], other[32];
    memset(prev, 0x11, 32);
    memset(other, 0x22, 32);
    uint8_t undo1[] = {0x01, 0x01, 0x00, 0x00, 0x06};
    uint8_t undo2[] = {0x00};
    blvm_flatpos p1, p2;
    assert_true(blvm_blockstore_write_undo(bs, 0, undo1, sizeof undo1, prev, &p1));
    assert_true(blvm_blockstore_write_undo(bs, 0, undo2, sizeof undo2, other, &p2));
    assert_int_equal(p1.pos, 8);
    assert_int_equal(p2.pos, 8 + sizeof undo1 + 32 + 8);
    uint8_t *data;
    size_t len;
    assert_true(blvm_blockstore_read_undo(bs, &p1, prev, &data, &len));
    assert_int_equal(len, sizeof undo1);
    assert_memory_equal(data, undo1, len);
    free(data);
    /* The checksum commits to the parent hash: the wrong parent fails. */
    assert_false(blvm_blockstore_read_undo(bs, &p1, other, &data, &len));
    assert_true(blvm_blockstore_read_undo(bs, &p2, other, &data, &len));
    free(data);

    /* Flip one byte of the undo data on disk: the checksum catches it. */
    char path[4096];
    blvm_blockstore_file_path(bs, 0, true, path, sizeof path);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t x = 0x7f;
    assert_int_equal(pwrite(fd, &x, 1, 8 + 2), 1);
    close(fd);
    assert_false(blvm_blockstore_read_undo(bs, &p1, prev, &data, &len));
    blvm_blockfile_info info;
    assert_true(blvm_blockstore_get_info(bs, 0, &info));
    assert_int_equal(info.undo_size, sizeof undo1 + sizeof undo2 + 2 * 40);
    blvm_blockstore_destroy(bs);
}

struct scan_ctx {
    size_t count;
    size_t lens[16];
    uint64_t offs[16];
    size_t refuse_len; /* refuse records of this length */
};

static bool scan_cb(void *arg, const uint8_t *data, size_t len, uint64_t off) {
    struct scan_ctx *c = arg;
    (void)data;
    if (len == c->refuse_len) return false;
    if (c->count < 16) {
        c->lens[c->count] = len;
        c->offs[c->count] = off;
    }
    c->count++;
    return true;
}

static void append(FILE *f, const void *p, size_t n) {
    assert_int_equal(fwrite(p, 1, n, f), n);
}

static void append_record(FILE *f, const uint8_t magic[4], uint32_t size, const uint8_t *data,
                          size_t data_len) {
    uint8_t hdr[8];
    memcpy(hdr, magic, 4);
    blvm_write_le32(hdr + 4, size);
    append(f, hdr, 8);
    append(f, data, data_len);
}

static void test_scan_damaged_file(void **state) {
    char path[4096];
    snprintf(path, sizeof path, "%s/blk00000.dat", (char *)*state);
    FILE *f = fopen(path, "wb");
    uint8_t *b = fake_block(500, 9);
    uint8_t garbage[300];
    memset(garbage, 0xee, sizeof garbage);
    append(f, garbage, 17);                       /* leading garbage */
    append_record(f, REGTEST_MAGIC, 200, b, 200); /* good: data at 25 */
    append_record(f, REGTEST_MAGIC, 10, b, 10);   /* size below a header: skipped */
    append_record(f, REGTEST_MAGIC, 300, b, 300); /* refused by the callback */
    uint8_t zeros[1000] = {0};
    append(f, zeros, sizeof zeros); /* zero padding */
    long good2 = ftell(f) + 8;
    append_record(f, REGTEST_MAGIC, 120, b, 120); /* good */
    const uint8_t main_magic[4] = {0xf9, 0xbe, 0xb4, 0xd9};
    append_record(f, main_magic, 150, b, 150);           /* other network: garbage */
    append_record(f, REGTEST_MAGIC, 0xffffffffu, b, 40); /* absurd size */
    long trunc = ftell(f);
    append_record(f, REGTEST_MAGIC, 400, b, 100); /* cut off by end of file */
    fclose(f);

    struct scan_ctx c = {.refuse_len = 300};
    blvm_blockfile_scan_report rep;
    assert_true(blvm_blockfile_scan(path, REGTEST_MAGIC, 0, scan_cb, &c, &rep));
    assert_int_equal(c.count, 2);
    assert_int_equal(c.lens[0], 200);
    assert_int_equal(c.offs[0], 25);
    assert_int_equal(c.lens[1], 120);
    assert_int_equal(c.offs[1], (uint64_t)good2);
    assert_int_equal(rep.records, 2);
    assert_int_equal(rep.rejected, 1);
    assert_true(rep.truncated);
    assert_int_equal(rep.truncated_at, (uint64_t)trunc);
    assert_int_equal(rep.end, (uint64_t)good2 + 120);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(rep.skipped_bytes, (uint64_t)st.st_size - 320 - 16);
    assert_int_equal(rep.zero_tail, 0); /* ends with a truncated record */

    /* Starting past the first record finds only the second. */
    memset(&c, 0, sizeof c);
    assert_true(blvm_blockfile_scan(path, REGTEST_MAGIC, 26, scan_cb, &c, &rep));
    assert_int_equal(c.count, 2); /* the 300-byte one is no longer refused */
    assert_int_equal(c.lens[0], 300);

    /* A file of pure garbage, an empty file, a missing file. */
    f = fopen(path, "wb");
    for (int i = 0; i < 5000; i++)
        append(f, garbage, sizeof garbage);
    fclose(f);
    memset(&c, 0, sizeof c);
    assert_true(blvm_blockfile_scan(path, REGTEST_MAGIC, 0, scan_cb, &c, &rep));
    assert_int_equal(c.count, 0);
    assert_int_equal(rep.skipped_bytes, 5000u * sizeof garbage);
    assert_int_equal(rep.zero_tail, 0);
    assert_false(rep.truncated);
    f = fopen(path, "wb");
    fclose(f);
    assert_true(blvm_blockfile_scan(path, REGTEST_MAGIC, 0, scan_cb, &c, &rep));
    assert_int_equal(rep.records, 0);
    snprintf(path, sizeof path, "%s/missing.dat", (char *)*state);
    assert_false(blvm_blockfile_scan(path, REGTEST_MAGIC, 0, scan_cb, &c, &rep));
    free(b);
}

static void test_scan_finds_written_blocks(void **state) {
    /* What the store writes (with its zero-filled reserved tail) scans back. */
    blvm_blockstore *bs = blvm_blockstore_create(*state, REGTEST_MAGIC);
    uint8_t *b = fake_block(1234, 5);
    blvm_flatpos pos[3];
    for (int i = 0; i < 3; i++)
        assert_true(blvm_blockstore_write_block(bs, b, 1234, (uint32_t)i, 0, &pos[i]));
    char path[4096];
    blvm_blockstore_file_path(bs, 0, false, path, sizeof path);
    struct scan_ctx c = {0};
    blvm_blockfile_scan_report rep;
    assert_true(blvm_blockfile_scan(path, REGTEST_MAGIC, 0, scan_cb, &c, &rep));
    assert_int_equal(c.count, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c.offs[i], pos[i].pos);
    assert_false(rep.truncated);
    assert_int_equal(rep.end, 3 * (1234 + 8));
    /* Everything after the records is preallocated zeros. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(rep.skipped_bytes, (uint64_t)st.st_size - rep.end);
    assert_int_equal(rep.zero_tail, rep.skipped_bytes);
    free(b);
    blvm_blockstore_destroy(bs);
}

/* ---- undo.h: Core's encodings ---- */

static void test_amount_compression(void **state) {
    (void)state;
    /* Core's compress_tests.cpp */
    struct {
        uint64_t amount, compressed;
    } v[] = {{0, 0},
             {1, 1},
             {1000000, 7},
             {100000000, 9},
             {5000000000ull, 50},
             {2100000000000000ull, 21000000}};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(v); i++) {
        assert_int_equal(blvm_amount_compress(v[i].amount), v[i].compressed);
        assert_int_equal(blvm_amount_decompress(v[i].compressed), v[i].amount);
    }
    for (uint64_t i = 1; i <= 100000; i++) {
        assert_int_equal(blvm_amount_decompress(blvm_amount_compress(i)), i);
        assert_int_equal(blvm_amount_compress(blvm_amount_decompress(i)), i);
        uint64_t big = i * 100000000ull;
        assert_int_equal(blvm_amount_decompress(blvm_amount_compress(big)), big);
    }
}

static void test_varint(void **state) {
    (void)state;
    /* Core's serialize_tests varints: 0 -> 00, 127 -> 7f, 128 -> 8000,
     * 255 -> 807f, 16383 -> fe7f, 16384 -> ff00, 16511 -> ff7f, 65535 -> 82fe7f */
    struct {
        uint64_t v;
        const char *hex;
    } t[] = {{0, "00"},
             {0x7f, "7f"},
             {0x80, "8000"},
             {0x1234, "a334"},
             {0xffff, "82fe7f"},
             {0x123456, "c7e756"},
             {0xffffffffull, "8efefefe7f"}};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(t); i++) {
        blvm_writer w;
        blvm_writer_init(&w);
        blvm_write_varint(&w, t[i].v);
        char hex[64];
        blvm_hex_encode(hex, w.data, w.len);
        assert_string_equal(hex, t[i].hex);
        blvm_reader r;
        blvm_reader_init(&r, w.data, w.len);
        uint64_t got;
        assert_true(blvm_read_varint(&r, UINT64_MAX, &got));
        assert_int_equal(got, t[i].v);
        blvm_writer_clear(&w);
    }
    /* Overflow of the target type is refused. */
    uint8_t over[] = {0x8f, 0xfe, 0xfe, 0xfe, 0x7f}; /* 2^32 + ... */
    blvm_reader r;
    blvm_reader_init(&r, over, sizeof over);
    uint32_t v32;
    assert_false(blvm_read_varint32(&r, &v32));
    uint8_t trunc[] = {0x80};
    blvm_reader_init(&r, trunc, 1);
    assert_false(blvm_read_varint32(&r, &v32));
}

static void decode_coin_hex(const char *hex, blvm_coin *c, bool expect_ok) {
    uint8_t buf[64];
    size_t n;
    assert_true(blvm_hex_decode(buf, sizeof buf, &n, hex));
    blvm_reader r;
    blvm_reader_init(&r, buf, n);
    bool ok = blvm_coin_decode(c, &r);
    assert_int_equal(ok, expect_ok);
    if (!ok) {
        blvm_coin_clear(c);
        return;
    }
    /* and it encodes back to the same bytes */
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_coin_encode(c, &w);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.data, buf, n);
    blvm_writer_clear(&w);
}

static void test_coin_serialization_core_examples(void **state) {
    (void)state;
    /* Core's coins_tests.cpp ccoins_serialization */
    blvm_coin c;
    decode_coin_hex("97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35", &c, true);
    assert_false(c.coinbase);
    assert_int_equal(c.height, 203998);
    assert_int_equal(c.out.value, 60000000000ll);
    char hex[200];
    blvm_hex_encode(hex, c.out.script_pubkey.data, c.out.script_pubkey.len);
    assert_string_equal(hex, "76a914816115944e077fe7c803cfa57f29b36bf87c1d3588ac");
    blvm_coin_clear(&c);

    decode_coin_hex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4", &c, true);
    assert_true(c.coinbase);
    assert_int_equal(c.height, 120891);
    assert_int_equal(c.out.value, 110397);
    blvm_hex_encode(hex, c.out.script_pubkey.data, c.out.script_pubkey.len);
    assert_string_equal(hex, "76a9148c988f1a4a4de2161e0f50aac7f17e7f9555caa488ac");
    blvm_coin_clear(&c);

    decode_coin_hex("000006", &c, true); /* smallest: height 0, value 0, empty script */
    assert_int_equal(c.height, 0);
    assert_int_equal(c.out.value, 0);
    assert_int_equal(c.out.script_pubkey.len, 0);
    blvm_coin_clear(&c);

    decode_coin_hex("000007", &c, false);         /* script runs past the end */
    decode_coin_hex("00008a95c0bb00", &c, false); /* 3e9-byte script past the end */
}

static void roundtrip_script(const char *hex, size_t expect_len) {
    uint8_t s[200];
    size_t n;
    assert_true(blvm_hex_decode(s, sizeof s, &n, hex));
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_script_compress_write(&w, s, n);
    assert_int_equal(w.len, expect_len);
    blvm_reader r;
    blvm_reader_init(&r, w.data, w.len);
    blvm_script out;
    assert_true(blvm_script_compress_read(&r, &out));
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, s, n);
    free(out.data);
    blvm_writer_clear(&w);
}

static void test_script_compression(void **state) {
    (void)state;
    roundtrip_script("76a914816115944e077fe7c803cfa57f29b36bf87c1d3588ac", 21); /* P2PKH */
    roundtrip_script("a914816115944e077fe7c803cfa57f29b36bf87c1d3587", 21);     /* P2SH */
    roundtrip_script("210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac", 33);
    /* uncompressed P2PK of the generator: stored as x plus y parity */
    roundtrip_script("4104"
                     "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8ac",
                     33);
    /* an uncompressed key that is not on the curve stays uncompressed */
    roundtrip_script("4104"
                     "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b9ac",
                     68);
    roundtrip_script("0014751e76e8199196d454941c45d1b3a323f1433bd6", 23); /* P2WPKH: raw */
    roundtrip_script("", 1);

    /* A stored script longer than MAX_SCRIPT_SIZE comes back as OP_RETURN. */
    blvm_writer w;
    blvm_writer_init(&w);
    blvm_write_varint(&w, BLVM_MAX_SCRIPT_SIZE + 1 + 6);
    uint8_t *big = calloc(1, BLVM_MAX_SCRIPT_SIZE + 1);
    blvm_write_bytes(&w, big, BLVM_MAX_SCRIPT_SIZE + 1);
    blvm_reader r;
    blvm_reader_init(&r, w.data, w.len);
    blvm_script out;
    assert_true(blvm_script_compress_read(&r, &out));
    assert_int_equal(out.len, 1);
    assert_int_equal(out.data[0], 0x6a);
    assert_int_equal(blvm_reader_remaining(&r), 0);
    free(out.data);
    free(big);
    blvm_writer_clear(&w);
}

static void test_block_undo_roundtrip(void **state) {
    (void)state;
    blvm_block_undo u;
    blvm_block_undo_init(&u);
    assert_true(blvm_block_undo_resize(&u, 2));
    assert_true(blvm_tx_undo_resize(&u.txs[0], 1));
    assert_true(blvm_tx_undo_resize(&u.txs[1], 2));
    uint8_t p2pkh[25] = {0x76, 0xa9, 20};
    p2pkh[23] = 0x88;
    p2pkh[24] = 0xac;
    blvm_coin *c = &u.txs[0].coins[0];
    c->height = 0; /* height 0: no version dummy */
    c->out.value = 50 * 100000000ll;
    assert_true(blvm_script_set(&c->out.script_pubkey, p2pkh, 25));
    c = &u.txs[1].coins[0];
    c->height = 120891;
    c->coinbase = true;
    c->out.value = 110397;
    assert_true(blvm_script_set(&c->out.script_pubkey, p2pkh, 25));
    c = &u.txs[1].coins[1];
    c->height = 7;
    c->out.value = 1;
    assert_true(blvm_script_set(&c->out.script_pubkey, (const uint8_t *)"\x51", 1));

    blvm_writer w;
    blvm_writer_init(&w);
    blvm_block_undo_encode(&u, &w);
    /* 02 | 01 | 00 32 00<20 zero bytes> | 02 | 8ddf77 00 bbd123 00<20> | 0e 00 01 07 51 */
    char hex[400];
    blvm_hex_encode(hex, w.data, w.len);
    assert_string_equal(hex, "0201"
                             "0032000000000000000000000000000000000000000000"
                             "02"
                             "8ddf7700bbd123000000000000000000000000000000000000000000"
                             "0e0001"
                             "0751");
    blvm_block_undo back;
    assert_true(blvm_block_undo_decode(&back, w.data, w.len));
    assert_int_equal(back.count, 2);
    assert_int_equal(back.txs[1].count, 2);
    assert_int_equal(back.txs[1].coins[0].height, 120891);
    assert_true(back.txs[1].coins[0].coinbase);
    assert_int_equal(back.txs[1].coins[1].out.script_pubkey.data[0], 0x51);
    blvm_block_undo_clear(&back);

    /* Any truncation or trailing byte is refused. */
    for (size_t cut = 0; cut < w.len; cut++)
        assert_false(blvm_block_undo_decode(&back, w.data, cut));
    uint8_t *longer = malloc(w.len + 1);
    memcpy(longer, w.data, w.len);
    longer[w.len] = 0;
    assert_false(blvm_block_undo_decode(&back, longer, w.len + 1));
    /* A lying count cannot make it allocate. */
    uint8_t lie[] = {0xfe, 0xff, 0xff, 0xff, 0x01};
    assert_false(blvm_block_undo_decode(&back, lie, sizeof lie));
    free(longer);
    blvm_writer_clear(&w);
    blvm_block_undo_clear(&u);

    /* coin keys: 'C' || txid || VARINT(n) */
    blvm_outpoint op = {.n = 0x80};
    memset(op.hash, 0xab, 32);
    uint8_t key[BLVM_COIN_KEY_MAX];
    size_t kl = blvm_coin_key(key, &op);
    assert_int_equal(kl, 35);
    assert_int_equal(key[0], 'C');
    assert_int_equal(key[33], 0x80);
    assert_int_equal(key[34], 0x00);
    blvm_outpoint back_op;
    assert_true(blvm_coin_key_parse(key, kl, &back_op));
    assert_int_equal(back_op.n, 0x80);
    assert_memory_equal(back_op.hash, op.hash, 32);
    assert_false(blvm_coin_key_parse(key, kl - 1, &back_op));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read_blocks, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_rollover_and_reload, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_undo_checksum, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_scan_damaged_file, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_scan_finds_written_blocks, blvm_test_tmpdir_setup,
                                        blvm_test_tmpdir_teardown),
        cmocka_unit_test(test_amount_compression),
        cmocka_unit_test(test_varint),
        cmocka_unit_test(test_coin_serialization_core_examples),
        cmocka_unit_test(test_script_compression),
        cmocka_unit_test(test_block_undo_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
