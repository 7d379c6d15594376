#ifndef BLVM_COMMONS_SUMS_H
#define BLVM_COMMONS_SUMS_H

/* SHA256SUMS files in GNU coreutils' format, so `sha256sum -c` accepts what
 * we write and we accept what `sha256sum` writes:
 *
 *   <64 hex>  <name>      text mode marker (two spaces)
 *   <64 hex> *<name>      binary mode marker (the same bytes on POSIX)
 *   \<64 hex>  <escaped>  name containing '\\' or a newline, escaped as
 *                         "\\\\" and "\\n" (coreutils 8.x+)
 *   SHA256 (<name>) = <64 hex>   BSD-style tagged line (sha256sum --tag)
 *
 * Hex may be upper or lower case on input; we write lowercase, one line per
 * file sorted by name (byte order). A malformed line is an error naming its
 * line number and what is wrong. Names must be relative without "..": a
 * SHA256SUMS must not point outside the directory it checks.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef struct {
    char *name;
    uint8_t hash[32];
    bool binary;
} blvm_commons_sums_entry;

typedef struct {
    blvm_commons_sums_entry *entries;
    size_t n;
} blvm_commons_sums;

/* SHA-256 and size of a file. */
BLVM_WUR bool blvm_commons_file_sha256(const char *path, uint8_t out[32], uint64_t *size,
                                       char *err, size_t errlen);

/* Parses text (len bytes, may contain NULs, which are an error). */
BLVM_WUR bool blvm_commons_sums_parse(blvm_commons_sums *sums, const char *text, size_t len,
                                      const char *name, char *err, size_t errlen);
BLVM_WUR bool blvm_commons_sums_load(blvm_commons_sums *sums, const char *path, char *err,
                                     size_t errlen);
/* Hashes every regular file below dir (recursively, names relative to dir
 * with '/'), skipping the names in skip (NULL-terminated, may be NULL). */
BLVM_WUR bool blvm_commons_sums_create(blvm_commons_sums *sums, const char *dir,
                                       const char *const *skip, char *err, size_t errlen);
BLVM_WUR bool blvm_commons_sums_add(blvm_commons_sums *sums, const char *name,
                                    const uint8_t hash[32]);
/* Sorts by name. */
void blvm_commons_sums_sort(blvm_commons_sums *sums);
/* The file's text (malloc'd, caller frees), entries in their current order. */
BLVM_WUR char *blvm_commons_sums_format(const blvm_commons_sums *sums);
/* Writes path atomically (temp file + rename). */
BLVM_WUR bool blvm_commons_sums_write(const blvm_commons_sums *sums, const char *path, char *err,
                                      size_t errlen);
void blvm_commons_sums_clear(blvm_commons_sums *sums);

/* Whether name is safe to open below a directory (relative, no "..", no
 * empty component). */
bool blvm_commons_sums_name_ok(const char *name);

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
BLVM_WUR char *blvm_commons_read_file(const char *path, size_t max, size_t *len, char *err,
                                      size_t errlen);
/* Writes data to path through a temp file in the same directory and rename,
 * with the given mode. */
BLVM_WUR bool blvm_commons_write_file_atomic(const char *path, const void *data, size_t len,
                                             int mode, char *err, size_t errlen);

/* mkdir -p with mode for the directories it creates. */
BLVM_WUR bool blvm_commons_mkdirs(const char *path, int mode, char *err, size_t errlen);
/* rm -rf without following symlinks. Missing path is success. */
BLVM_WUR bool blvm_commons_remove_tree(const char *path);
/* Copies a file (mode 0644), through a temp file and rename. */
BLVM_WUR bool blvm_commons_copy_file(const char *from, const char *to, char *err, size_t errlen);

#endif
