#include "storage/blockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "storage/varint.h"
#include "util/os.h"

struct blvm_blockstore {
    char dir[PATH_MAX - 32];
    uint8_t magic[4];
    pthread_mutex_t lock;
    blvm_blockfile_info *infos;
    uint8_t *flags; /* per file: FLAG_* below */
    size_t count;
    size_t cap;
    int last_file;
    uint32_t max_file_size;
};

enum {
    FLAG_DIRTY = 1,      /* info changed since blvm_blockstore_take_dirty */
    FLAG_UNSYNC_BLK = 2, /* blk file written since the last flush */
    FLAG_UNSYNC_REV = 4, /* rev file written since the last flush */
    FLAG_TRUNCATE = 8,   /* blk file finished: cut its reserved tail at flush */
};

void blvm_blockfile_info_encode(const blvm_blockfile_info *info, blvm_writer *w) {
    blvm_write_varint(w, info->blocks);
    blvm_write_varint(w, info->size);
    blvm_write_varint(w, info->undo_size);
    blvm_write_varint(w, info->height_first);
    blvm_write_varint(w, info->height_last);
    blvm_write_varint(w, info->time_first);
    blvm_write_varint(w, info->time_last);
}

bool blvm_blockfile_info_decode(blvm_blockfile_info *info, blvm_reader *r) {
    memset(info, 0, sizeof(*info));
    return blvm_read_varint32(r, &info->blocks) && blvm_read_varint32(r, &info->size) &&
           blvm_read_varint32(r, &info->undo_size) && blvm_read_varint32(r, &info->height_first) &&
           blvm_read_varint32(r, &info->height_last) &&
           blvm_read_varint(r, UINT64_MAX, &info->time_first) &&
           blvm_read_varint(r, UINT64_MAX, &info->time_last);
}

static bool ensure_files(blvm_blockstore *bs, size_t n) {
    if (n <= bs->count) return true;
    if (n > bs->cap) {
        size_t cap = bs->cap ? bs->cap : 16;
        while (cap < n)
            cap *= 2;
        blvm_blockfile_info *infos = realloc(bs->infos, cap * sizeof(*infos));
        if (!infos) return false;
        bs->infos = infos;
        uint8_t *flags = realloc(bs->flags, cap);
        if (!flags) return false;
        bs->flags = flags;
        bs->cap = cap;
    }
    memset(bs->infos + bs->count, 0, (n - bs->count) * sizeof(*bs->infos));
    memset(bs->flags + bs->count, 0, n - bs->count);
    bs->count = n;
    return true;
}

blvm_blockstore *blvm_blockstore_create(const char *dir, const uint8_t magic[4]) {
    if (strlen(dir) >= PATH_MAX - 32) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return NULL;
    blvm_blockstore *bs = calloc(1, sizeof(*bs));
    if (!bs) return NULL;
    snprintf(bs->dir, sizeof bs->dir, "%s", dir);
    memcpy(bs->magic, magic, 4);
    pthread_mutex_init(&bs->lock, NULL);
    bs->max_file_size = BLVM_MAX_BLOCKFILE_SIZE;
    if (!ensure_files(bs, 1)) {
        blvm_blockstore_destroy(bs);
        return NULL;
    }
    return bs;
}

void blvm_blockstore_destroy(blvm_blockstore *bs) {
    if (!bs) return;
    pthread_mutex_destroy(&bs->lock);
    free(bs->infos);
    free(bs->flags);
    free(bs);
}

bool blvm_blockstore_load(blvm_blockstore *bs, const blvm_blockfile_info *infos, size_t count,
                          int last_file) {
    if (last_file < 0 || (size_t)last_file >= count + 1) return false;
    pthread_mutex_lock(&bs->lock);
    bs->count = 0;
    bool ok = ensure_files(bs, count > (size_t)last_file ? count : (size_t)last_file + 1);
    if (ok) {
        if (count) memcpy(bs->infos, infos, count * sizeof(*infos));
        bs->last_file = last_file;
    }
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

void blvm_blockstore_set_max_file_size(blvm_blockstore *bs, uint32_t bytes) {
    pthread_mutex_lock(&bs->lock);
    bs->max_file_size = bytes < 0x10000                   ? 0x10000
                        : bytes > BLVM_MAX_BLOCKFILE_SIZE ? BLVM_MAX_BLOCKFILE_SIZE
                                                          : bytes;
    pthread_mutex_unlock(&bs->lock);
}

int blvm_blockstore_last_file(const blvm_blockstore *bs) {
    return bs->last_file;
}
size_t blvm_blockstore_file_count(const blvm_blockstore *bs) {
    return bs->count;
}

bool blvm_blockstore_get_info(const blvm_blockstore *bs, int n, blvm_blockfile_info *out) {
    blvm_blockstore *m = (blvm_blockstore *)bs;
    pthread_mutex_lock(&m->lock);
    bool ok = n >= 0 && (size_t)n < bs->count;
    if (ok) *out = bs->infos[n];
    pthread_mutex_unlock(&m->lock);
    return ok;
}

size_t blvm_blockstore_take_dirty(blvm_blockstore *bs, int *out, size_t cap) {
    size_t k = 0;
    pthread_mutex_lock(&bs->lock);
    for (size_t i = 0; i < bs->count && k < cap; i++) {
        if (bs->flags[i] & FLAG_DIRTY) {
            bs->flags[i] &= (uint8_t)~FLAG_DIRTY;
            out[k++] = (int)i;
        }
    }
    pthread_mutex_unlock(&bs->lock);
    return k;
}

void blvm_blockstore_mark_all_dirty(blvm_blockstore *bs) {
    pthread_mutex_lock(&bs->lock);
    for (size_t i = 0; i < bs->count; i++)
        bs->flags[i] |= FLAG_DIRTY;
    pthread_mutex_unlock(&bs->lock);
}

void blvm_blockstore_file_path(const blvm_blockstore *bs, int n, bool undo, char *out, size_t cap) {
    snprintf(out, cap, "%s/%s%05d.dat", bs->dir, undo ? "rev" : "blk", n);
}

static bool pwrite_all(int fd, const uint8_t *p, size_t len, off_t off) {
    while (len) {
        ssize_t w = pwrite(fd, p, len, off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (w == 0) { /* no progress and no error: do not spin */
            errno = EIO;
            return false;
        }
        p += w;
        len -= (size_t)w;
        off += w;
    }
    return true;
}

static bool pread_all(int fd, uint8_t *p, size_t len, off_t off) {
    while (len) {
        ssize_t r = pread(fd, p, len, off);
        if (r < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (r == 0) {
            errno = EIO;
            return false;
        }
        p += r;
        len -= (size_t)r;
        off += r;
    }
    return true;
}

/* Reserves whole chunks up to `end` (Core's FlatFileSeq::Allocate). Best
 * effort, as in Core: a file system without fallocate just grows on write. */
static void preallocate(int fd, uint64_t used, uint64_t end, uint64_t chunk) {
    uint64_t old_chunks = (used + chunk - 1) / chunk;
    uint64_t new_chunks = (end + chunk - 1) / chunk;
    if (new_chunks > old_chunks) {
        uint64_t target = new_chunks * chunk;
        (void)posix_fallocate(fd, (off_t)used, (off_t)(target - used));
    }
}

/* Writes [magic][size][data][tail] at offset off of file (n, undo). */
static bool write_record(blvm_blockstore *bs, int n, bool undo, uint32_t off, const uint8_t *data,
                         size_t len, const uint8_t *tail, size_t tail_len) {
    char path[PATH_MAX];
    blvm_blockstore_file_path(bs, n, undo, path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    uint64_t end = (uint64_t)off + BLVM_STORAGE_HEADER_SIZE + len + tail_len;
    preallocate(fd, off, end, undo ? BLVM_UNDOFILE_CHUNK_SIZE : BLVM_BLOCKFILE_CHUNK_SIZE);
    uint8_t hdr[BLVM_STORAGE_HEADER_SIZE];
    memcpy(hdr, bs->magic, 4);
    blvm_write_le32(hdr + 4, (uint32_t)len);
    bool ok = pwrite_all(fd, hdr, sizeof hdr, (off_t)off) &&
              pwrite_all(fd, data, len, (off_t)off + (off_t)sizeof hdr) &&
              (!tail_len || pwrite_all(fd, tail, tail_len, (off_t)(off + sizeof hdr + len)));
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

static void add_block_to_info(blvm_blockfile_info *info, uint32_t height, uint64_t time) {
    /* Core's CBlockFileInfo::AddBlock */
    if (info->blocks == 0 || info->height_first > height) info->height_first = height;
    if (info->blocks == 0 || info->time_first > time) info->time_first = time;
    info->blocks++;
    if (height > info->height_last) info->height_last = height;
    if (time > info->time_last) info->time_last = time;
}

bool blvm_blockstore_write_block(blvm_blockstore *bs, const uint8_t *data, size_t len,
                                 uint32_t height, uint64_t time, blvm_flatpos *pos) {
    pos->file = -1;
    pos->pos = 0;
    if (len == 0 || len > BLVM_MAX_BLOCK_SERIALIZED_SIZE) {
        errno = EINVAL;
        return false;
    }
    pthread_mutex_lock(&bs->lock);
    int n = bs->last_file;
    uint64_t add = BLVM_STORAGE_HEADER_SIZE + len;
    bool ok = true;
    if (bs->infos[n].size && (uint64_t)bs->infos[n].size + add > bs->max_file_size) {
        /* This file is full: it gets its reserved tail cut at the next flush,
         * and writing moves on to the next one. */
        bs->flags[n] |= FLAG_TRUNCATE;
        n++;
        ok = ensure_files(bs, (size_t)n + 1);
        if (ok) bs->last_file = n;
    }
    if (ok) ok = write_record(bs, n, false, bs->infos[n].size, data, len, NULL, 0);
    if (ok) {
        blvm_blockfile_info *info = &bs->infos[n];
        pos->file = n;
        pos->pos = info->size + BLVM_STORAGE_HEADER_SIZE;
        info->size += (uint32_t)add;
        add_block_to_info(info, height, time);
        bs->flags[n] |= FLAG_DIRTY | FLAG_UNSYNC_BLK;
    }
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

bool blvm_blockstore_adopt_block(blvm_blockstore *bs, const blvm_flatpos *pos, size_t len,
                                 uint32_t height, uint64_t time) {
    if (pos->file < 0 || pos->pos < BLVM_STORAGE_HEADER_SIZE) return false;
    pthread_mutex_lock(&bs->lock);
    bool ok = ensure_files(bs, (size_t)pos->file + 1);
    if (ok) {
        blvm_blockfile_info *info = &bs->infos[pos->file];
        uint64_t end = (uint64_t)pos->pos + len;
        if (end > info->size) info->size = (uint32_t)end;
        add_block_to_info(info, height, time);
        bs->flags[pos->file] |= FLAG_DIRTY | FLAG_UNSYNC_BLK;
        if (pos->file > bs->last_file) bs->last_file = pos->file;
    }
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

bool blvm_blockstore_write_undo(blvm_blockstore *bs, int file, const uint8_t *data, size_t len,
                                const uint8_t prev_hash[32], blvm_flatpos *pos) {
    pos->file = -1;
    pos->pos = 0;
    if (file < 0 || len > BLVM_MAX_BLOCKFILE_SIZE) {
        errno = EINVAL;
        return false;
    }
    /* checksum = sha256d(prev block hash || undo data), Core's WriteBlockUndo */
    blvm_sha256_ctx ctx;
    uint8_t h[32], checksum[32];
    blvm_sha256_init(&ctx);
    blvm_sha256_write(&ctx, prev_hash, 32);
    blvm_sha256_write(&ctx, data, len);
    blvm_sha256_finalize(&ctx, h);
    blvm_sha256(checksum, h, 32);

    pthread_mutex_lock(&bs->lock);
    bool ok = ensure_files(bs, (size_t)file + 1);
    if (ok) {
        blvm_blockfile_info *info = &bs->infos[file];
        if ((uint64_t)info->undo_size + BLVM_UNDO_DATA_DISK_OVERHEAD + len > UINT32_MAX) {
            errno = EFBIG;
            ok = false;
        }
        if (ok) ok = write_record(bs, file, true, info->undo_size, data, len, checksum, 32);
        if (ok) {
            pos->file = file;
            pos->pos = info->undo_size + BLVM_STORAGE_HEADER_SIZE;
            info->undo_size += (uint32_t)(BLVM_UNDO_DATA_DISK_OVERHEAD + len);
            bs->flags[file] |= FLAG_DIRTY | FLAG_UNSYNC_REV;
        }
    }
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

static bool sync_file(const char *path, bool truncate_to, uint64_t size) {
    /* Only files written since the last flush get here (pruning clears the
     * marks), so a missing file is data lost, not a pruned file: an error,
     * or the index would be committed pointing at nothing. */
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = true;
    if (truncate_to && ftruncate(fd, (off_t)size) != 0) ok = false;
    if (ok && fsync(fd) != 0) ok = false;
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

bool blvm_blockstore_flush(blvm_blockstore *bs) {
    pthread_mutex_lock(&bs->lock);
    bool ok = true;
    char path[PATH_MAX];
    for (size_t i = 0; i < bs->count && ok; i++) {
        uint8_t f = bs->flags[i];
        if (f & (FLAG_UNSYNC_BLK | FLAG_TRUNCATE)) {
            blvm_blockstore_file_path(bs, (int)i, false, path, sizeof path);
            ok = sync_file(path, (f & FLAG_TRUNCATE) != 0, bs->infos[i].size);
            if (ok) bs->flags[i] &= (uint8_t) ~(FLAG_UNSYNC_BLK | FLAG_TRUNCATE);
        }
        if (ok && (f & FLAG_UNSYNC_REV)) {
            blvm_blockstore_file_path(bs, (int)i, true, path, sizeof path);
            ok = sync_file(path, false, 0);
            if (ok) bs->flags[i] &= (uint8_t)~FLAG_UNSYNC_REV;
        }
    }
    /* New files must survive too: sync the directory entry before the index
     * that names them is committed. */
    if (ok) ok = blvm_os_sync_dir(bs->dir);
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

/* Opens file (n, undo) and checks the record header before pos. Returns the
 * fd (caller closes) and the record's length, or -1. */
static int open_record(const blvm_blockstore *bs, const blvm_flatpos *pos, bool undo, size_t tail,
                       uint32_t *len_out) {
    if (pos->file < 0 || pos->pos < BLVM_STORAGE_HEADER_SIZE) {
        errno = EINVAL;
        return -1;
    }
    char path[PATH_MAX];
    blvm_blockstore_file_path(bs, pos->file, undo, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    uint8_t hdr[BLVM_STORAGE_HEADER_SIZE];
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < pos->pos ||
        !pread_all(fd, hdr, sizeof hdr, (off_t)(pos->pos - BLVM_STORAGE_HEADER_SIZE)))
        goto bad;
    if (memcmp(hdr, bs->magic, 4) != 0) goto bad;
    uint32_t len = blvm_read_le32(hdr + 4);
    if (len > (undo ? BLVM_MAX_BLOCKFILE_SIZE : BLVM_MAX_BLOCK_SERIALIZED_SIZE)) goto bad;
    if ((uint64_t)pos->pos + len + tail > (uint64_t)st.st_size) goto bad;
    *len_out = len;
    return fd;
bad:
    close(fd);
    errno = EIO;
    return -1;
}

bool blvm_blockstore_read_block(blvm_blockstore *bs, const blvm_flatpos *pos, uint8_t **data,
                                size_t *len) {
    *data = NULL;
    *len = 0;
    uint32_t n;
    int fd = open_record(bs, pos, false, 0, &n);
    if (fd < 0) return false;
    uint8_t *buf = malloc(n ? n : 1);
    bool ok = buf && pread_all(fd, buf, n, (off_t)pos->pos);
    close(fd);
    if (!ok) {
        free(buf);
        errno = EIO;
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

bool blvm_blockstore_read_undo(blvm_blockstore *bs, const blvm_flatpos *pos,
                               const uint8_t prev_hash[32], uint8_t **data, size_t *len) {
    *data = NULL;
    *len = 0;
    uint32_t n;
    int fd = open_record(bs, pos, true, 32, &n);
    if (fd < 0) return false;
    uint8_t *buf = malloc((size_t)n + 32);
    bool ok = buf && pread_all(fd, buf, (size_t)n + 32, (off_t)pos->pos);
    close(fd);
    if (ok) {
        blvm_sha256_ctx ctx;
        uint8_t h[32], checksum[32];
        blvm_sha256_init(&ctx);
        blvm_sha256_write(&ctx, prev_hash, 32);
        blvm_sha256_write(&ctx, buf, n);
        blvm_sha256_finalize(&ctx, h);
        blvm_sha256(checksum, h, 32);
        ok = memcmp(checksum, buf + n, 32) == 0;
    }
    if (!ok) {
        free(buf);
        errno = EIO;
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

bool blvm_blockstore_remove_file(blvm_blockstore *bs, int n) {
    char path[PATH_MAX];
    bool ok = true;
    pthread_mutex_lock(&bs->lock);
    for (int undo = 0; undo < 2; undo++) {
        blvm_blockstore_file_path(bs, n, undo, path, sizeof path);
        if (unlink(path) != 0 && errno != ENOENT) ok = false;
    }
    /* Make the removal durable too (the index no longer refers to it). */
    if (ok) ok = blvm_os_sync_dir(bs->dir);
    if (n >= 0 && (size_t)n < bs->count) {
        memset(&bs->infos[n], 0, sizeof(bs->infos[n]));
        bs->flags[n] = FLAG_DIRTY;
    }
    pthread_mutex_unlock(&bs->lock);
    return ok;
}

uint64_t blvm_blockstore_disk_usage(const blvm_blockstore *bs) {
    blvm_blockstore *m = (blvm_blockstore *)bs;
    uint64_t total = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < bs->count; i++)
        total += bs->infos[i].size + bs->infos[i].undo_size;
    pthread_mutex_unlock(&m->lock);
    return total;
}

#define SCAN_WINDOW (1u << 20)

bool blvm_blockfile_scan(const char *path, const uint8_t magic[4], uint64_t start,
                         blvm_blockfile_scan_fn fn, void *ctx, blvm_blockfile_scan_report *report) {
    memset(report, 0, sizeof(*report));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return false;
    }
    uint64_t fsize = (uint64_t)st.st_size;
    uint8_t *win = malloc(SCAN_WINDOW);
    if (!win) {
        close(fd);
        errno = ENOMEM;
        return false;
    }
    bool ok = true;
    uint64_t off = start, consumed = start < fsize ? start : fsize;
    report->end = consumed;
    while (off + BLVM_STORAGE_HEADER_SIZE <= fsize) {
        size_t wlen = (size_t)(fsize - off < SCAN_WINDOW ? fsize - off : SCAN_WINDOW);
        if (!pread_all(fd, win, wlen, (off_t)off)) {
            ok = false;
            break;
        }
        const uint8_t *m = memmem(win, wlen, magic, 4);
        if (!m) {
            /* keep the last 3 bytes: a magic may straddle the window edge */
            off += wlen > 3 ? wlen - 3 : 1;
            continue;
        }
        uint64_t moff = off + (uint64_t)(m - win);
        uint8_t hdr[BLVM_STORAGE_HEADER_SIZE];
        if (moff + BLVM_STORAGE_HEADER_SIZE > fsize) {
            report->truncated = true;
            report->truncated_at = moff;
            break;
        }
        if (!pread_all(fd, hdr, sizeof hdr, (off_t)moff)) {
            ok = false;
            break;
        }
        uint32_t len = blvm_read_le32(hdr + 4);
        if (len < 80 || len > BLVM_MAX_BLOCK_SERIALIZED_SIZE) {
            off = moff + 1; /* not a record header: keep searching */
            continue;
        }
        if (moff + BLVM_STORAGE_HEADER_SIZE + len > fsize) {
            report->truncated = true;
            report->truncated_at = moff;
            break;
        }
        uint8_t *buf = malloc(len);
        if (!buf) {
            errno = ENOMEM;
            ok = false;
            break;
        }
        if (!pread_all(fd, buf, len, (off_t)(moff + BLVM_STORAGE_HEADER_SIZE))) {
            free(buf);
            ok = false;
            break;
        }
        bool accepted = fn(ctx, buf, len, moff + BLVM_STORAGE_HEADER_SIZE);
        free(buf);
        if (accepted) {
            report->records++;
            report->skipped_bytes += moff - consumed;
            off = consumed = moff + BLVM_STORAGE_HEADER_SIZE + len;
            report->end = consumed;
        } else {
            report->rejected++;
            off = moff + 1;
        }
    }
    if (fsize > consumed) {
        report->skipped_bytes += fsize - consumed;
        /* Zero padding after the last record is preallocated space, not
         * damage: measure it so callers need not warn about it. */
        uint64_t end = fsize;
        bool nonzero = false;
        while (ok && end > consumed && !nonzero) {
            size_t wlen = (size_t)(end - consumed < SCAN_WINDOW ? end - consumed : SCAN_WINDOW);
            if (!pread_all(fd, win, wlen, (off_t)(end - wlen))) break;
            size_t z = wlen;
            while (z > 0 && win[z - 1] == 0)
                z--;
            nonzero = z > 0;
            end -= wlen - z;
        }
        report->zero_tail = fsize - end;
    }
    free(win);
    close(fd);
    return ok;
}
