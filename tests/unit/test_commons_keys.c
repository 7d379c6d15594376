/* Unit tests for commons keys: BIP340 signing and verification (checked
 * against the BIP340 vectors), key/keyring/signature file parsing, and the
 * N-of-M threshold rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/keys.h"
#include "util/hex.h"

static void test_bip340_vectors(void **state) {
    (void)state;
    FILE *f = fopen(BLVM_VECTORS_DIR "/bip340_test_vectors.csv", "r");
    assert_non_null(f);
    char line[1024];
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    int rows = 0, signed_rows = 0;
    while (fgets(line, sizeof(line), f)) {
        char *fields[8] = {0};
        int n = 0;
        char *p = line;
        while (n < 8) {
            fields[n++] = p;
            char *c = strchr(p, ',');
            if (!c) break;
            *c = '\0';
            p = c + 1;
        }
        assert_true(n >= 7);
        uint8_t sk[32], pk[32], msg[32], sig[64];
        size_t len;
        bool expect = strncmp(fields[6], "TRUE", 4) == 0;
        assert_true(blvm_hex_decode(msg, 32, &len, fields[4]) && len == 32);
        assert_true(blvm_hex_decode(sig, 64, &len, fields[5]) && len == 64);
        bool pk_ok = blvm_hex_decode(pk, 32, &len, fields[2]) && len == 32;
        assert_true(pk_ok);
        assert_int_equal(blvm_commons_verify32(pk, msg, sig), expect);
        if (fields[1][0]) {
            /* Rows with a secret key: our key derivation gives the same
             * x-only public key, and our own signature verifies. */
            assert_true(blvm_hex_decode(sk, 32, &len, fields[1]) && len == 32);
            blvm_commons_key key;
            assert_true(blvm_commons_key_from_secret(&key, sk));
            assert_memory_equal(key.pubkey, pk, 32);
            uint8_t mysig[64];
            assert_true(blvm_commons_sign32(&key, msg, mysig));
            assert_true(blvm_commons_verify32(pk, msg, mysig));
            signed_rows++;
        }
        rows++;
    }
    fclose(f);
    assert_true(rows >= 15);
    assert_true(signed_rows >= 4);
}

static void test_sign_verify_and_tamper(void **state) {
    (void)state;
    blvm_commons_key k;
    char err[256];
    assert_true(blvm_commons_key_generate(&k, err, sizeof(err)));
    uint8_t msg[32] = {1, 2, 3}, sig[64];
    assert_true(blvm_commons_sign32(&k, msg, sig));
    assert_true(blvm_commons_verify32(k.pubkey, msg, sig));
    msg[0] ^= 1;
    assert_false(blvm_commons_verify32(k.pubkey, msg, sig));
    msg[0] ^= 1;
    sig[10] ^= 0x80;
    assert_false(blvm_commons_verify32(k.pubkey, msg, sig));
    /* Zero and the group order are not secret keys. */
    uint8_t zero[32] = {0};
    assert_false(blvm_commons_key_from_secret(&k, zero));
    uint8_t order[32];
    size_t len;
    assert_true(blvm_hex_decode(order, 32, &len, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
    assert_false(blvm_commons_key_from_secret(&k, order));
}

static void test_governance_message_binds_everything(void **state) {
    (void)state;
    uint8_t a[32], b[32];
    const char *sha = "0123456789abcdef0123456789abcdef01234567";
    blvm_commons_governance_message(a, "o/r", 7, sha);
    blvm_commons_governance_message(b, "o/r", 7, "0123456789ABCDEF0123456789ABCDEF01234567");
    assert_memory_equal(a, b, 32); /* hex case does not matter */
    blvm_commons_governance_message(b, "o/r", 8, sha);
    assert_memory_not_equal(a, b, 32);
    blvm_commons_governance_message(b, "o/x", 7, sha);
    assert_memory_not_equal(a, b, 32);
    blvm_commons_governance_message(b, "o/r", 7, "1123456789abcdef0123456789abcdef01234567");
    assert_memory_not_equal(a, b, 32);
}

static void make_keys(blvm_commons_key *keys, size_t n, blvm_commons_keyring *kr) {
    char text[1024] = "# test keyring\n";
    char err[256];
    for (size_t i = 0; i < n; i++) {
        assert_true(blvm_commons_key_generate(&keys[i], err, sizeof(err)));
        char line[128];
        snprintf(line, sizeof(line), "%s maintainer-%zu\n", keys[i].key_id, i);
        strcat(text, line);
    }
    assert_true(blvm_commons_keyring_parse(kr, text, "ring", err, sizeof(err)));
    assert_int_equal(kr->n, n);
}

static void test_threshold(void **state) {
    (void)state;
    blvm_commons_key keys[4];
    blvm_commons_keyring kr;
    make_keys(keys, 3, &kr);
    assert_true(blvm_commons_key_generate(&keys[3], NULL, 0)); /* not in the ring */
    uint8_t msg[32] = {9}, sig[64];
    blvm_commons_sigfile sf = {0};
    blvm_commons_threshold_report rep;

    /* No signatures at all. */
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 1, &rep));
    assert_int_equal(rep.valid, 0);
    assert_int_equal(rep.state[0], BLVM_SIG_MISSING);
    blvm_commons_threshold_report_clear(&rep);

    assert_true(blvm_commons_sign32(&keys[0], msg, sig));
    assert_true(blvm_commons_sigfile_put(&sf, keys[0].key_id, sig));
    /* The same key again only replaces its signature: still one key. */
    assert_true(blvm_commons_sign32(&keys[0], msg, sig));
    assert_true(blvm_commons_sigfile_put(&sf, keys[0].key_id, sig));
    assert_int_equal(sf.n, 1);
    assert_true(blvm_commons_verify_threshold(&kr, &sf, msg, 1, NULL));
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 2, NULL));

    /* An outsider's valid signature does not count. */
    assert_true(blvm_commons_sign32(&keys[3], msg, sig));
    assert_true(blvm_commons_sigfile_put(&sf, keys[3].key_id, sig));
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 2, &rep));
    assert_int_equal(rep.unknown, 1);
    assert_string_equal(rep.unknown_ids[0], keys[3].key_id);
    blvm_commons_threshold_report_clear(&rep);

    /* A signature over another message is bad, not valid. */
    uint8_t other[32] = {8};
    assert_true(blvm_commons_sign32(&keys[1], other, sig));
    assert_true(blvm_commons_sigfile_put(&sf, keys[1].key_id, sig));
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 2, &rep));
    assert_int_equal(rep.state[0], BLVM_SIG_VALID);
    assert_int_equal(rep.state[1], BLVM_SIG_BAD);
    assert_int_equal(rep.state[2], BLVM_SIG_MISSING);
    blvm_commons_threshold_report_clear(&rep);

    /* Fixing it reaches 2 of 3. */
    assert_true(blvm_commons_sign32(&keys[1], msg, sig));
    assert_true(blvm_commons_sigfile_put(&sf, keys[1].key_id, sig));
    assert_true(blvm_commons_verify_threshold(&kr, &sf, msg, 2, &rep));
    assert_int_equal(rep.valid, 2);
    blvm_commons_threshold_report_clear(&rep);
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 3, NULL));
    /* A threshold of 0 never passes: it would mean "no check". */
    assert_false(blvm_commons_verify_threshold(&kr, &sf, msg, 0, NULL));

    /* A hand-built file naming one key twice still counts it once. */
    blvm_commons_sigfile dup = {0};
    assert_true(blvm_commons_sign32(&keys[2], msg, sig));
    assert_true(blvm_commons_sigfile_put(&dup, keys[2].key_id, sig));
    blvm_commons_sig *grown = realloc(dup.sigs, 2 * sizeof(*grown));
    assert_non_null(grown);
    dup.sigs = grown;
    dup.sigs[1] = dup.sigs[0];
    dup.n = 2;
    assert_false(blvm_commons_verify_threshold(&kr, &dup, msg, 2, NULL));
    blvm_commons_sigfile_clear(&dup);

    blvm_commons_sigfile_clear(&sf);
    blvm_commons_keyring_clear(&kr);
}

static void expect_keyring_error(const char *text, const char *needle) {
    blvm_commons_keyring kr;
    char err[256] = "";
    assert_false(blvm_commons_keyring_parse(&kr, text, "ring", err, sizeof(err)));
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
    assert_int_equal(kr.n, 0);
}

static void test_keyring_errors(void **state) {
    (void)state;
    expect_keyring_error("", "no keys");
    expect_keyring_error("# only a comment\n", "no keys");
    expect_keyring_error("abcd alice\n", "line 1: public key must be 64 hex");
    expect_keyring_error("# c\nzz08a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9 x\n", "line 2");
    /* x = 5 is not on the curve (BIP340 vector 5's public key). */
    expect_keyring_error("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34 bad\n", "not a point");
    expect_keyring_error("F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9 a\n"
                         "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9 b\n",
                         "listed twice");
}

static void expect_sigfile_error(const char *text, const char *needle) {
    blvm_commons_sigfile sf;
    char err[256] = "";
    assert_false(blvm_commons_sigfile_parse(&sf, text, "f.sig", err, sizeof(err)));
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_sigfile_errors(void **state) {
    (void)state;
    const char *id = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
    char sig[129];
    memset(sig, 'a', 128);
    sig[128] = '\0';
    char text[512];
    snprintf(text, sizeof(text), "%s\n", id);
    expect_sigfile_error(text, "line 1: signature must be 128 hex");
    snprintf(text, sizeof(text), "%s %.127s\n", id, sig);
    expect_sigfile_error(text, "signature must be 128 hex");
    snprintf(text, sizeof(text), "%s %.127sg\n", id, sig);
    expect_sigfile_error(text, "signature must be 128 hex");
    snprintf(text, sizeof(text), "xyz %s\n", sig);
    expect_sigfile_error(text, "key id must be 64 hex");
    snprintf(text, sizeof(text), "%s %s\n%s %s\n", id, sig, id, sig);
    expect_sigfile_error(text, "line 2: second signature");
    blvm_commons_sigfile sf;
    snprintf(text, sizeof(text), "# sigs\n\n%s %s\r\n", id, sig);
    assert_true(blvm_commons_sigfile_parse(&sf, text, "f.sig", NULL, 0));
    assert_int_equal(sf.n, 1);
    assert_int_equal(sf.sigs[0].line, 3);
    blvm_commons_sigfile_clear(&sf);
}

static void test_key_files(void **state) {
    (void)state;
    char dir[] = "/tmp/blvm-test-keys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sk[128], pk[128], err[256];
    snprintf(sk, sizeof(sk), "%s/k", dir);
    snprintf(pk, sizeof(pk), "%s/k.pub", dir);
    blvm_commons_key k, k2;
    assert_true(blvm_commons_key_generate(&k, err, sizeof(err)));
    assert_true(blvm_commons_key_write(&k, sk, pk, "alice", err, sizeof(err)));
    struct stat st;
    assert_int_equal(stat(sk, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Never overwrites a key. */
    assert_false(blvm_commons_key_write(&k, sk, NULL, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "refusing to overwrite"));
    assert_true(blvm_commons_key_load(&k2, sk, err, sizeof(err)));
    assert_memory_equal(k.pubkey, k2.pubkey, 32);
    blvm_commons_keyring kr;
    assert_true(blvm_commons_keyring_load(&kr, pk, err, sizeof(err)));
    assert_string_equal(kr.keys[0].name, "alice");
    assert_string_equal(kr.keys[0].key_id, k.key_id);
    blvm_commons_keyring_clear(&kr);
    /* Too open. */
    assert_int_equal(chmod(sk, 0640), 0);
    assert_false(blvm_commons_key_load(&k2, sk, err, sizeof(err)));
    assert_non_null(strstr(err, "too open"));
    /* Malformed contents. */
    struct {
        const char *text;
        const char *needle;
    } bad[] = {
        {"", "no secret key"},
        {"1234\n", "exactly 64 hex"},
        {"0000000000000000000000000000000000000000000000000000000000000000\n", "not a valid secp256k1 secret"},
        {"zz00000000000000000000000000000000000000000000000000000000000001\n", "exactly 64 hex"},
        {"0000000000000000000000000000000000000000000000000000000000000001\n"
         "0000000000000000000000000000000000000000000000000000000000000002\n",
         "more than one key"},
    };
    for (size_t i = 0; i < BLVM_ARRAY_LEN(bad); i++) {
        char p[160];
        snprintf(p, sizeof(p), "%s/bad%zu", dir, i);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(bad[i].text, f);
        fclose(f);
        assert_int_equal(chmod(p, 0600), 0);
        err[0] = '\0';
        assert_false(blvm_commons_key_load(&k2, p, err, sizeof(err)));
        if (!strstr(err, bad[i].needle)) fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
        unlink(p);
    }
    assert_false(blvm_commons_key_load(&k2, "/nonexistent/key", err, sizeof(err)));
    unlink(sk);
    unlink(pk);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bip340_vectors),
        cmocka_unit_test(test_sign_verify_and_tamper),
        cmocka_unit_test(test_governance_message_binds_everything),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_keyring_errors),
        cmocka_unit_test(test_sigfile_errors),
        cmocka_unit_test(test_key_files),
    };
    return cmocka_run_group_tests_name("commons_keys", tests, NULL, NULL);
}
