/* tx_valid.json and tx_invalid.json, as Core 29's transaction_tests.cpp:
 * the listed flags are excluded (tx_valid) or included (tx_invalid); every
 * single flag and random flag sets are added/removed to check that the
 * result only moves the allowed way; and the listed flags must be exactly
 * the ones that matter (the "flags are maximal/minimal" checks). */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "consensus/tx_check.h"
#include "consensus/validation.h"
#include "util/hex.h"
#include "vectors.h"

typedef struct {
    blvm_outpoint out;
    uint8_t *script;
    size_t script_len;
    blvm_amount value;
} prevout;

typedef struct {
    const blvm_tx *tx;
    prevout *prev;
    size_t n_prev;
    blvm_tx_precomputed pd;
} tx_case;

static bool valid_combination(uint32_t f) {
    if ((f & BLVM_SCRIPT_VERIFY_CLEANSTACK) &&
        (~f & (BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS)))
        return false;
    if ((f & BLVM_SCRIPT_VERIFY_WITNESS) && (~f & BLVM_SCRIPT_VERIFY_P2SH)) return false;
    return true;
}

/* Core's TrimFlags: WITNESS needs P2SH, CLEANSTACK needs WITNESS. */
static uint32_t trim_flags(uint32_t f) {
    if (!(f & BLVM_SCRIPT_VERIFY_P2SH)) f &= ~(uint32_t)BLVM_SCRIPT_VERIFY_WITNESS;
    if (!(f & BLVM_SCRIPT_VERIFY_WITNESS)) f &= ~(uint32_t)BLVM_SCRIPT_VERIFY_CLEANSTACK;
    return f;
}

/* Core's FillFlags: CLEANSTACK implies WITNESS implies P2SH. */
static uint32_t fill_flags(uint32_t f) {
    if (f & BLVM_SCRIPT_VERIFY_CLEANSTACK) f |= BLVM_SCRIPT_VERIFY_WITNESS;
    if (f & BLVM_SCRIPT_VERIFY_WITNESS) f |= BLVM_SCRIPT_VERIFY_P2SH;
    return f;
}

static const prevout *find_prev(const tx_case *c, const blvm_outpoint *o) {
    /* The last listing of an outpoint wins, like Core's std::map assignment. */
    for (size_t i = c->n_prev; i-- > 0;)
        if (c->prev[i].out.n == o->n && memcmp(c->prev[i].out.hash, o->hash, 32) == 0)
            return &c->prev[i];
    return NULL;
}

/* Core's CheckTxScripts: returns whether the result was as expected; sets
 * *bad when the test itself is malformed (an unknown prevout). */
static bool check_scripts(const tx_case *c, uint32_t flags, bool expect_valid, bool *bad) {
    bool tx_valid = true;
    for (size_t i = 0; i < c->tx->vin_count && tx_valid; i++) {
        const blvm_txin *in = &c->tx->vin[i];
        const prevout *p = find_prev(c, &in->prevout);
        if (!p) {
            *bad = true;
            return true;
        }
        blvm_sig_checker chk = {c->tx, i, p->value, &c->pd};
        blvm_script_error err;
        tx_valid = blvm_verify_script(in->script_sig.data, in->script_sig.len, p->script,
                                      p->script_len, &in->witness, flags, &chk, &err);
        if (tx_valid != (err == BLVM_SCRIPT_ERR_OK)) return false;
        if (expect_valid && !tx_valid) return false;
    }
    return tx_valid == expect_valid;
}

/* Core's ExcludeIndividualFlags: every distinct valid set with one flag
 * removed. Returns the count written to out. */
static size_t exclude_individual(uint32_t flags, uint32_t *out) {
    size_t n = 0;
    for (size_t i = 0; i < vec_all_flags_count; i++) {
        uint32_t f = trim_flags(flags & ~vec_all_flags[i]);
        if (f == flags) continue;
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= out[k] == f;
        if (!dup) out[n++] = f;
    }
    return n;
}

static void one_case(json_t *test, bool valid, const char *note, vec_tally *tally) {
    if (!json_is_array(json_array_get(test, 0))) return; /* a comment line */
    char *json = json_dumps(test, JSON_COMPACT);
    /* The comment lines before a case describe it; the case itself follows,
     * shortened. */
    char text[400];
    snprintf(text, sizeof(text), "%s%s%.160s%s", note ? note : "", note ? " | " : "",
             json ? json : "", json && strlen(json) > 160 ? "..." : "");
    free(json);
    const char *comment = text;
    blvm_tx tx;
    blvm_tx_init(&tx);
    tx_case c;
    memset(&c, 0, sizeof(c));
    c.tx = &tx;
    uint8_t *raw = NULL;
    json_t *inputs = json_array_get(test, 0);
    const char *hex = json_string_value(json_array_get(test, 1));
    const char *flags_text = json_string_value(json_array_get(test, 2));

    if (json_array_size(test) != 3 || !hex || !flags_text) {
        vec_fail(tally, comment, "bad test");
        goto out;
    }
    c.prev = calloc(json_array_size(inputs) + 1, sizeof(prevout));
    if (!c.prev) {
        vec_fail(tally, comment, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        size_t n = json_array_size(in);
        const char *h = json_string_value(json_array_get(in, 0));
        const char *s = json_string_value(json_array_get(in, 2));
        if (!json_is_array(in) || n < 3 || n > 4 || !h || !s ||
            !json_is_integer(json_array_get(in, 1))) {
            vec_fail(tally, comment, "bad test: input %zu", i);
            goto out;
        }
        prevout *p = &c.prev[c.n_prev++];
        if (!blvm_hex_decode_hash(p->out.hash, h)) {
            vec_fail(tally, comment, "bad test: prevout hash");
            goto out;
        }
        p->out.n = (uint32_t)json_integer_value(json_array_get(in, 1));
        p->script = vec_parse_script(s, &p->script_len);
        if (!p->script) {
            vec_fail(tally, comment, "bad test: script '%s'", s);
            goto out;
        }
        p->value = n == 4 ? (blvm_amount)json_integer_value(json_array_get(in, 3)) : 0;
    }
    size_t raw_len;
    raw = blvm_hex_decode_alloc(hex, &raw_len);
    if (!raw || !blvm_tx_decode_bytes(&tx, raw, raw_len, true)) {
        vec_fail(tally, comment, "transaction does not decode");
        goto out;
    }

    blvm_validation_state state;
    blvm_state_init(&state);
    bool check_ok = blvm_check_transaction(&tx, &state);
    if (!valid && !check_ok) {
        /* Context-free invalid transactions are marked BADTX. */
        if (strcmp(flags_text, "BADTX") != 0)
            vec_fail(tally, comment, "CheckTransaction failed (%s) but flags are not BADTX",
                     state.reject_reason);
        else
            tally->passed++;
        goto out;
    }
    if (valid && !check_ok) {
        vec_fail(tally, comment, "CheckTransaction failed: %s", state.reject_reason);
        goto out;
    }

    uint32_t verify_flags;
    if (!vec_parse_flags(flags_text, &verify_flags)) {
        vec_fail(tally, comment, "bad test: flags '%s'", flags_text);
        goto out;
    }
    /* The transaction tests carry no spent outputs (Core's
     * PrecomputedTransactionData(tx)). */
    blvm_tx_precompute(&c.pd, &tx, NULL, false);
    bool bad = false;
    uint32_t combos[64];
    size_t n_combos;

    if (valid) {
        if (~verify_flags != fill_flags(~verify_flags)) {
            vec_fail(tally, comment, "bad test flags");
            goto out;
        }
        if (!check_scripts(&c, ~verify_flags, true, &bad) || bad) {
            vec_fail(tally, comment, bad ? "bad test: unknown prevout" : "tx unexpectedly failed");
            goto out;
        }
        /* Removing any flag(s) must not invalidate a valid transaction. */
        for (size_t i = 0; i < vec_all_flags_count; i++) {
            uint32_t f = trim_flags(~(verify_flags | vec_all_flags[i]));
            if (!check_scripts(&c, f, true, &bad)) {
                vec_fail(tally, comment, "tx fails with flag %x unset", vec_all_flags[i]);
                goto out;
            }
            f = trim_flags(
                ~(verify_flags | (uint32_t)(vec_rand() & ((1u << vec_all_flags_count) - 1))));
            if (!check_scripts(&c, f, true, &bad)) {
                vec_fail(tally, comment, "tx fails with random flags %x", f);
                goto out;
            }
        }
        /* The excluded flags are all needed: setting any one of them back
         * must make it fail. */
        n_combos = exclude_individual(verify_flags, combos);
        for (size_t i = 0; i < n_combos; i++) {
            if (!check_scripts(&c, ~combos[i], false, &bad)) {
                vec_fail(tally, comment, "too many flags unset (passes with flags %x)", ~combos[i]);
                goto out;
            }
        }
    } else {
        if (verify_flags != fill_flags(verify_flags)) {
            vec_fail(tally, comment, "bad test flags");
            goto out;
        }
        if (!check_scripts(&c, verify_flags, false, &bad) || bad) {
            vec_fail(tally, comment, bad ? "bad test: unknown prevout" : "tx unexpectedly passed");
            goto out;
        }
        /* Adding any flag(s) must not validate an invalid transaction. */
        for (size_t i = 0; i < vec_all_flags_count; i++) {
            uint32_t f = fill_flags(verify_flags | vec_all_flags[i]);
            if (!check_scripts(&c, f, false, &bad)) {
                vec_fail(tally, comment, "tx passes with flag %x set", vec_all_flags[i]);
                goto out;
            }
            f = fill_flags(verify_flags |
                           (uint32_t)(vec_rand() & ((1u << vec_all_flags_count) - 1)));
            if (!check_scripts(&c, f, false, &bad)) {
                vec_fail(tally, comment, "tx passes with random flags %x", f);
                goto out;
            }
        }
        /* The listed flags are all needed: dropping any one must make it pass. */
        n_combos = exclude_individual(verify_flags, combos);
        for (size_t i = 0; i < n_combos; i++) {
            if (!valid_combination(combos[i]) || !check_scripts(&c, combos[i], true, &bad)) {
                vec_fail(tally, comment, "too many flags set (fails with flags %x)", combos[i]);
                goto out;
            }
        }
    }
    tally->passed++;
out:
    if (c.prev)
        for (size_t i = 0; i < c.n_prev; i++)
            free(c.prev[i].script);
    free(c.prev);
    free(raw);
    blvm_tx_clear(&tx);
}

int vec_run_tx(const char *path, bool valid, vec_tally *tally) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root || !json_is_array(root)) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        json_decref(root);
        return 1;
    }
    const char *note = NULL;
    for (size_t i = 0; i < json_array_size(root); i++) {
        json_t *t = json_array_get(root, i);
        if (json_is_string(json_array_get(t, 0))) {
            /* the last comment line before a case describes it best */
            note = json_string_value(json_array_get(t, 0));
            continue;
        }
        one_case(t, valid, note, tally);
    }
    json_decref(root);
    return 0;
}
