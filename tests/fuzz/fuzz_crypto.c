/* Fuzz target: differential checks of src/crypto. Every SHA-256 path this
 * CPU supports must agree with the generic one (one-shot, streamed in two
 * pieces, and sha256d64 over the whole 64-byte blocks of the input);
 * RIPEMD-160 and SipHash streamed equal one-shot; the unrolled SipHash of 32
 * bytes equals the generic one; and a MuHash set with every element inserted
 * then removed is the empty set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/muhash.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/sha256_impl.h"
#include "crypto/siphash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOCKS 17

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    size_t cut = size ? data[0] % (size + 1) : 0;

    /* Reference values from the generic path. */
    uint8_t want[32], want_d64[32 * MAX_BLOCKS];
    size_t blocks = size / 64 < MAX_BLOCKS ? size / 64 : MAX_BLOCKS;
    if (!blvm_sha256_use("generic")) abort();
    blvm_sha256(want, data, size);
    blvm_sha256d64(want_d64, data, blocks);
    for (size_t p = 0; blvm_sha256_impl_names[p]; p++) {
        if (!blvm_sha256_use(blvm_sha256_impl_names[p])) continue;
        uint8_t got[32], got_d64[32 * MAX_BLOCKS];
        blvm_sha256(got, data, size);
        if (memcmp(got, want, 32)) abort();
        blvm_sha256_ctx ctx;
        blvm_sha256_init(&ctx);
        blvm_sha256_write(&ctx, data, cut);
        blvm_sha256_write(&ctx, data + cut, size - cut);
        blvm_sha256_finalize(&ctx, got);
        if (memcmp(got, want, 32)) abort();
        blvm_sha256d64(got_d64, data, blocks);
        if (memcmp(got_d64, want_d64, 32 * blocks)) abort();
    }
    if (!blvm_sha256_use("auto")) abort();

    uint8_t r1[20], r2[20];
    blvm_ripemd160(r1, data, size);
    blvm_ripemd160_ctx rc;
    blvm_ripemd160_init(&rc);
    blvm_ripemd160_write(&rc, data, cut);
    blvm_ripemd160_write(&rc, data + cut, size - cut);
    blvm_ripemd160_finalize(&rc, r2);
    if (memcmp(r1, r2, 20)) abort();

    uint64_t k0 = 0x0706050403020100ULL ^ size, k1 = 0x0F0E0D0C0B0A0908ULL;
    blvm_siphash_ctx s1, s2;
    blvm_siphash_init(&s1, k0, k1);
    blvm_siphash_write(&s1, data, size);
    blvm_siphash_init(&s2, k0, k1);
    blvm_siphash_write(&s2, data, cut);
    blvm_siphash_write(&s2, data + cut, size - cut);
    if (blvm_siphash_finalize(&s1) != blvm_siphash_finalize(&s2)) abort();
    if (size >= 36) {
        blvm_siphash_init(&s1, k0, k1);
        blvm_siphash_write(&s1, data, 32);
        if (blvm_siphash_uint256(k0, k1, data) != blvm_siphash_finalize(&s1)) abort();
        blvm_siphash_write(&s1, data + 32, 4);
        uint32_t extra = (uint32_t)data[32] | (uint32_t)data[33] << 8 | (uint32_t)data[34] << 16 |
                         (uint32_t)data[35] << 24;
        if (blvm_siphash_uint256_extra(k0, k1, data, extra) != blvm_siphash_finalize(&s1))
            abort();
    }

    /* MuHash: inserting then removing the same elements leaves numerator and
     * denominator equal (both fully reduced), the empty set. Finalizing would
     * need an inverse per input, too slow to fuzz. */
    if (size <= 256) {
        blvm_muhash m;
        blvm_muhash_init(&m);
        blvm_muhash_insert(&m, data, cut);
        blvm_muhash_insert(&m, data + cut, size - cut);
        blvm_muhash_remove(&m, data + cut, size - cut);
        blvm_muhash_remove(&m, data, cut);
        uint8_t ser[BLVM_MUHASH_SERIALIZED_SIZE];
        blvm_muhash_serialize(&m, ser);
        if (memcmp(ser, ser + BLVM_NUM3072_BYTES, BLVM_NUM3072_BYTES)) abort();
    }
    return 0;
}
