#ifndef BLVM_TESTS_VECTORS_VECTORS_H
#define BLVM_TESTS_VECTORS_VECTORS_H

/* Shared pieces of blvm-vectors: Core's script text format, flag names,
 * and the pass/fail tally. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned passed;
    unsigned failed;
} vec_tally;

/* Records one failing case: prints "FAIL: <comment>: <detail>". */
void vec_fail(vec_tally *t, const char *comment, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Core's ParseScript (core_read.cpp): decimal numbers, 0x raw hex,
 * 'strings', opcode names with or without OP_. Returns a malloc'd script, or
 * NULL (and *len 0) on a parse error; an empty script is a non-NULL
 * 1-byte allocation with *len 0. */
uint8_t *vec_parse_script(const char *text, size_t *len);

/* Core's ParseScriptFlags: comma-separated names, "" or "NONE" is 0. false
 * on an unknown name. */
bool vec_parse_flags(const char *text, uint32_t *flags);

/* All flag values, as Core's mapFlagNames. */
extern const uint32_t vec_all_flags[];
extern const size_t vec_all_flags_count;

/* Deterministic pseudo-random bits for the flag-combination checks. */
uint64_t vec_rand(void);

/* Each runner returns 0 when every case passed. */
int vec_run_script(const char *path, vec_tally *t);
int vec_run_tx(const char *path, bool valid, vec_tally *t);
int vec_run_sighash(const char *path, vec_tally *t);
int vec_run_bip341(const char *path, vec_tally *t);
int vec_run_bip340(const char *path, vec_tally *t);

#endif
