#ifndef BLVM_UTIL_OS_H
#define BLVM_UTIL_OS_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/common.h"

/* mkdir -p: creates path and every missing directory above it with the
 * given mode; directories that already exist are left as they are. Returns
 * false with errno set when a directory cannot be created. */
BLVM_WUR bool blvm_os_mkdirs(const char *path, mode_t mode);

/* fsyncs a directory, so that files created in it (or removed from it)
 * survive a power cut. File systems that cannot sync a directory answer
 * EINVAL or ENOTSUP, which count as success (Core's DirectoryCommit ignores
 * every error; blvm only those). false with errno set otherwise. */
BLVM_WUR bool blvm_os_sync_dir(const char *dir);

/* Sleeps for ms milliseconds, resuming after a signal interrupts it;
 * returns at once when ms <= 0. */
void blvm_os_sleep_ms(long ms);

#endif
