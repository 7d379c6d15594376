/* Script execution under random flags: the fuzz input is split into flags,
 * a scriptSig, a scriptPubKey and a witness, and run through VerifyScript
 * inside a fixed transaction (so signature checks compute real signature
 * hashes), then each script alone through EvalScript in every signature
 * version, and through the sigop counters and FindAndDelete.
 *
 * Input: flags (4 bytes LE), amount byte, then length-prefixed (2 bytes LE)
 * scriptSig, scriptPubKey and any number of witness items. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "consensus/tx.h"
#include "util/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool take(blvm_reader *r, const uint8_t **p, size_t *len) {
    uint16_t n;
    if (!blvm_read_u16(r, &n)) return false;
    if (n > blvm_reader_remaining(r)) n = (uint16_t)blvm_reader_remaining(r);
    *len = n;
    return blvm_read_span(r, p, n);
}

static void check(bool cond) {
    if (!cond) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    blvm_reader r;
    blvm_reader_init(&r, data, size);
    uint32_t flags;
    uint8_t amount_byte;
    if (!blvm_read_u32(&r, &flags) || !blvm_read_u8(&r, &amount_byte)) return 0;
    flags &= BLVM_SCRIPT_VERIFY_END_MARKER - 1;
    /* The interpreter's callers keep these implications (Core asserts them). */
    if (flags & BLVM_SCRIPT_VERIFY_CLEANSTACK) flags |= BLVM_SCRIPT_VERIFY_WITNESS;
    if (flags & BLVM_SCRIPT_VERIFY_WITNESS) flags |= BLVM_SCRIPT_VERIFY_P2SH;

    const uint8_t *sig = NULL, *spk = NULL;
    size_t sig_len = 0, spk_len = 0;
    if (!take(&r, &sig, &sig_len) || !take(&r, &spk, &spk_len)) return 0;

    blvm_tx tx;
    blvm_tx_init(&tx);
    if (!blvm_tx_resize(&tx, 2, 2)) return 0;
    tx.version = 2;
    tx.locktime = 500;
    tx.vin[0].sequence = 0x10;
    tx.vin[1].prevout.n = 1;
    tx.vin[1].sequence = 0xfffffffe;
    tx.vout[0].value = 1000;
    tx.vout[1].value = 2000;
    bool ok = blvm_script_set(&tx.vin[0].script_sig, sig, sig_len);
    while (ok && blvm_reader_remaining(&r) >= 2) {
        const uint8_t *item;
        size_t len;
        if (!take(&r, &item, &len)) break;
        ok = blvm_witness_push(&tx.vin[0].witness, item, len);
    }
    if (!ok) {
        blvm_tx_clear(&tx);
        return 0;
    }

    blvm_txout spent[2] = {{(blvm_amount)amount_byte * 1000, {(uint8_t *)spk, spk_len, 0}},
                           {5000, {NULL, 0, 0}}};
    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &tx, spent, amount_byte & 1);
    blvm_sig_checker c = {&tx, 0, spent[0].value, &pd};
    blvm_script_error err = BLVM_SCRIPT_ERR_ERROR_COUNT;
    bool valid =
        blvm_verify_script(sig, sig_len, spk, spk_len, &tx.vin[0].witness, flags, &c, &err);
    check(valid == (err == BLVM_SCRIPT_ERR_OK));
    check(blvm_script_error_name(err) != NULL);

    /* Each script alone, in every version that runs scripts. */
    static const blvm_sigversion versions[] = {BLVM_SIGVERSION_BASE, BLVM_SIGVERSION_WITNESS_V0,
                                               BLVM_SIGVERSION_TAPSCRIPT};
    for (size_t v = 0; v < 3; v++) {
        blvm_stack st;
        blvm_stack_init(&st);
        blvm_script_exec_data ed;
        memset(&ed, 0, sizeof(ed));
        ed.annex_init = true;
        ed.tapleaf_hash_init = true;
        ed.validation_weight_left_init = true;
        ed.validation_weight_left = 200;
        bool r1 = blvm_eval_script(&st, spk, spk_len, flags, &c, versions[v], &ed, &err);
        check(r1 == (err == BLVM_SCRIPT_ERR_OK));
        check(st.size <= BLVM_MAX_STACK_SIZE + 3);
        blvm_stack_clear(&st);
    }

    (void)blvm_script_sigop_count(spk, spk_len, true);
    (void)blvm_script_sigop_count(spk, spk_len, false);
    (void)blvm_script_p2sh_sigop_count(spk, spk_len, sig, sig_len);
    (void)blvm_tx_sigop_cost(&tx, spent, flags);

    /* FindAndDelete never grows the script and removes what it reports. */
    if (spk_len > 0) {
        uint8_t *copy = malloc(spk_len);
        if (copy) {
            memcpy(copy, spk, spk_len);
            size_t len = spk_len;
            size_t needle = sig_len < 8 ? sig_len : 8;
            size_t found = blvm_script_find_and_delete(copy, &len, sig, needle);
            check(len <= spk_len);
            check(len + found * needle == spk_len || needle == 0);
            free(copy);
        }
    }
    uint8_t h[32];
    blvm_sighash_legacy(h, spk, spk_len, &tx, 0, (int32_t)flags);
    blvm_tx_clear(&tx);
    return 0;
}
