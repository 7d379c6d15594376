/* UniValue-compatible JSON output: see json.h. */
#include "node/rpc/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > ncap) ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) {
    sb_put(b, s, strlen(s));
}

static void sb_indent(sbuf *b, int indent, int level) {
    for (int i = 0; i < indent * level; i++) sb_put(b, " ", 1);
}

json_t *blvm_json_raw_number(const char *text) {
    size_t n = strlen(text);
    if (n == 0 || n > 64) return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
            return NULL;
    }
    char buf[72];
    buf[0] = '\0';
    memcpy(buf + 1, text, n);
    return json_stringn(buf, n + 1);
}

bool blvm_json_is_raw_number(const json_t *v, const char **text) {
    if (!json_is_string(v)) return false;
    const char *s = json_string_value(v);
    if (json_string_length(v) < 2 || s[0] != '\0') return false;
    if (text) *text = s + 1;
    return true;
}

static void write_string(sbuf *b, const char *s, size_t n) {
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\b': sb_put(b, "\\b", 2); break;
        case '\f': sb_put(b, "\\f", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                sb_put(b, esc, 6);
            } else {
                sb_put(b, (const char *)&s[i], 1);
            }
        }
    }
    sb_put(b, "\"", 1);
}

static void write_value(sbuf *b, const json_t *v, int indent, int level) {
    if (level == 0) level = 1;
    char num[64];
    const char *raw;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        sb_put(b, "{", 1);
        if (indent) sb_put(b, "\n", 1);
        size_t i = 0, n = json_object_size(v);
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)v, key, val) {
            if (indent) sb_indent(b, indent, level);
            write_string(b, key, strlen(key));
            sb_put(b, ":", 1);
            if (indent) sb_put(b, " ", 1);
            write_value(b, val, indent, level + 1);
            if (++i != n) sb_put(b, ",", 1);
            if (indent) sb_put(b, "\n", 1);
        }
        if (indent) sb_indent(b, indent, level - 1);
        sb_put(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        sb_put(b, "[", 1);
        if (indent) sb_put(b, "\n", 1);
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (indent) sb_indent(b, indent, level);
            write_value(b, json_array_get(v, i), indent, level + 1);
            if (i + 1 != n) sb_put(b, ",", 1);
            if (indent) sb_put(b, "\n", 1);
        }
        if (indent) sb_indent(b, indent, level - 1);
        sb_put(b, "]", 1);
        break;
    }
    case JSON_STRING:
        if (blvm_json_is_raw_number(v, &raw)) {
            sb_str(b, raw);
        } else {
            write_string(b, json_string_value(v), json_string_length(v));
        }
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        sb_str(b, num);
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d)) {
            sb_str(b, "null");
        } else {
            /* UniValue: ostream with setprecision(16). */
            snprintf(num, sizeof num, "%.16g", d);
            sb_str(b, num);
        }
        break;
    }
    case JSON_TRUE: sb_str(b, "true"); break;
    case JSON_FALSE: sb_str(b, "false"); break;
    case JSON_NULL: sb_str(b, "null"); break;
    }
}

char *blvm_json_write(const json_t *v, int indent) {
    sbuf b = {0};
    write_value(&b, v, indent, 0);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p) return strdup("");
    return b.p;
}

/* ---- re-indenting JSON text ---- */

typedef struct {
    const char *s;
    size_t len, pos;
} scan;

static void skip_ws(scan *sc) {
    while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
                                 sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
        sc->pos++;
}

/* Span of a string token starting at pos (at the quote). */
static void skip_string(scan *sc) {
    sc->pos++; /* opening quote */
    while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
        if (sc->s[sc->pos] == '\\') sc->pos++;
        sc->pos++;
    }
    if (sc->pos < sc->len) sc->pos++;
}

static void skip_value(scan *sc, int depth);

static void skip_container(scan *sc, char close, int depth) {
    sc->pos++;
    for (;;) {
        skip_ws(sc);
        if (sc->pos >= sc->len) return;
        char c = sc->s[sc->pos];
        if (c == close) {
            sc->pos++;
            return;
        }
        if (c == ',' || c == ':') {
            sc->pos++;
            continue;
        }
        skip_value(sc, depth + 1);
    }
}

static void skip_value(scan *sc, int depth) {
    skip_ws(sc);
    if (sc->pos >= sc->len || depth > 4096) {
        sc->pos = sc->len;
        return;
    }
    char c = sc->s[sc->pos];
    if (c == '"') {
        skip_string(sc);
    } else if (c == '{') {
        skip_container(sc, '}', depth);
    } else if (c == '[') {
        skip_container(sc, ']', depth);
    } else {
        while (sc->pos < sc->len && !strchr(",]} \t\r\n:", sc->s[sc->pos])) sc->pos++;
    }
}

static void reformat_value(sbuf *b, scan *sc, int indent, int level, int depth) {
    if (level == 0) level = 1;
    skip_ws(sc);
    if (sc->pos >= sc->len || depth > 4096) return;
    char c = sc->s[sc->pos];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        bool obj = c == '{';
        sb_put(b, &c, 1);
        if (indent) sb_put(b, "\n", 1);
        sc->pos++;
        bool first = true;
        for (;;) {
            skip_ws(sc);
            if (sc->pos >= sc->len) break;
            if (sc->s[sc->pos] == close) {
                sc->pos++;
                break;
            }
            if (sc->s[sc->pos] == ',') {
                sc->pos++;
                continue;
            }
            if (!first) {
                sb_put(b, ",", 1);
                if (indent) sb_put(b, "\n", 1);
            }
            first = false;
            if (indent) sb_indent(b, indent, level);
            if (obj) {
                size_t start = sc->pos;
                skip_string(sc);
                sb_put(b, sc->s + start, sc->pos - start);
                skip_ws(sc);
                if (sc->pos < sc->len && sc->s[sc->pos] == ':') sc->pos++;
                sb_put(b, ":", 1);
                if (indent) sb_put(b, " ", 1);
            }
            reformat_value(b, sc, indent, level + 1, depth + 1);
        }
        if (!first && indent) sb_put(b, "\n", 1);
        if (indent) sb_indent(b, indent, level - 1);
        sb_put(b, &close, 1);
        return;
    }
    size_t start = sc->pos;
    skip_value(sc, depth);
    sb_put(b, sc->s + start, sc->pos - start);
}

char *blvm_json_reformat(const char *text, size_t len, int indent) {
    sbuf b = {0};
    scan sc = {text, len, 0};
    reformat_value(&b, &sc, indent, 0, 0);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p) return strdup("");
    return b.p;
}

bool blvm_json_find_member(const char *text, size_t len, const char *key, size_t *start,
                           size_t *end) {
    scan sc = {text, len, 0};
    skip_ws(&sc);
    if (sc.pos >= len || text[sc.pos] != '{') return false;
    sc.pos++;
    size_t klen = strlen(key);
    for (;;) {
        skip_ws(&sc);
        if (sc.pos >= len || text[sc.pos] == '}') return false;
        if (text[sc.pos] == ',') {
            sc.pos++;
            continue;
        }
        if (text[sc.pos] != '"') return false;
        size_t ks = sc.pos;
        skip_string(&sc);
        bool match = sc.pos - ks == klen + 2 && memcmp(text + ks + 1, key, klen) == 0;
        skip_ws(&sc);
        if (sc.pos >= len || text[sc.pos] != ':') return false;
        sc.pos++;
        skip_ws(&sc);
        size_t vs = sc.pos;
        skip_value(&sc, 0);
        if (match) {
            *start = vs;
            *end = sc.pos;
            return true;
        }
    }
}

bool blvm_json_array_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end) {
    scan sc = {text, len, *pos};
    skip_ws(&sc);
    if (*pos == 0) {
        if (sc.pos >= len || text[sc.pos] != '[') return false;
        sc.pos++;
    }
    for (;;) {
        skip_ws(&sc);
        if (sc.pos >= len || text[sc.pos] == ']') {
            *pos = sc.pos;
            return false;
        }
        if (text[sc.pos] == ',') {
            sc.pos++;
            continue;
        }
        *start = sc.pos;
        skip_value(&sc, 0);
        *end = sc.pos;
        *pos = sc.pos;
        return true;
    }
}

typedef struct {
    char *key;
    size_t index;
} key_at;

static int key_at_cmp(const void *a, const void *b) {
    const key_at *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

char *blvm_json_object_duplicate_key(const char *text, size_t len) {
    scan sc = {text, len, 0};
    skip_ws(&sc);
    if (sc.pos >= len || text[sc.pos] != '{') return NULL;
    sc.pos++;
    key_at *keys = NULL;
    size_t n = 0, cap = 0;
    char *dup = NULL;
    bool oom = false;
    for (;;) {
        skip_ws(&sc);
        if (sc.pos >= len || text[sc.pos] != '"') break;
        size_t ks = sc.pos;
        skip_string(&sc);
        /* Decode the key token (escapes) with jansson. */
        json_t *k = json_loadb(text + ks, sc.pos - ks, JSON_DECODE_ANY, NULL);
        if (!k || !json_is_string(k)) {
            json_decref(k);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            key_at *nk = realloc(keys, ncap * sizeof *nk);
            if (!nk) {
                json_decref(k);
                oom = true;
                break;
            }
            keys = nk;
            cap = ncap;
        }
        keys[n].key = strdup(json_string_value(k));
        keys[n].index = n;
        json_decref(k);
        if (!keys[n].key) {
            oom = true;
            break;
        }
        n++;
        skip_ws(&sc);
        if (sc.pos >= len || text[sc.pos] != ':') break;
        sc.pos++;
        skip_value(&sc, 0);
        skip_ws(&sc);
        if (sc.pos < len && text[sc.pos] == ',') sc.pos++;
    }
    if (!oom && n > 1) {
        /* Sorted by (key, position): a key's second entry is its first
         * repetition; report the earliest repetition, as Core's loop does. */
        qsort(keys, n, sizeof *keys, key_at_cmp);
        size_t best = SIZE_MAX, best_i = 0;
        for (size_t i = 1; i < n; i++) {
            if (strcmp(keys[i].key, keys[i - 1].key) == 0 &&
                (i < 2 || strcmp(keys[i - 1].key, keys[i - 2].key) != 0) && keys[i].index < best) {
                best = keys[i].index;
                best_i = i;
            }
        }
        if (best != SIZE_MAX) dup = strdup(keys[best_i].key);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i].key);
    free(keys);
    return dup;
}
