#ifndef BLVM_COMMONS_KEYS_H
#define BLVM_COMMONS_KEYS_H

/* Maintainer keys and detached signatures (BIP340 Schnorr, libsecp256k1).
 *
 * A key id is the lowercase hex of the 32-byte x-only public key: it names
 * the key unambiguously and is all a verifier needs.
 *
 * Files (all text, one item per line, '#' starts a comment line):
 *   secret key   "<64 hex secret>"                          mode 0600
 *   public key   "<64 hex x-only pubkey> <name>"
 *   keyring      public key lines, e.g. `cat *.pub > keyring`
 *   signatures   "<key id> <128 hex BIP340 signature>" per signer; `sign`
 *                adds or replaces its own line in FILE.sig
 * A signature on a file is over the file's SHA-256 (the 32-byte digest is
 * BIP340's message).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commons/config.h"
#include "util/common.h"

typedef struct {
    uint8_t seckey[32];
    uint8_t pubkey[32]; /* x-only */
    char key_id[65];
} blvm_commons_key;

/* New random key (getrandom). */
BLVM_WUR bool blvm_commons_key_generate(blvm_commons_key *key, char *err, size_t errlen);
/* Builds the key from a 32-byte secret; fails for 0 or >= the group order. */
BLVM_WUR bool blvm_commons_key_from_secret(blvm_commons_key *key, const uint8_t secret[32]);
/* Writes the secret key file (created 0600, refuses to overwrite) and, when
 * public_path is not NULL, the public key file. */
BLVM_WUR bool blvm_commons_key_write(const blvm_commons_key *key, const char *secret_path,
                                     const char *public_path, const char *name, char *err,
                                     size_t errlen);
/* Reads a secret key file; refuses one readable by group or others. */
BLVM_WUR bool blvm_commons_key_load(blvm_commons_key *key, const char *path, char *err,
                                    size_t errlen);
void blvm_commons_key_clear(blvm_commons_key *key);

/* Parses 64 hex digits into a valid x-only public key. */
BLVM_WUR bool blvm_commons_pubkey_parse(uint8_t out[32], const char *hex, char *err,
                                        size_t errlen);

BLVM_WUR bool blvm_commons_sign32(const blvm_commons_key *key, const uint8_t msg32[32],
                                  uint8_t sig[64]);
BLVM_WUR bool blvm_commons_verify32(const uint8_t pubkey[32], const uint8_t msg32[32],
                                    const uint8_t sig[64]);

/* The 32-byte message a maintainer signs to approve a pull request: the
 * BIP340 tagged hash "blvm-commons/governance" of
 * "<owner/repo>\n<PR number>\n<head commit sha, lowercase hex>". Binding the
 * head sha makes every push invalidate earlier signatures. */
void blvm_commons_governance_message(uint8_t out[32], const char *repo, int64_t number,
                                     const char *head_sha);

typedef struct {
    char *name;
    uint8_t pubkey[32];
    char key_id[65];
} blvm_commons_keyring_entry;

typedef struct {
    blvm_commons_keyring_entry *keys;
    size_t n;
} blvm_commons_keyring;

/* Loads a keyring file (error names the line); a duplicate key is an error. */
BLVM_WUR bool blvm_commons_keyring_load(blvm_commons_keyring *kr, const char *path, char *err,
                                        size_t errlen);
/* Same from text (name used in messages). */
BLVM_WUR bool blvm_commons_keyring_parse(blvm_commons_keyring *kr, const char *text,
                                         const char *name, char *err, size_t errlen);
/* The maintainers of a config as a keyring. */
BLVM_WUR bool blvm_commons_keyring_from_config(blvm_commons_keyring *kr,
                                               const blvm_commons_config *cfg);
/* Index of key_id, or -1. */
int blvm_commons_keyring_find(const blvm_commons_keyring *kr, const char *key_id);
void blvm_commons_keyring_clear(blvm_commons_keyring *kr);

typedef struct {
    char key_id[65];
    uint8_t sig[64];
    size_t line;
} blvm_commons_sig;

typedef struct {
    blvm_commons_sig *sigs;
    size_t n;
} blvm_commons_sigfile;

/* Parses a signature file: any malformed line is an error naming the line.
 * A key id appearing twice is an error too. A missing file is an empty set
 * when missing_ok. */
BLVM_WUR bool blvm_commons_sigfile_parse(blvm_commons_sigfile *sf, const char *text,
                                         const char *name, char *err, size_t errlen);
BLVM_WUR bool blvm_commons_sigfile_load(blvm_commons_sigfile *sf, const char *path,
                                        bool missing_ok, char *err, size_t errlen);
/* Adds sig, replacing an earlier one by the same key. */
BLVM_WUR bool blvm_commons_sigfile_put(blvm_commons_sigfile *sf, const char *key_id,
                                       const uint8_t sig[64]);
/* Writes the file atomically (temp file + rename). */
BLVM_WUR bool blvm_commons_sigfile_write(const blvm_commons_sigfile *sf, const char *path,
                                         char *err, size_t errlen);
void blvm_commons_sigfile_clear(blvm_commons_sigfile *sf);

typedef enum {
    BLVM_SIG_MISSING = 0, /* the key has no signature */
    BLVM_SIG_VALID,
    BLVM_SIG_BAD,         /* a signature that does not verify */
} blvm_commons_sig_state;

typedef struct {
    size_t valid;            /* distinct keyring keys with a valid signature */
    size_t threshold;
    blvm_commons_sig_state *state; /* per keyring entry (kr->n) */
    size_t unknown;          /* signatures by keys not in the keyring */
    char **unknown_ids;
} blvm_commons_threshold_report;

/* Checks sigs over msg32 against the keyring. Returns true only when at
 * least threshold distinct keyring keys signed validly (threshold >= 1).
 * report (may be NULL) says which keys are valid, bad or missing. */
BLVM_WUR bool blvm_commons_verify_threshold(const blvm_commons_keyring *kr,
                                            const blvm_commons_sigfile *sf,
                                            const uint8_t msg32[32], size_t threshold,
                                            blvm_commons_threshold_report *report);
void blvm_commons_threshold_report_clear(blvm_commons_threshold_report *report);

#endif
