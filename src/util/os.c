#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

bool blvm_os_mkdirs(const char *path, mode_t mode) {
    char *p = strdup(path);
    if (!p) return false;
    bool ok = true;
    /* From the second byte: a leading '/' is the root, not a directory to make. */
    for (char *s = p[0] ? p + 1 : p; *s && ok; s++) {
        if (*s != '/') continue;
        *s = '\0';
        ok = mkdir(p, mode) == 0 || errno == EEXIST;
        *s = '/';
    }
    if (ok) ok = mkdir(p, mode) == 0 || errno == EEXIST;
    int saved = errno;
    free(p);
    errno = saved;
    return ok;
}

void blvm_os_sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

bool blvm_os_sync_dir(const char *dir) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return false;
    bool ok = fsync(dfd) == 0 || errno == EINVAL || errno == ENOTSUP;
    int saved = errno;
    close(dfd);
    errno = saved;
    return ok;
}
