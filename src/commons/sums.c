#include "commons/sums.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "util/hex.h"

#define SUMS_MAX_FILE (64u << 20)

bool blvm_commons_file_sha256(const char *path, uint8_t out[32], uint64_t *size, char *err,
                              size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    blvm_sha256_ctx ctx;
    blvm_sha256_init(&ctx);
    uint8_t buf[65536];
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0) {
            if (errno == EINTR) continue;
            if (err) snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
            close(fd);
            return false;
        }
        if (r == 0) break;
        blvm_sha256_write(&ctx, buf, (size_t)r);
        total += (uint64_t)r;
    }
    close(fd);
    blvm_sha256_finalize(&ctx, out);
    if (size) *size = total;
    return true;
}

void blvm_commons_sums_clear(blvm_commons_sums *sums) {
    for (size_t i = 0; i < sums->n; i++) free(sums->entries[i].name);
    free(sums->entries);
    sums->entries = NULL;
    sums->n = 0;
}

bool blvm_commons_sums_add(blvm_commons_sums *sums, const char *name, const uint8_t hash[32]) {
    blvm_commons_sums_entry *e = realloc(sums->entries, (sums->n + 1) * sizeof(*e));
    if (!e) return false;
    sums->entries = e;
    char *copy = strdup(name);
    if (!copy) return false;
    e[sums->n].name = copy;
    memcpy(e[sums->n].hash, hash, 32);
    e[sums->n].binary = false;
    sums->n++;
    return true;
}

bool blvm_commons_sums_name_ok(const char *name) {
    if (!*name || name[0] == '/') return false;
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0) return false;
        if (len == 2 && p[0] == '.' && p[1] == '.') return false;
        if (!slash) break;
        p = slash + 1;
        if (!*p) return false; /* trailing '/' */
    }
    return true;
}

/* Reads exactly 64 hex digits at s. */
static bool parse_hash(const char *s, size_t avail, uint8_t out[32]) {
    if (avail < 64) return false;
    for (size_t i = 0; i < 32; i++) {
        int hi = blvm_hex_digit(s[2 * i]), lo = blvm_hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* Undoes coreutils' name escaping ("\\\\", "\\n", "\\r"). */
static char *unescape(const char *s, size_t len, const char **why) {
    char *out = malloc(len + 1);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (i + 1 >= len) {
            *why = "name ends with a lone backslash";
            free(out);
            return NULL;
        }
        char c = s[++i];
        if (c == '\\') out[o++] = '\\';
        else if (c == 'n') out[o++] = '\n';
        else if (c == 'r') out[o++] = '\r';
        else {
            *why = "unknown backslash escape in name (only \\\\, \\n and \\r are allowed)";
            free(out);
            return NULL;
        }
    }
    out[o] = '\0';
    return out;
}

/* Parses one line (without its newline). On failure *why says what is wrong. */
static bool parse_line(const char *line, size_t len, blvm_commons_sums_entry *e, const char **why) {
    memset(e, 0, sizeof(*e));
    if (len == 0) {
        *why = "empty line";
        return false;
    }
    bool escaped = false;
    if (line[0] == '\\') {
        escaped = true;
        line++;
        len--;
    }
    const char *name;
    size_t namelen;
    static const char tag[] = "SHA256 (";
    if (len >= sizeof(tag) - 1 && memcmp(line, tag, sizeof(tag) - 1) == 0) {
        /* BSD tagged format: SHA256 (name) = hex; the name ends at the last
         * ") = " because names may contain ") = " themselves. */
        if (len < sizeof(tag) - 1 + 4 + 64) {
            *why = "tagged line too short";
            return false;
        }
        const char *hex = line + len - 64;
        if (memcmp(hex - 4, ") = ", 4) != 0) {
            *why = "tagged line must end with \") = <64 hex digits>\"";
            return false;
        }
        if (!parse_hash(hex, 64, e->hash)) {
            *why = "hash is not 64 hex digits";
            return false;
        }
        name = line + sizeof(tag) - 1;
        namelen = (size_t)(hex - 4 - name);
        e->binary = true;
    } else {
        if (len < 64 || !parse_hash(line, len, e->hash)) {
            *why = "hash is not 64 hex digits";
            return false;
        }
        if (len > 64 && blvm_hex_digit(line[64]) >= 0) {
            *why = "hash longer than 64 hex digits (not SHA-256?)";
            return false;
        }
        if (len < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
            *why = "expected two spaces or \" *\" between hash and file name";
            return false;
        }
        e->binary = line[65] == '*';
        name = line + 66;
        namelen = len - 66;
    }
    if (namelen == 0) {
        *why = "missing file name";
        return false;
    }
    if (memchr(name, '\0', namelen)) {
        *why = "NUL byte in file name";
        return false;
    }
    if (escaped) {
        e->name = unescape(name, namelen, why);
        if (!e->name) return false;
    } else {
        e->name = strndup(name, namelen);
        if (!e->name) {
            *why = "out of memory";
            return false;
        }
    }
    if (!blvm_commons_sums_name_ok(e->name)) {
        *why = "file name must be relative and must not contain \"..\" or empty components";
        free(e->name);
        e->name = NULL;
        return false;
    }
    return true;
}

bool blvm_commons_sums_parse(blvm_commons_sums *sums, const char *text, size_t len,
                             const char *name, char *err, size_t errlen) {
    memset(sums, 0, sizeof(*sums));
    size_t lineno = 0;
    size_t pos = 0;
    if (len == 0) {
        if (err) snprintf(err, errlen, "%s: no checksum lines", name);
        return false;
    }
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - pos;
        if (l && text[pos + l - 1] == '\r') l--; /* tolerate CRLF files */
        blvm_commons_sums_entry e;
        const char *why = NULL;
        if (!parse_line(text + pos, l, &e, &why)) {
            if (err) snprintf(err, errlen, "%s: line %zu: %s", name, lineno, why);
            blvm_commons_sums_clear(sums);
            return false;
        }
        /* sha256sum writes a file twice when named twice; that is fine as
         * long as both lines agree. */
        bool dup = false;
        for (size_t i = 0; i < sums->n; i++) {
            if (strcmp(sums->entries[i].name, e.name) != 0) continue;
            if (memcmp(sums->entries[i].hash, e.hash, 32) != 0) {
                if (err) snprintf(err, errlen, "%s: line %zu: conflicting second hash for '%s'", name, lineno, e.name);
                free(e.name);
                blvm_commons_sums_clear(sums);
                return false;
            }
            dup = true;
        }
        if (dup) {
            free(e.name);
            pos = nl ? end + 1 : len;
            continue;
        }
        blvm_commons_sums_entry *ne = realloc(sums->entries, (sums->n + 1) * sizeof(*ne));
        if (!ne) {
            free(e.name);
            blvm_commons_sums_clear(sums);
            if (err) snprintf(err, errlen, "out of memory");
            return false;
        }
        sums->entries = ne;
        ne[sums->n++] = e;
        pos = nl ? end + 1 : len;
    }
    return true;
}

char *blvm_commons_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                if (err) snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
                free(buf);
                close(fd);
                return NULL;
            }
            cap = cap * 2 > max ? max : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (err) snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf) {
        if (err) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

bool blvm_commons_sums_load(blvm_commons_sums *sums, const char *path, char *err, size_t errlen) {
    memset(sums, 0, sizeof(*sums));
    size_t len;
    char *text = blvm_commons_read_file(path, SUMS_MAX_FILE, &len, err, errlen);
    if (!text) return false;
    bool ok = blvm_commons_sums_parse(sums, text, len, path, err, errlen);
    free(text);
    return ok;
}

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const blvm_commons_sums_entry *)a)->name,
                  ((const blvm_commons_sums_entry *)b)->name);
}

void blvm_commons_sums_sort(blvm_commons_sums *sums) {
    if (sums->n > 1) qsort(sums->entries, sums->n, sizeof(*sums->entries), cmp_entry);
}

static bool walk(blvm_commons_sums *sums, const char *root, const char *rel,
                 const char *const *skip, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        if (err) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    struct dirent *de;
    bool ok = true;
    while (ok && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char name[4096];
        int m = snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (m < 0 || (size_t)m >= sizeof(name)) {
            if (err) snprintf(err, errlen, "%s: path too long", path);
            ok = false;
            break;
        }
        bool skipped = false;
        for (size_t i = 0; skip && skip[i]; i++) skipped |= strcmp(skip[i], name) == 0;
        if (skipped) continue;
        char full[8192];
        snprintf(full, sizeof(full), "%s/%s", root, name);
        struct stat st;
        if (lstat(full, &st) != 0) {
            if (err) snprintf(err, errlen, "%s: %s", full, strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = walk(sums, root, name, skip, err, errlen);
        } else if (S_ISREG(st.st_mode)) {
            uint8_t h[32];
            ok = blvm_commons_file_sha256(full, h, NULL, err, errlen);
            if (ok && !blvm_commons_sums_add(sums, name, h)) {
                if (err) snprintf(err, errlen, "out of memory");
                ok = false;
            }
        }
        /* Symlinks and special files are left out: a release lists only the
         * regular files it ships. */
    }
    closedir(d);
    return ok;
}

bool blvm_commons_sums_create(blvm_commons_sums *sums, const char *dir, const char *const *skip,
                              char *err, size_t errlen) {
    memset(sums, 0, sizeof(*sums));
    if (!walk(sums, dir, "", skip, err, errlen)) {
        blvm_commons_sums_clear(sums);
        return false;
    }
    blvm_commons_sums_sort(sums);
    return true;
}

char *blvm_commons_sums_format(const blvm_commons_sums *sums) {
    size_t cap = 1;
    for (size_t i = 0; i < sums->n; i++) cap += 70 + 2 * strlen(sums->entries[i].name);
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < sums->n; i++) {
        const char *name = sums->entries[i].name;
        bool esc = strpbrk(name, "\\\n\r") != NULL;
        if (esc) out[o++] = '\\';
        blvm_hex_encode(out + o, sums->entries[i].hash, 32);
        o += 64;
        out[o++] = ' ';
        out[o++] = ' ';
        for (const char *p = name; *p; p++) {
            if (esc && *p == '\\') {
                out[o++] = '\\';
                out[o++] = '\\';
            } else if (esc && *p == '\n') {
                out[o++] = '\\';
                out[o++] = 'n';
            } else if (esc && *p == '\r') {
                out[o++] = '\\';
                out[o++] = 'r';
            } else {
                out[o++] = *p;
            }
        }
        out[o++] = '\n';
    }
    out[o] = '\0';
    return out;
}

bool blvm_commons_write_file_atomic(const char *path, const void *data, size_t len, int mode,
                                    char *err, size_t errlen) {
    char tmp[4200];
    int m = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (m < 0 || (size_t)m >= sizeof(tmp)) {
        if (err) snprintf(err, errlen, "%s: path too long", path);
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        if (err) snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return false;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (err) snprintf(err, errlen, "%s: write error: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return false;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        if (err) snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        if (err) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

bool blvm_commons_sums_write(const blvm_commons_sums *sums, const char *path, char *err,
                             size_t errlen) {
    char *text = blvm_commons_sums_format(sums);
    if (!text) {
        if (err) snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = blvm_commons_write_file_atomic(path, text, strlen(text), 0644, err, errlen);
    free(text);
    return ok;
}

bool blvm_commons_mkdirs(const char *path, int mode, char *err, size_t errlen) {
    char buf[4096];
    int m = snprintf(buf, sizeof(buf), "%s", path);
    if (m < 0 || (size_t)m >= sizeof(buf) || !buf[0]) {
        if (err) snprintf(err, errlen, "bad directory path '%s'", path);
        return false;
    }
    for (char *p = buf + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) {
                if (err) snprintf(err, errlen, "cannot create directory '%s': %s", buf, strerror(errno));
                return false;
            }
            *p = c;
        }
        if (end) break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (err) snprintf(err, errlen, "'%s' is not a directory", path);
        return false;
    }
    return true;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
    return r == 0 || errno == ENOENT ? 0 : -1;
}

bool blvm_commons_remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT;
    return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) == 0;
}

bool blvm_commons_copy_file(const char *from, const char *to, char *err, size_t errlen) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (err) snprintf(err, errlen, "%s: %s", from, strerror(errno));
        return false;
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", to, (long)getpid());
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        if (err) snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        close(in);
        return false;
    }
    uint8_t buf[65536];
    bool ok = true;
    for (;;) {
        ssize_t r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        for (ssize_t o = 0; o < r;) {
            ssize_t w = write(out, buf + o, (size_t)(r - o));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                ok = false;
                break;
            }
            o += w;
        }
        if (!ok) break;
    }
    close(in);
    if (fsync(out) != 0) ok = false;
    if (close(out) != 0) ok = false;
    if (ok && rename(tmp, to) != 0) ok = false;
    if (!ok) {
        if (err) snprintf(err, errlen, "copy %s -> %s: %s", from, to, strerror(errno));
        unlink(tmp);
    }
    return ok;
}
