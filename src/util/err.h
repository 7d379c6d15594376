#ifndef BLVM_UTIL_ERR_H
#define BLVM_UTIL_ERR_H

#include <stddef.h>

/* Error text for functions that take a caller's buffer (char *err, size_t
 * errlen): formats into err, truncating to errlen - 1 characters and always
 * NUL-terminating. Does nothing when err is NULL or errlen is 0, so callers
 * that do not want the text pass NULL. */
void blvm_err_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
