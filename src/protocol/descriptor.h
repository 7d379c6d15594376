#ifndef BLVM_PROTOCOL_DESCRIPTOR_H
#define BLVM_PROTOCOL_DESCRIPTOR_H

/* Output script descriptors (BIP380), the subset a node without a wallet
 * needs: the checksum (BIP380), parsing addr() and raw() (BIP385), and
 * inferring a descriptor for any output script the way Bitcoin Core's
 * InferDescriptor does without key information: pk(), multi(), rawtr(),
 * addr() or raw(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/params.h"
#include "util/common.h"

#define BLVM_DESCRIPTOR_ERROR_MAX 256

/* Core's DescriptorChecksum: 8 characters and a NUL into out. false when the
 * text has a character outside the descriptor charset. */
BLVM_WUR bool blvm_descriptor_checksum(const char *desc, size_t len, char out[9]);

typedef struct {
    uint8_t *script; /* malloc'd output script */
    size_t script_len;
    char *normalized; /* malloc'd canonical form with "#checksum" */
    char checksum[9]; /* checksum of the text given (without its '#' part) */
    bool is_range;
    bool is_solvable;
    bool has_private_keys;
} blvm_descriptor;

/* Parses a descriptor. require_checksum: a missing "#checksum" is an error
 * (deriveaddresses). On failure *d is cleared and error holds Core's message
 * ("Missing checksum", "Address is not valid", ...). */
BLVM_WUR bool blvm_descriptor_parse(blvm_descriptor *d, const blvm_params *p, const char *text,
                                    bool require_checksum, char error[BLVM_DESCRIPTOR_ERROR_MAX]);
void blvm_descriptor_clear(blvm_descriptor *d);

/* Core's InferDescriptor(script, no keys)->ToString(): malloc'd, with
 * checksum. */
char *blvm_descriptor_infer(const blvm_params *p, const uint8_t *script, size_t len);

/* What Core's InferDescriptor gives for a P2WSH output whose witness script
 * it knows: "wsh(multi(...))" or "wsh(pk(...))" for those templates with
 * compressed keys, else the addr() of the P2WSH output. malloc'd. */
char *blvm_descriptor_infer_wsh(const blvm_params *p, const uint8_t *witness_script, size_t len);

#endif
