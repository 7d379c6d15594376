#ifndef BLVM_UTIL_COMMON_H
#define BLVM_UTIL_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Every fallible function is marked so that ignoring its result is a build
 * error (-Werror). */
#define BLVM_WUR __attribute__((warn_unused_result))
#define BLVM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BLVM_UNUSED(x) ((void)(x))

static inline uint16_t blvm_read_le16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t blvm_read_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t blvm_read_le64(const uint8_t *p) {
    return (uint64_t)blvm_read_le32(p) | ((uint64_t)blvm_read_le32(p + 4) << 32);
}
static inline uint32_t blvm_read_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
           (uint32_t)p[3];
}
static inline uint64_t blvm_read_be64(const uint8_t *p) {
    return ((uint64_t)blvm_read_be32(p) << 32) | (uint64_t)blvm_read_be32(p + 4);
}
static inline void blvm_write_le16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void blvm_write_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void blvm_write_le64(uint8_t *p, uint64_t v) {
    blvm_write_le32(p, (uint32_t)v);
    blvm_write_le32(p + 4, (uint32_t)(v >> 32));
}
static inline void blvm_write_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void blvm_write_be64(uint8_t *p, uint64_t v) {
    blvm_write_be32(p, (uint32_t)(v >> 32));
    blvm_write_be32(p + 4, (uint32_t)v);
}

#endif
