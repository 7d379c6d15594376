#include "commons/keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commons/sums.h"
#include "crypto/hash.h"
#include "util/hex.h"

#define KEYS_MAX_FILE (1u << 20)

/* One signing context for the process, randomized once (side-channel
 * blinding); verification uses the static context. */
static secp256k1_context *g_sign_ctx;
static pthread_once_t g_sign_once = PTHREAD_ONCE_INIT;

static void sign_ctx_init(void) {
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    uint8_t seed[32];
    if (c && getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed)) {
        if (!secp256k1_context_randomize(c, seed)) {
            /* randomization is a hardening only; keep the context */
        }
    }
    g_sign_ctx = c;
}

/* Thread-safe: the service may sign from more than one thread. */
static secp256k1_context *sign_ctx(void) {
    pthread_once(&g_sign_once, sign_ctx_init);
    return g_sign_ctx;
}

void blvm_commons_key_clear(blvm_commons_key *key) {
    volatile uint8_t *p = (volatile uint8_t *)key;
    for (size_t i = 0; i < sizeof(*key); i++) p[i] = 0;
}

bool blvm_commons_key_from_secret(blvm_commons_key *key, const uint8_t secret[32]) {
    memset(key, 0, sizeof(*key));
    secp256k1_context *ctx = sign_ctx();
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey xpk;
    if (!ctx || !secp256k1_keypair_create(ctx, &kp, secret)) return false;
    if (!secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
        !secp256k1_xonly_pubkey_serialize(ctx, key->pubkey, &xpk))
        return false;
    memcpy(key->seckey, secret, 32);
    blvm_hex_encode(key->key_id, key->pubkey, 32);
    return true;
}

bool blvm_commons_key_generate(blvm_commons_key *key, char *err, size_t errlen) {
    uint8_t secret[32];
    for (int tries = 0; tries < 16; tries++) {
        if (getrandom(secret, sizeof(secret), 0) != (ssize_t)sizeof(secret)) {
            if (err) snprintf(err, errlen, "getrandom failed: %s", strerror(errno));
            return false;
        }
        /* Fails only for 0 or >= the group order: vanishingly rare. */
        if (blvm_commons_key_from_secret(key, secret)) {
            memset(secret, 0, sizeof(secret));
            return true;
        }
    }
    if (err) snprintf(err, errlen, "could not create a key");
    return false;
}

static bool write_new_file(const char *path, const char *text, int mode, char *err, size_t errlen) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (err) snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
                          errno == EEXIST ? " (refusing to overwrite a key file)" : "");
        return false;
    }
    /* The umask may have widened nothing, but make the mode exact. */
    if (fchmod(fd, (mode_t)mode) != 0) {
        if (err) snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return false;
    }
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (!ok) {
        if (err) snprintf(err, errlen, "%s: write error: %s", path, strerror(errno));
        unlink(path);
    }
    return ok;
}

static bool name_ok(const char *name) {
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == '#') return false;
    }
    return *name != '\0';
}

bool blvm_commons_key_write(const blvm_commons_key *key, const char *secret_path,
                            const char *public_path, const char *name, char *err, size_t errlen) {
    if (name && !name_ok(name)) {
        if (err) snprintf(err, errlen, "key name must be non-empty, one line, without '#'");
        return false;
    }
    char text[200];
    char hex[65];
    blvm_hex_encode(hex, key->seckey, 32);
    snprintf(text, sizeof(text), "%s\n", hex);
    memset(hex, 0, sizeof(hex));
    bool ok = write_new_file(secret_path, text, 0600, err, errlen);
    memset(text, 0, sizeof(text));
    if (!ok || !public_path) return ok;
    char pub[600];
    snprintf(pub, sizeof(pub), "%s %s\n", key->key_id, name ? name : "maintainer");
    if (!write_new_file(public_path, pub, 0644, err, errlen)) {
        unlink(secret_path);
        return false;
    }
    return true;
}

/* Trims spaces, tabs and a trailing CR from both ends, in place. */
static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r')) s[--l] = '\0';
    return s;
}

static bool is_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) return false;
    }
    return s[n] == '\0' || s[n] == ' ' || s[n] == '\t';
}

bool blvm_commons_key_load(blvm_commons_key *key, const char *path, char *err, size_t errlen) {
    memset(key, 0, sizeof(*key));
    struct stat st;
    if (stat(path, &st) != 0) {
        if (err) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        if (err) snprintf(err, errlen, "%s: secret key is not a regular file", path);
        return false;
    }
    if (st.st_mode & 077) {
        if (err) snprintf(err, errlen, "%s: secret key file permissions %04o are too open (chmod 600)",
                          path, (unsigned)(st.st_mode & 07777));
        return false;
    }
    size_t len;
    char *text = blvm_commons_read_file(path, 4096, &len, err, errlen);
    if (!text) return false;
    bool ok = false;
    char *line = text;
    size_t lineno = 0;
    char *found = NULL;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *t = trim(line);
        if (*t && *t != '#') {
            if (found) {
                if (err) snprintf(err, errlen, "%s: line %zu: more than one key in a secret key file", path, lineno);
                goto out;
            }
            found = t;
            if (strlen(t) != 64 || !is_hex(t, 64)) {
                if (err) snprintf(err, errlen, "%s: line %zu: secret key must be exactly 64 hex digits", path, lineno);
                goto out;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!found) {
        if (err) snprintf(err, errlen, "%s: no secret key in file", path);
        goto out;
    }
    uint8_t secret[32];
    size_t n;
    if (!blvm_hex_decode(secret, 32, &n, found) || n != 32 || !blvm_commons_key_from_secret(key, secret)) {
        if (err) snprintf(err, errlen, "%s: not a valid secp256k1 secret key (zero or above the group order)", path);
        memset(secret, 0, sizeof(secret));
        goto out;
    }
    memset(secret, 0, sizeof(secret));
    ok = true;
out:
    memset(text, 0, len);
    free(text);
    return ok;
}

bool blvm_commons_pubkey_parse(uint8_t out[32], const char *hex, char *err, size_t errlen) {
    size_t n;
    secp256k1_xonly_pubkey pk;
    if (strlen(hex) != 64 || !is_hex(hex, 64) || !blvm_hex_decode(out, 32, &n, hex) || n != 32) {
        if (err) snprintf(err, errlen, "public key must be 64 hex digits (BIP340 x-only), got '%.80s'", hex);
        return false;
    }
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, out)) {
        if (err) snprintf(err, errlen, "'%s' is not a point on secp256k1", hex);
        return false;
    }
    return true;
}

bool blvm_commons_sign32(const blvm_commons_key *key, const uint8_t msg32[32], uint8_t sig[64]) {
    secp256k1_context *ctx = sign_ctx();
    secp256k1_keypair kp;
    uint8_t aux[32];
    if (!ctx || getrandom(aux, sizeof(aux), 0) != (ssize_t)sizeof(aux)) return false;
    if (!secp256k1_keypair_create(ctx, &kp, key->seckey)) return false;
    bool ok = secp256k1_schnorrsig_sign32(ctx, sig, msg32, &kp, aux) == 1;
    memset(&kp, 0, sizeof(kp));
    /* Check our own output, as Core does after signing. */
    return ok && blvm_commons_verify32(key->pubkey, msg32, sig);
}

bool blvm_commons_verify32(const uint8_t pubkey[32], const uint8_t msg32[32], const uint8_t sig[64]) {
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, pubkey)) return false;
    return secp256k1_schnorrsig_verify(secp256k1_context_static, sig, msg32, 32, &pk) == 1;
}

void blvm_commons_governance_message(uint8_t out[32], const char *repo, int64_t number,
                                     const char *head_sha) {
    blvm_sha256_ctx ctx;
    blvm_sha256_init_tagged(&ctx, "blvm-commons/governance");
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, number);
    blvm_sha256_write(&ctx, (const uint8_t *)repo, strlen(repo));
    blvm_sha256_write(&ctx, (const uint8_t *)"\n", 1);
    blvm_sha256_write(&ctx, (const uint8_t *)num, strlen(num));
    blvm_sha256_write(&ctx, (const uint8_t *)"\n", 1);
    for (const char *p = head_sha; *p; p++) {
        uint8_t c = (uint8_t)tolower((unsigned char)*p);
        blvm_sha256_write(&ctx, &c, 1);
    }
    blvm_sha256_finalize(&ctx, out);
}

/* ---- keyring ---- */

void blvm_commons_keyring_clear(blvm_commons_keyring *kr) {
    for (size_t i = 0; i < kr->n; i++) free(kr->keys[i].name);
    free(kr->keys);
    kr->keys = NULL;
    kr->n = 0;
}

int blvm_commons_keyring_find(const blvm_commons_keyring *kr, const char *key_id) {
    for (size_t i = 0; i < kr->n; i++) {
        if (strcasecmp(kr->keys[i].key_id, key_id) == 0) return (int)i;
    }
    return -1;
}

static bool keyring_add(blvm_commons_keyring *kr, const uint8_t pub[32], const char *name) {
    blvm_commons_keyring_entry *e = realloc(kr->keys, (kr->n + 1) * sizeof(*e));
    if (!e) return false;
    kr->keys = e;
    e[kr->n].name = strdup(name);
    if (!e[kr->n].name) return false;
    memcpy(e[kr->n].pubkey, pub, 32);
    blvm_hex_encode(e[kr->n].key_id, pub, 32);
    kr->n++;
    return true;
}

bool blvm_commons_keyring_parse(blvm_commons_keyring *kr, const char *text, const char *name,
                                char *err, size_t errlen) {
    memset(kr, 0, sizeof(*kr));
    char *copy = strdup(text);
    if (!copy) {
        if (err) snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    size_t lineno = 0;
    for (char *line = copy; ok && line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *t = trim(line);
        if (*t && *t != '#') {
            char *sp = strpbrk(t, " \t");
            char *label = sp ? trim(sp + 1) : NULL;
            if (sp) *sp = '\0';
            uint8_t pub[32];
            char why[160];
            if (!blvm_commons_pubkey_parse(pub, t, why, sizeof(why))) {
                if (err) snprintf(err, errlen, "%s: line %zu: %s", name, lineno, why);
                ok = false;
            } else {
                char id[65];
                blvm_hex_encode(id, pub, 32);
                if (blvm_commons_keyring_find(kr, id) >= 0) {
                    if (err) snprintf(err, errlen, "%s: line %zu: key %s listed twice", name, lineno, id);
                    ok = false;
                } else if (!keyring_add(kr, pub, label && *label ? label : id)) {
                    if (err) snprintf(err, errlen, "out of memory");
                    ok = false;
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (ok && kr->n == 0) {
        if (err) snprintf(err, errlen, "%s: keyring has no keys", name);
        ok = false;
    }
    if (!ok) blvm_commons_keyring_clear(kr);
    return ok;
}

bool blvm_commons_keyring_load(blvm_commons_keyring *kr, const char *path, char *err, size_t errlen) {
    memset(kr, 0, sizeof(*kr));
    size_t len;
    char *text = blvm_commons_read_file(path, KEYS_MAX_FILE, &len, err, errlen);
    if (!text) return false;
    if (strlen(text) != len) {
        if (err) snprintf(err, errlen, "%s: NUL byte in keyring", path);
        free(text);
        return false;
    }
    bool ok = blvm_commons_keyring_parse(kr, text, path, err, errlen);
    free(text);
    return ok;
}

bool blvm_commons_keyring_from_config(blvm_commons_keyring *kr, const blvm_commons_config *cfg) {
    memset(kr, 0, sizeof(*kr));
    for (size_t i = 0; i < cfg->nmaintainers; i++) {
        if (!keyring_add(kr, cfg->maintainers[i].pubkey, cfg->maintainers[i].name)) {
            blvm_commons_keyring_clear(kr);
            return false;
        }
    }
    return true;
}

/* ---- signature files ---- */

void blvm_commons_sigfile_clear(blvm_commons_sigfile *sf) {
    free(sf->sigs);
    sf->sigs = NULL;
    sf->n = 0;
}

static int sigfile_find(const blvm_commons_sigfile *sf, const char *key_id) {
    for (size_t i = 0; i < sf->n; i++) {
        if (strcasecmp(sf->sigs[i].key_id, key_id) == 0) return (int)i;
    }
    return -1;
}

bool blvm_commons_sigfile_put(blvm_commons_sigfile *sf, const char *key_id, const uint8_t sig[64]) {
    int i = sigfile_find(sf, key_id);
    if (i < 0) {
        blvm_commons_sig *n = realloc(sf->sigs, (sf->n + 1) * sizeof(*n));
        if (!n) return false;
        sf->sigs = n;
        i = (int)sf->n++;
        memset(&sf->sigs[i], 0, sizeof(sf->sigs[i]));
    }
    snprintf(sf->sigs[i].key_id, sizeof(sf->sigs[i].key_id), "%s", key_id);
    for (char *p = sf->sigs[i].key_id; *p; p++) *p = (char)tolower((unsigned char)*p);
    memcpy(sf->sigs[i].sig, sig, 64);
    return true;
}

bool blvm_commons_sigfile_parse(blvm_commons_sigfile *sf, const char *text, const char *name,
                                char *err, size_t errlen) {
    memset(sf, 0, sizeof(*sf));
    char *copy = strdup(text);
    if (!copy) {
        if (err) snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    size_t lineno = 0;
    for (char *line = copy; ok && line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *t = trim(line);
        if (*t && *t != '#') {
            char *sp = strpbrk(t, " \t");
            char *sighex = sp ? trim(sp + 1) : NULL;
            if (sp) *sp = '\0';
            uint8_t sig[64];
            size_t n = 0;
            if (strlen(t) != 64 || !is_hex(t, 64)) {
                if (err) snprintf(err, errlen, "%s: line %zu: key id must be 64 hex digits", name, lineno);
                ok = false;
            } else if (!sighex || strlen(sighex) != 128 || !is_hex(sighex, 128) ||
                       !blvm_hex_decode(sig, 64, &n, sighex) || n != 64) {
                if (err) snprintf(err, errlen, "%s: line %zu: signature must be 128 hex digits after the key id", name, lineno);
                ok = false;
            } else if (sigfile_find(sf, t) >= 0) {
                if (err) snprintf(err, errlen, "%s: line %zu: second signature by key %s", name, lineno, t);
                ok = false;
            } else if (!blvm_commons_sigfile_put(sf, t, sig)) {
                if (err) snprintf(err, errlen, "out of memory");
                ok = false;
            } else {
                sf->sigs[sf->n - 1].line = lineno;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (!ok) blvm_commons_sigfile_clear(sf);
    return ok;
}

bool blvm_commons_sigfile_load(blvm_commons_sigfile *sf, const char *path, bool missing_ok,
                               char *err, size_t errlen) {
    memset(sf, 0, sizeof(*sf));
    if (missing_ok && access(path, F_OK) != 0 && errno == ENOENT) return true;
    size_t len;
    char *text = blvm_commons_read_file(path, KEYS_MAX_FILE, &len, err, errlen);
    if (!text) return false;
    if (strlen(text) != len) {
        if (err) snprintf(err, errlen, "%s: NUL byte in signature file", path);
        free(text);
        return false;
    }
    bool ok = blvm_commons_sigfile_parse(sf, text, path, err, errlen);
    free(text);
    return ok;
}

bool blvm_commons_sigfile_write(const blvm_commons_sigfile *sf, const char *path, char *err,
                                size_t errlen) {
    size_t cap = sf->n * 200 + 1;
    char *text = malloc(cap);
    if (!text) {
        if (err) snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t o = 0;
    text[0] = '\0';
    for (size_t i = 0; i < sf->n; i++) {
        char hex[129];
        blvm_hex_encode(hex, sf->sigs[i].sig, 64);
        o += (size_t)snprintf(text + o, cap - o, "%s %s\n", sf->sigs[i].key_id, hex);
    }
    bool ok = blvm_commons_write_file_atomic(path, text, o, 0644, err, errlen);
    free(text);
    return ok;
}

/* ---- thresholds ---- */

void blvm_commons_threshold_report_clear(blvm_commons_threshold_report *r) {
    if (!r) return;
    free(r->state);
    for (size_t i = 0; i < r->unknown; i++) free(r->unknown_ids[i]);
    free(r->unknown_ids);
    memset(r, 0, sizeof(*r));
}

bool blvm_commons_verify_threshold(const blvm_commons_keyring *kr, const blvm_commons_sigfile *sf,
                                   const uint8_t msg32[32], size_t threshold,
                                   blvm_commons_threshold_report *report) {
    blvm_commons_threshold_report local;
    blvm_commons_threshold_report *r = report ? report : &local;
    memset(r, 0, sizeof(*r));
    r->threshold = threshold;
    r->state = calloc(kr->n ? kr->n : 1, sizeof(*r->state));
    r->unknown_ids = calloc(sf->n ? sf->n : 1, sizeof(char *));
    bool ok = r->state && r->unknown_ids;
    for (size_t i = 0; ok && i < sf->n; i++) {
        int k = blvm_commons_keyring_find(kr, sf->sigs[i].key_id);
        if (k < 0) {
            r->unknown_ids[r->unknown] = strdup(sf->sigs[i].key_id);
            if (r->unknown_ids[r->unknown]) r->unknown++;
            continue;
        }
        /* Only the first signature of a key counts, so one key never counts
         * twice even if a caller built a sigfile by hand. */
        if (r->state[k] != BLVM_SIG_MISSING) continue;
        if (blvm_commons_verify32(kr->keys[k].pubkey, msg32, sf->sigs[i].sig)) {
            r->state[k] = BLVM_SIG_VALID;
            r->valid++;
        } else {
            r->state[k] = BLVM_SIG_BAD;
        }
    }
    bool pass = ok && threshold >= 1 && r->valid >= threshold;
    if (!report) blvm_commons_threshold_report_clear(&local);
    return pass;
}
