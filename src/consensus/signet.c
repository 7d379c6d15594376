/* BIP325 signet block solutions, following Core's signet.cpp step by step:
 * the modified merkle root and the virtual transactions must hash exactly as
 * Core's do, or a signet node would split from the network. */
#include "consensus/signet.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/interpreter.h"
#include "consensus/merkle.h"
#include "consensus/script.h"
#include "consensus/sighash.h"
#include "util/bytes.h"

const uint8_t BLVM_SIGNET_HEADER[BLVM_SIGNET_HEADER_LEN] = {0xec, 0xc7, 0xda, 0xa2};

/* Core's BLOCK_SCRIPT_VERIFY_FLAGS in signet.cpp. */
#define SIGNET_FLAGS                                                                               \
    (BLVM_SCRIPT_VERIFY_P2SH | BLVM_SCRIPT_VERIFY_WITNESS | BLVM_SCRIPT_VERIFY_DERSIG |            \
     BLVM_SCRIPT_VERIFY_NULLDUMMY)

/* CScript << bytes: the shortest push opcode for the length (a one-byte
 * value stays a push, never OP_1..OP_16). */
static void write_push(blvm_writer *w, const uint8_t *data, size_t len) {
    if (len < 0x4c) {
        blvm_write_u8(w, (uint8_t)len);
    } else if (len <= 0xff) {
        blvm_write_u8(w, 0x4c);
        blvm_write_u8(w, (uint8_t)len);
    } else if (len <= 0xffff) {
        blvm_write_u8(w, 0x4d);
        blvm_write_u16(w, (uint16_t)len);
    } else {
        blvm_write_u8(w, 0x4e);
        blvm_write_u32(w, (uint32_t)len);
    }
    blvm_write_bytes(w, data, len);
}

/* Core's FetchAndClearCommitmentSection: re-encodes the commitment script
 * op by op (stopping at the first op that does not parse, as Core's loop
 * does), cutting the solution out of the first push that starts with the
 * signet header and has more after it. Returns whether one was found; the
 * solution points into `script`. */
static bool fetch_and_clear(const uint8_t *script, size_t len, blvm_writer *replacement,
                            const uint8_t **solution, size_t *solution_len) {
    bool found = false;
    const uint8_t *pc = script, *end = script + len;
    while (pc < end) {
        uint8_t op;
        const uint8_t *d;
        size_t dl;
        if (!blvm_script_get_op(&pc, end, &op, &d, &dl)) break;
        if (dl > 0) {
            if (!found && dl > BLVM_SIGNET_HEADER_LEN &&
                memcmp(d, BLVM_SIGNET_HEADER, BLVM_SIGNET_HEADER_LEN) == 0) {
                *solution = d + BLVM_SIGNET_HEADER_LEN;
                *solution_len = dl - BLVM_SIGNET_HEADER_LEN;
                dl = BLVM_SIGNET_HEADER_LEN;
                found = true;
            }
            write_push(replacement, d, dl);
        } else {
            blvm_write_u8(replacement, op); /* CScript << opcode */
        }
    }
    return found;
}

/* The solution: a serialized scriptSig, then a witness stack, nothing more. */
static int parse_solution(const uint8_t *data, size_t len, blvm_txin *in) {
    blvm_reader r;
    blvm_reader_init(&r, data, len);
    uint64_t n;
    const uint8_t *p;
    if (!blvm_read_compact_size(&r, &n) || n > blvm_reader_remaining(&r) ||
        !blvm_read_span(&r, &p, (size_t)n))
        return 0;
    if (!blvm_script_set(&in->script_sig, p, (size_t)n)) return -1;
    uint64_t items;
    if (!blvm_read_compact_size(&r, &items) || items > blvm_reader_remaining(&r)) return 0;
    for (uint64_t i = 0; i < items; i++) {
        if (!blvm_read_compact_size(&r, &n) || n > blvm_reader_remaining(&r) ||
            !blvm_read_span(&r, &p, (size_t)n))
            return 0;
        if (!blvm_witness_push(&in->witness, p, (size_t)n)) return -1;
    }
    return blvm_reader_remaining(&r) == 0 ? 1 : 0;
}

static bool one_in_one_out(blvm_tx *tx) {
    blvm_tx_init(tx);
    if (!blvm_tx_resize(tx, 1, 1)) return false;
    tx->version = 0;
    tx->locktime = 0;
    tx->vin[0].sequence = 0;
    tx->vout[0].value = 0;
    return true;
}

int blvm_signet_check_block_solution(const blvm_block *b, const blvm_params *p) {
    uint8_t hash[32];
    blvm_header_hash(&b->header, hash);
    if (memcmp(hash, p->genesis_hash, 32) == 0) return 1;

    size_t cidx;
    if (b->tx_count == 0 || !blvm_block_witness_commitment_index(b, &cidx)) return 0;

    int ret = -1;
    blvm_tx cb, to_spend, to_sign;
    blvm_tx_init(&cb);
    blvm_tx_init(&to_spend);
    blvm_tx_init(&to_sign);
    blvm_writer repl, data, sig;
    blvm_writer_init(&repl);
    blvm_writer_init(&data);
    blvm_writer_init(&sig);
    uint8_t *leaves = NULL;

    if (!one_in_one_out(&to_spend) || !one_in_one_out(&to_sign)) goto done;
    /* to_sign: spends to_spend:0 into OP_RETURN; scriptSig and witness come
     * from the solution (none: empty, for a challenge like OP_TRUE). */
    static const uint8_t op_return = 0x6a;
    if (!blvm_script_set(&to_sign.vout[0].script_pubkey, &op_return, 1)) goto done;

    const blvm_script *commit = &b->txs[0].vout[cidx].script_pubkey;
    const uint8_t *solution = NULL;
    size_t solution_len = 0;
    bool found = fetch_and_clear(commit->data, commit->len, &repl, &solution, &solution_len);
    if (repl.err) goto done;
    if (found) {
        int rc = parse_solution(solution, solution_len, &to_sign.vin[0]);
        if (rc <= 0) {
            ret = rc;
            goto done;
        }
    }

    /* The merkle root with the solution cut out of the coinbase. */
    if (!blvm_tx_copy(&cb, &b->txs[0])) goto done;
    if (found && !blvm_script_set(&cb.vout[cidx].script_pubkey, repl.data, repl.len)) goto done;
    blvm_tx_compute_hashes(&cb);
    if (b->tx_count > SIZE_MAX / 32 - 1) goto done;
    leaves = malloc((b->tx_count + 1) * 32);
    if (!leaves) goto done;
    memcpy(leaves, cb.txid, 32);
    for (size_t i = 1; i < b->tx_count; i++)
        memcpy(leaves + 32 * i, b->txs[i].txid, 32);
    uint8_t root[32];
    blvm_merkle_root_inplace(root, leaves, b->tx_count, NULL);

    /* to_spend: scriptSig OP_0 <version prev_hash root time>, paying 0 to
     * the challenge. */
    blvm_write_i32(&data, b->header.version);
    blvm_write_bytes(&data, b->header.prev_hash, 32);
    blvm_write_bytes(&data, root, 32);
    blvm_write_u32(&data, b->header.time);
    blvm_write_u8(&sig, 0x00);
    write_push(&sig, data.data, data.len);
    if (data.err || sig.err) goto done;
    memset(to_spend.vin[0].prevout.hash, 0, 32);
    to_spend.vin[0].prevout.n = 0xffffffffu;
    if (!blvm_script_set(&to_spend.vin[0].script_sig, sig.data, sig.len) ||
        !blvm_script_set(&to_spend.vout[0].script_pubkey, p->signet_challenge,
                         p->signet_challenge_len))
        goto done;
    blvm_tx_compute_hashes(&to_spend);
    memcpy(to_sign.vin[0].prevout.hash, to_spend.txid, 32);
    to_sign.vin[0].prevout.n = 0;
    blvm_tx_compute_hashes(&to_sign);

    blvm_tx_precomputed pd;
    blvm_tx_precompute(&pd, &to_sign, &to_spend.vout[0], false);
    blvm_script_error err;
    bool ok = blvm_verify_input(&to_sign, 0, &to_spend.vout[0], &pd, SIGNET_FLAGS, &err);
    (void)err;
    ret = ok ? 1 : 0;
done:
    free(leaves);
    blvm_writer_clear(&repl);
    blvm_writer_clear(&data);
    blvm_writer_clear(&sig);
    blvm_tx_clear(&cb);
    blvm_tx_clear(&to_spend);
    blvm_tx_clear(&to_sign);
    return ret;
}
