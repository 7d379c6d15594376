#ifndef BLVM_STORAGE_BLOCKFILE_H
#define BLVM_STORAGE_BLOCKFILE_H

/* Block and undo files in Bitcoin Core's format, so that blvm can -loadblock
 * files written by Core (unobfuscated) and Core can load ours.
 *
 * blocks/blk?????.dat: records of [4-byte network magic][4-byte LE size][block]
 * blocks/rev?????.dat: records of [magic][size][block undo][32-byte checksum],
 *   checksum = sha256d(hash of the block's parent || block undo), as Core's
 *   WriteBlockUndo. The undo of a block goes to the rev file with the block's
 *   file number.
 * A position (file, pos) points at the record's data, just past its 8-byte
 * header, like Core's FlatFilePos/nDataPos.
 *
 * Files grow up to BLVM_MAX_BLOCKFILE_SIZE; space is reserved in chunks as
 * Core does (16 MiB for blk, 1 MiB for rev) and the unused tail is cut off
 * when the writer moves on to the next file.
 *
 * Durability: writes land in the page cache; blvm_blockstore_flush() fsyncs
 * every file written since the last flush. Callers flush before they record a
 * position in the index, so that an index entry never points at data a crash
 * could lose.
 *
 * Thread safety: a blockstore may be used from several threads; writes and
 * the per-file bookkeeping are serialised by an internal lock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "util/bytes.h"
#include "util/common.h"

#define BLVM_MAX_BLOCKFILE_SIZE      0x8000000u /* 128 MiB, Core's MAX_BLOCKFILE_SIZE */
#define BLVM_BLOCKFILE_CHUNK_SIZE    0x1000000u /* 16 MiB, Core's BLOCKFILE_CHUNK_SIZE */
#define BLVM_UNDOFILE_CHUNK_SIZE     0x100000u  /* 1 MiB, Core's UNDOFILE_CHUNK_SIZE */
#define BLVM_STORAGE_HEADER_SIZE     8u         /* magic + size */
#define BLVM_UNDO_DATA_DISK_OVERHEAD (BLVM_STORAGE_HEADER_SIZE + 32u)
/* The largest record accepted when reading or scanning is Core's
 * MAX_BLOCK_SERIALIZED_SIZE (consensus/block.h). */

typedef struct {
    int32_t file; /* -1: none */
    uint32_t pos;
} blvm_flatpos;

/* Core's CBlockFileInfo. */
typedef struct {
    uint32_t blocks;
    uint32_t size;      /* bytes used in blk file */
    uint32_t undo_size; /* bytes used in rev file */
    uint32_t height_first;
    uint32_t height_last;
    uint64_t time_first;
    uint64_t time_last;
} blvm_blockfile_info;

/* Core's serialization of CBlockFileInfo (seven VARINTs). */
void blvm_blockfile_info_encode(const blvm_blockfile_info *info, blvm_writer *w);
BLVM_WUR bool blvm_blockfile_info_decode(blvm_blockfile_info *info, blvm_reader *r);

typedef struct blvm_blockstore blvm_blockstore;

/* Creates a store over directory dir (created if missing) for the network
 * magic. NULL on failure (errno tells why). */
blvm_blockstore *blvm_blockstore_create(const char *dir, const uint8_t magic[4]);
/* Closes files and frees. Does not flush. NULL is a no-op. */
void blvm_blockstore_destroy(blvm_blockstore *bs);

/* Loads the bookkeeping saved by the caller: infos[0..count-1] and the number
 * of the file being written. */
BLVM_WUR bool blvm_blockstore_load(blvm_blockstore *bs, const blvm_blockfile_info *infos,
                                   size_t count, int last_file);
/* Lowers the size at which writing moves to the next file (at least 64 KiB,
 * as Core's -fastprune), so tests can exercise pruning and rollover. */
void blvm_blockstore_set_max_file_size(blvm_blockstore *bs, uint32_t bytes);
int blvm_blockstore_last_file(const blvm_blockstore *bs);
size_t blvm_blockstore_file_count(const blvm_blockstore *bs);
/* Copies file n's info; false when n is unknown. */
bool blvm_blockstore_get_info(const blvm_blockstore *bs, int n, blvm_blockfile_info *out);
/* Gives the numbers of files whose info changed since the last call and
 * clears the marks; returns how many (at most cap). Used by the caller to
 * persist the infos together with the index. */
size_t blvm_blockstore_take_dirty(blvm_blockstore *bs, int *out, size_t cap);
/* Marks every known file's info changed. */
void blvm_blockstore_mark_all_dirty(blvm_blockstore *bs);

/* Appends a block (its serialization) with the given height and time;
 * fills *pos. */
BLVM_WUR bool blvm_blockstore_write_block(blvm_blockstore *bs, const uint8_t *data, size_t len,
                                          uint32_t height, uint64_t time, blvm_flatpos *pos);
/* Records a block that already sits in file pos->file at pos->pos (found by a
 * scan of our own files): updates the file's info without writing. */
BLVM_WUR bool blvm_blockstore_adopt_block(blvm_blockstore *bs, const blvm_flatpos *pos, size_t len,
                                          uint32_t height, uint64_t time);
/* Appends the undo record of a block stored in file `file`. */
BLVM_WUR bool blvm_blockstore_write_undo(blvm_blockstore *bs, int file, const uint8_t *data,
                                         size_t len, const uint8_t prev_hash[32],
                                         blvm_flatpos *pos);
/* fsyncs every file written since the last flush. */
BLVM_WUR bool blvm_blockstore_flush(blvm_blockstore *bs);

/* Reads the record at pos into a malloc'd buffer (caller frees). Fails when
 * the position, magic or size is wrong or the file is too short. */
BLVM_WUR bool blvm_blockstore_read_block(blvm_blockstore *bs, const blvm_flatpos *pos,
                                         uint8_t **data, size_t *len);
/* Same for undo data; also fails when the checksum does not match. */
BLVM_WUR bool blvm_blockstore_read_undo(blvm_blockstore *bs, const blvm_flatpos *pos,
                                        const uint8_t prev_hash[32], uint8_t **data, size_t *len);

/* Deletes blk and rev files number n (pruning) and resets their info. */
BLVM_WUR bool blvm_blockstore_remove_file(blvm_blockstore *bs, int n);
/* Path of blk (undo=false) or rev file n; out must hold PATH_MAX bytes. */
void blvm_blockstore_file_path(const blvm_blockstore *bs, int n, bool undo, char *out, size_t cap);
/* Bytes used on disk by blk and rev files (sum of infos). */
uint64_t blvm_blockstore_disk_usage(const blvm_blockstore *bs);

/* Scanning a block file (-loadblock, -reindex, recovery after a crash).
 * Looks for the magic from offset `start`, skipping any bytes that are not a
 * record (garbage, zero padding); each record whose size is plausible
 * (80 bytes .. BLVM_MAX_BLOCK_SERIALIZED_SIZE) is handed to fn with the file
 * offset of its data. fn returns false when the bytes are not a block it
 * accepts: they are counted as garbage and the search continues after the
 * magic. A record cut short by the end of the file ends the scan and is
 * reported as truncated. Never reads outside the file. */
typedef struct {
    uint64_t records;       /* records handed to fn that it accepted */
    uint64_t rejected;      /* records fn refused */
    uint64_t skipped_bytes; /* bytes that were not part of any accepted record */
    uint64_t zero_tail;     /* of those, the zero bytes at the end of the file
                             * (preallocated space, as Core's files have) */
    bool truncated;         /* the last record was cut off by end of file */
    uint64_t truncated_at;  /* file offset of that record's magic */
    uint64_t end;           /* offset just past the last accepted record */
} blvm_blockfile_scan_report;

typedef bool (*blvm_blockfile_scan_fn)(void *ctx, const uint8_t *data, size_t len,
                                       uint64_t data_offset);
/* Returns false only when the file cannot be opened or read (errno set). */
BLVM_WUR bool blvm_blockfile_scan(const char *path, const uint8_t magic[4], uint64_t start,
                                  blvm_blockfile_scan_fn fn, void *ctx,
                                  blvm_blockfile_scan_report *report);

#endif
