#ifndef BLVM_PROTOCOL_SCRIPT_ASM_H
#define BLVM_PROTOCOL_SCRIPT_ASM_H

/* Scripts as text, the way Bitcoin Core's RPCs show them ("asm" fields). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Core's GetOpName: "OP_DUP", "0" for OP_0, "-1", "1".."16", "OP_UNKNOWN". */
const char *blvm_script_op_name(uint8_t opcode);

/* Core's ScriptToAsmStr. With attempt_sighash_decode, pushes that are valid
 * strict-DER signatures show their hash type as "[ALL]" etc. instead of the
 * last byte. Returns a malloc'd string (NULL on allocation failure). */
char *blvm_script_to_asm(const uint8_t *script, size_t len, bool attempt_sighash_decode);

#endif
