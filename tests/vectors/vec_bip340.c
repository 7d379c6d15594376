/* bip340_test_vectors.csv: BIP340 signing (where a secret key is given) and
 * verification results. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "consensus/sigcheck.h"
#include "util/hex.h"
#include "vectors.h"

static bool dec(uint8_t *out, size_t want, const char *hex) {
    size_t n;
    return blvm_hex_decode(out, want, &n, hex) && n == want;
}

int vec_run_bip340(const char *path, vec_tally *tally) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    char line[2048];
    bool header = true;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (header) {
            header = false;
            continue;
        }
        if (!*line) continue;
        /* index,secret key,public key,aux_rand,message,signature,result,comment */
        char *fields[8] = {0};
        char *p = line;
        for (int i = 0; i < 7; i++) {
            fields[i] = p;
            char *c = strchr(p, ',');
            if (!c) {
                p = NULL;
                break;
            }
            *c = 0;
            p = c + 1;
        }
        fields[7] = p;
        char comment[2200];
        snprintf(comment, sizeof(comment), "vector %s%s%s", fields[0] ? fields[0] : "?",
                 fields[7] && *fields[7] ? " " : "", fields[7] ? fields[7] : "");
        if (!p) {
            vec_fail(tally, comment, "bad line");
            continue;
        }
        uint8_t sk[32], pk[32], aux[32], msg[32], sig[64];
        if (!dec(pk, 32, fields[2]) || !dec(msg, 32, fields[4]) || !dec(sig, 64, fields[5])) {
            vec_fail(tally, comment, "bad fields");
            continue;
        }
        bool expect = strcmp(fields[6], "TRUE") == 0;
        if (*fields[1]) {
            /* Signing: derive the key and reproduce the signature. */
            secp256k1_keypair kp;
            secp256k1_xonly_pubkey xpk;
            uint8_t got_pk[32], got_sig[64];
            if (!dec(sk, 32, fields[1]) || !dec(aux, 32, fields[3]) ||
                !secp256k1_keypair_create(ctx, &kp, sk) ||
                !secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
                !secp256k1_xonly_pubkey_serialize(ctx, got_pk, &xpk) ||
                !secp256k1_schnorrsig_sign32(ctx, got_sig, msg, &kp, aux)) {
                vec_fail(tally, comment, "signing failed");
                continue;
            }
            if (memcmp(got_pk, pk, 32) != 0) {
                vec_fail(tally, comment, "public key differs");
                continue;
            }
            if (memcmp(got_sig, sig, 64) != 0) {
                vec_fail(tally, comment, "signature differs");
                continue;
            }
        }
        bool got = blvm_schnorr_verify(pk, sig, msg);
        if (got != expect) {
            vec_fail(tally, comment, "verification gave %s", got ? "TRUE" : "FALSE");
            continue;
        }
        tally->passed++;
    }
    fclose(f);
    secp256k1_context_destroy(ctx);
    return 0;
}
