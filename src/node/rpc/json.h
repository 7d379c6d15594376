#ifndef BLVM_NODE_RPC_JSON_H
#define BLVM_NODE_RPC_JSON_H

/* JSON text the way Bitcoin Core's UniValue writes it, on top of jansson.
 *
 * jansson keeps numbers as int64/double, but Core prints amounts with
 * exactly 8 decimals ("50.00000000") and other reals with 16 significant
 * digits. A "raw number" is a jansson string that blvm_json_write prints
 * verbatim without quotes; build amounts with blvm_rpc_amount_json (rpc.h)
 * or blvm_json_raw_number. Raw numbers are strings starting with a NUL byte,
 * which jansson's parser never produces, so client input cannot forge one. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A value printed as the number text given (digits, '-', '.', 'e' only;
 * anything else gives NULL). New reference. */
json_t *blvm_json_raw_number(const char *text);
/* True when v was made by blvm_json_raw_number; *text gets the number. */
bool blvm_json_is_raw_number(const json_t *v, const char **text);

/* Serialises v. indent 0: compact ("{\"a\":1}"), otherwise pretty with that
 * many spaces per level, as UniValue::write(indent). malloc'd, NULL on
 * allocation failure. */
char *blvm_json_write(const json_t *v, int indent);

/* Re-indents JSON text without parsing numbers (keeps "1.00000000" as is):
 * the layout of blvm_json_write(…, indent). Input must be valid JSON
 * (check with jansson first). malloc'd. */
char *blvm_json_reformat(const char *text, size_t len, int indent);

/* Byte span of member `key` of the top-level object in JSON text (valid
 * JSON). false when absent. */
bool blvm_json_find_member(const char *text, size_t len, const char *key, size_t *start,
                           size_t *end);

/* Walks the elements of the top-level array in JSON text (valid JSON): set
 * *pos = 0 before the first call; each call gives the byte span of the next
 * element and returns false after the last (or when the text is not an
 * array). Linear in the text over all calls. */
bool blvm_json_array_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end);

/* UniValue keeps every key of an object, jansson only the last of equal
 * ones. For the top-level object of JSON text (valid JSON): the key whose
 * repetition comes first ("Parameter x specified multiple times" in Core's
 * transformNamedArguments), decoded and malloc'd; NULL when no key repeats
 * (or the text is not an object, or on allocation failure). */
char *blvm_json_object_duplicate_key(const char *text, size_t len);

#endif
