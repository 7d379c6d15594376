/* sighash.json: legacy signature hashes of random transactions and scripts
 * (Core's sighash_from_data test). */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "consensus/tx_check.h"
#include "consensus/validation.h"
#include "util/hex.h"
#include "vectors.h"

static void one_case(json_t *test, vec_tally *tally) {
    if (json_array_size(test) == 1) return; /* a comment line */
    char *text = json_dumps(test, JSON_COMPACT);
    const char *raw_tx = json_string_value(json_array_get(test, 0));
    const char *raw_script = json_string_value(json_array_get(test, 1));
    json_t *jin = json_array_get(test, 2), *jtype = json_array_get(test, 3);
    const char *expect = json_string_value(json_array_get(test, 4));
    uint8_t *txb = NULL, *script = NULL;
    size_t tx_len, script_len;
    blvm_tx tx;
    blvm_tx_init(&tx);
    if (json_array_size(test) < 5 || !raw_tx || !raw_script || !json_is_integer(jin) ||
        !json_is_integer(jtype) || !expect) {
        vec_fail(tally, text, "bad test");
        goto out;
    }
    txb = blvm_hex_decode_alloc(raw_tx, &tx_len);
    script = blvm_hex_decode_alloc(raw_script, &script_len);
    if (!txb || !script || !blvm_tx_decode_bytes(&tx, txb, tx_len, true)) {
        vec_fail(tally, text, "bad test: cannot decode");
        goto out;
    }
    blvm_validation_state state;
    blvm_state_init(&state);
    if (!blvm_check_transaction(&tx, &state)) {
        vec_fail(tally, text, "CheckTransaction failed: %s", state.reject_reason);
        goto out;
    }
    json_int_t n_in = json_integer_value(jin);
    if (n_in < 0 || (size_t)n_in >= tx.vin_count) {
        vec_fail(tally, text, "bad test: input index");
        goto out;
    }
    uint8_t h[32];
    char got[65];
    blvm_sighash_legacy(h, script, script_len, &tx, (size_t)n_in,
                        (int32_t)json_integer_value(jtype));
    blvm_hex_encode_reversed(got, h, 32);
    if (strcmp(got, expect) != 0) {
        vec_fail(tally, text, "got %s", got);
        goto out;
    }
    tally->passed++;
out:
    free(txb);
    free(script);
    blvm_tx_clear(&tx);
    free(text);
}

int vec_run_sighash(const char *path, vec_tally *tally) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root || !json_is_array(root)) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        json_decref(root);
        return 1;
    }
    for (size_t i = 0; i < json_array_size(root); i++)
        one_case(json_array_get(root, i), tally);
    json_decref(root);
    return 0;
}
