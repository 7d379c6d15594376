#include "commons/config.h"

#include <ctype.h>
#include <jansson.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

/* Parsing state: the first error wins and names the key path. */
typedef struct {
    char *err;
    size_t errlen;
    bool failed;
    const char *file;
} cfg_parser;

__attribute__((format(printf, 2, 3))) static void fail(cfg_parser *p, const char *fmt, ...) {
    if (p->failed) return;
    p->failed = true;
    if (!p->err || !p->errlen) return;
    int n = snprintf(p->err, p->errlen, "%s: ", p->file);
    if (n < 0 || (size_t)n >= p->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static char *xstrdup(cfg_parser *p, const char *s) {
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) fail(p, "out of memory");
    return d;
}

/* Rejects keys not in allowed (NULL-terminated): a typo must not silently
 * fall back to a default. */
static void check_keys(cfg_parser *p, json_t *obj, const char *where, const char *const *allowed) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) ok |= strcmp(key, allowed[i]) == 0;
        if (!ok) {
            fail(p, "%s%sunknown key '%s'", where, *where ? ": " : "", key);
            return;
        }
    }
}

static json_t *get_obj(cfg_parser *p, json_t *parent, const char *key, const char *where) {
    json_t *v = json_object_get(parent, key);
    if (!v) return NULL;
    if (!json_is_object(v)) {
        fail(p, "%s%s: must be an object", where, key);
        return NULL;
    }
    return v;
}

static void get_str(cfg_parser *p, json_t *obj, const char *key, const char *where, char **out) {
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return;
    if (!json_is_string(v)) {
        fail(p, "%s%s: must be a string", where, key);
        return;
    }
    char *s = xstrdup(p, json_string_value(v));
    if (!s) return;
    free(*out);
    *out = s;
}

static void get_int(cfg_parser *p, json_t *obj, const char *key, const char *where, int *out,
                    int min, int max) {
    json_t *v = json_object_get(obj, key);
    if (!v) return;
    if (!json_is_integer(v)) {
        fail(p, "%s%s: must be an integer", where, key);
        return;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        fail(p, "%s%s: %lld is out of range [%d, %d]", where, key, (long long)x, min, max);
        return;
    }
    *out = (int)x;
}

static void get_str_array(cfg_parser *p, json_t *obj, const char *key, const char *where,
                          char ***out, size_t *n) {
    json_t *v = json_object_get(obj, key);
    if (!v) return;
    if (!json_is_array(v)) {
        fail(p, "%s%s: must be an array of strings", where, key);
        return;
    }
    size_t len = json_array_size(v);
    char **arr = calloc(len ? len : 1, sizeof(char *));
    if (!arr) {
        fail(p, "out of memory");
        return;
    }
    *out = arr;
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || !*json_string_value(e)) {
            fail(p, "%s%s[%zu]: must be a non-empty string", where, key, i);
            return;
        }
        arr[i] = xstrdup(p, json_string_value(e));
        if (!arr[i]) return;
        *n = i + 1;
    }
}

static void free_strs(char **a, size_t n) {
    for (size_t i = 0; i < n; i++) free(a[i]);
    free(a);
}

static void set_default(cfg_parser *p, char **field, const char *value) {
    if (!*field) *field = xstrdup(p, value);
}

/* ---- components ---- */

static void parse_components(cfg_parser *p, blvm_commons_config *c, json_t *arr) {
    if (!arr) return;
    if (!json_is_array(arr)) {
        fail(p, "components: must be an array");
        return;
    }
    size_t n = json_array_size(arr);
    c->components = calloc(n ? n : 1, sizeof(*c->components));
    if (!c->components) {
        fail(p, "out of memory");
        return;
    }
    static const char *const keys[] = {"name", "depends_on", "command", "workdir",
                                       "timeout_secs", "max_retries", "payload", NULL};
    for (size_t i = 0; i < n && !p->failed; i++) {
        char where[64];
        snprintf(where, sizeof(where), "components[%zu].", i);
        json_t *o = json_array_get(arr, i);
        if (!json_is_object(o)) {
            fail(p, "components[%zu]: must be an object", i);
            return;
        }
        blvm_commons_component *comp = &c->components[i];
        c->ncomponents = i + 1;
        char w2[64];
        snprintf(w2, sizeof(w2), "components[%zu]", i);
        check_keys(p, o, w2, keys);
        get_str(p, o, "name", where, &comp->name);
        if (!p->failed && (!comp->name || !*comp->name)) {
            fail(p, "components[%zu].name: missing", i);
            return;
        }
        for (const char *s = comp->name; s && *s && !p->failed; s++) {
            if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
                fail(p, "components[%zu].name: '%s' may only use letters, digits, '-', '_', '.'", i,
                     comp->name);
        }
        get_str_array(p, o, "depends_on", where, &comp->depends_on, &comp->ndepends);
        get_str(p, o, "command", where, &comp->command);
        get_str(p, o, "workdir", where, &comp->workdir);
        get_int(p, o, "timeout_secs", where, &comp->timeout_secs, 1, 7 * 86400);
        get_int(p, o, "max_retries", where, &comp->max_retries, 0, 100);
        json_t *pl = json_object_get(o, "payload");
        if (pl) {
            if (!json_is_object(pl)) {
                fail(p, "%spayload: must be an object", where);
            } else {
                comp->payload_json = json_dumps(pl, JSON_COMPACT | JSON_SORT_KEYS);
                if (!comp->payload_json) fail(p, "out of memory");
            }
        }
    }
    if (p->failed) return;
    for (size_t i = 0; i < c->ncomponents; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->components[i].name, c->components[j].name) == 0) {
                fail(p, "components[%zu].name: duplicate component '%s'", i, c->components[i].name);
                return;
            }
        }
    }
    for (size_t i = 0; i < c->ncomponents; i++) {
        const blvm_commons_component *comp = &c->components[i];
        for (size_t d = 0; d < comp->ndepends; d++) {
            if (blvm_commons_config_component(c, comp->depends_on[d]) < 0) {
                fail(p, "components[%zu].depends_on: unknown component '%s' (needed by '%s')", i,
                     comp->depends_on[d], comp->name);
                return;
            }
            if (strcmp(comp->depends_on[d], comp->name) == 0) {
                fail(p, "components[%zu].depends_on: component '%s' depends on itself", i, comp->name);
                return;
            }
        }
    }
}

/* Depth-first search for a cycle; on finding one writes "a -> b -> a". */
static bool find_cycle(const blvm_commons_config *c, size_t v, int *color, size_t *stack,
                       size_t depth, char *buf, size_t buflen) {
    color[v] = 1;
    stack[depth] = v;
    const blvm_commons_component *comp = &c->components[v];
    for (size_t d = 0; d < comp->ndepends; d++) {
        size_t w = (size_t)blvm_commons_config_component(c, comp->depends_on[d]);
        if (color[w] == 1) {
            size_t start = 0;
            while (stack[start] != w) start++;
            size_t o = 0;
            buf[0] = '\0';
            for (size_t k = start; k <= depth; k++) {
                int m = snprintf(buf + o, buflen - o, "%s -> ", c->components[stack[k]].name);
                if (m < 0 || (size_t)m >= buflen - o) return true;
                o += (size_t)m;
            }
            snprintf(buf + o, buflen - o, "%s", c->components[w].name);
            return true;
        }
        if (color[w] == 0 && find_cycle(c, w, color, stack, depth + 1, buf, buflen)) return true;
    }
    color[v] = 2;
    return false;
}

static void order_components(cfg_parser *p, blvm_commons_config *c) {
    size_t n = c->ncomponents;
    int *color = calloc(n ? n : 1, sizeof(int));
    size_t *stack = calloc(n ? n : 1, sizeof(size_t));
    c->topo_order = calloc(n ? n : 1, sizeof(size_t));
    bool *done = calloc(n ? n : 1, sizeof(bool));
    if (!color || !stack || !c->topo_order || !done) {
        fail(p, "out of memory");
        goto out;
    }
    char cyc[512];
    for (size_t i = 0; i < n; i++) {
        if (color[i] == 0 && find_cycle(c, i, color, stack, 0, cyc, sizeof(cyc))) {
            fail(p, "components: dependency cycle %s", cyc);
            goto out;
        }
    }
    /* Kahn's order, stable by position in the file. */
    size_t placed = 0;
    while (placed < n) {
        for (size_t i = 0; i < n; i++) {
            if (done[i]) continue;
            bool ready = true;
            for (size_t d = 0; d < c->components[i].ndepends; d++)
                ready &= done[blvm_commons_config_component(c, c->components[i].depends_on[d])];
            if (ready) {
                done[i] = true;
                c->topo_order[placed++] = i;
                break;
            }
        }
    }
out:
    free(color);
    free(stack);
    free(done);
}

/* ---- governance ---- */

static bool glob_valid(const char *g) {
    if (!*g) return false;
    for (const char *s = g; *s; s++) {
        /* '***' is almost certainly a typo; character classes are not supported. */
        if (s[0] == '*' && s[1] == '*' && s[2] == '*') return false;
        if (*s == '[' || *s == ']') return false;
    }
    return true;
}

static void parse_threshold(cfg_parser *p, json_t *o, const char *where, blvm_commons_rule *r) {
    get_int(p, o, "signatures", where, &r->signatures, 1, 1000);
    get_int(p, o, "of", where, &r->of, 0, 1000);
    get_int(p, o, "review_days", where, &r->review_days, 0, 3650);
    if (!p->failed && r->of && r->signatures > r->of)
        fail(p, "%ssignatures: %d-of-%d needs more signatures than there are keys", where,
             r->signatures, r->of);
}

static void parse_governance(cfg_parser *p, blvm_commons_config *c, json_t *g) {
    c->default_rule.signatures = 1;
    if (!g || p->failed) {
        c->default_rule.name = xstrdup(p, "default");
        return;
    }
    static const char *const keys[] = {"default", "rules", NULL};
    check_keys(p, g, "governance", keys);
    json_t *d = get_obj(p, g, "default", "governance.");
    if (d) {
        static const char *const dkeys[] = {"signatures", "of", "review_days", "tier", NULL};
        check_keys(p, d, "governance.default", dkeys);
        parse_threshold(p, d, "governance.default.", &c->default_rule);
        get_int(p, d, "tier", "governance.default.", &c->default_rule.level, 0, 100);
    }
    c->default_rule.name = xstrdup(p, "default");
    json_t *rules = json_object_get(g, "rules");
    if (!rules) return;
    if (!json_is_array(rules)) {
        fail(p, "governance.rules: must be an array");
        return;
    }
    size_t n = json_array_size(rules);
    c->rules = calloc(n ? n : 1, sizeof(*c->rules));
    if (!c->rules) {
        fail(p, "out of memory");
        return;
    }
    static const char *const rkeys[] = {"name", "kind", "level", "paths", "title_markers",
                                        "signatures", "of", "review_days", NULL};
    for (size_t i = 0; i < n && !p->failed; i++) {
        char where[64], w2[64];
        snprintf(where, sizeof(where), "governance.rules[%zu].", i);
        snprintf(w2, sizeof(w2), "governance.rules[%zu]", i);
        json_t *o = json_array_get(rules, i);
        if (!json_is_object(o)) {
            fail(p, "%s: must be an object", w2);
            return;
        }
        blvm_commons_rule *r = &c->rules[i];
        c->nrules = i + 1;
        check_keys(p, o, w2, rkeys);
        get_str(p, o, "name", where, &r->name);
        char *kind = NULL;
        get_str(p, o, "kind", where, &kind);
        if (!p->failed) {
            if (kind && strcmp(kind, "tier") == 0) {
                r->kind = BLVM_COMMONS_RULE_TIER;
            } else if (kind && strcmp(kind, "layer") == 0) {
                r->kind = BLVM_COMMONS_RULE_LAYER;
            } else {
                fail(p, "%skind: must be \"tier\" or \"layer\"%s%s%s", where, kind ? ", not \"" : "",
                     kind ? kind : "", kind ? "\"" : "");
            }
        }
        free(kind);
        if (!json_object_get(o, "level")) fail(p, "%slevel: missing", where);
        get_int(p, o, "level", where, &r->level, 0, 100);
        if (!json_object_get(o, "signatures")) fail(p, "%ssignatures: missing", where);
        parse_threshold(p, o, where, r);
        get_str_array(p, o, "paths", where, &r->paths, &r->npaths);
        get_str_array(p, o, "title_markers", where, &r->title_markers, &r->nmarkers);
        for (size_t k = 0; k < r->npaths && !p->failed; k++) {
            if (!glob_valid(r->paths[k])) fail(p, "%spaths[%zu]: bad glob '%s'", where, k, r->paths[k]);
        }
        if (!p->failed && !r->name) {
            char nm[32];
            snprintf(nm, sizeof(nm), "%s-%d", r->kind == BLVM_COMMONS_RULE_TIER ? "tier" : "layer",
                     r->level);
            r->name = xstrdup(p, nm);
        }
    }
}

static void parse_maintainers(cfg_parser *p, blvm_commons_config *c, json_t *arr) {
    if (!arr) return;
    if (!json_is_array(arr)) {
        fail(p, "maintainers: must be an array");
        return;
    }
    size_t n = json_array_size(arr);
    c->maintainers = calloc(n ? n : 1, sizeof(*c->maintainers));
    if (!c->maintainers) {
        fail(p, "out of memory");
        return;
    }
    static const char *const keys[] = {"name", "github", "pubkey", NULL};
    for (size_t i = 0; i < n && !p->failed; i++) {
        char where[64], w2[64];
        snprintf(where, sizeof(where), "maintainers[%zu].", i);
        snprintf(w2, sizeof(w2), "maintainers[%zu]", i);
        json_t *o = json_array_get(arr, i);
        if (!json_is_object(o)) {
            fail(p, "%s: must be an object", w2);
            return;
        }
        blvm_commons_maintainer *m = &c->maintainers[i];
        c->nmaintainers = i + 1;
        check_keys(p, o, w2, keys);
        get_str(p, o, "name", where, &m->name);
        get_str(p, o, "github", where, &m->github_login);
        char *hex = NULL;
        get_str(p, o, "pubkey", where, &hex);
        if (p->failed) {
            free(hex);
            return;
        }
        if (!m->name) m->name = xstrdup(p, hex ? hex : "?");
        size_t len = 0;
        secp256k1_xonly_pubkey pk;
        if (!hex) {
            fail(p, "%spubkey: missing", where);
        } else if (strlen(hex) != 64 || !blvm_hex_decode(m->pubkey, 32, &len, hex) || len != 32) {
            fail(p, "%spubkey: must be 64 hex digits (a BIP340 x-only public key)", where);
        } else if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, m->pubkey)) {
            fail(p, "%spubkey: %s is not a valid secp256k1 x-only public key", where, hex);
        } else {
            blvm_hex_encode(m->key_id, m->pubkey, 32);
        }
        free(hex);
        for (size_t j = 0; j < i && !p->failed; j++) {
            if (memcmp(c->maintainers[j].pubkey, m->pubkey, 32) == 0)
                fail(p, "%spubkey: same key as maintainers[%zu]", where, j);
        }
    }
}

/* ---- top level ---- */

static void apply_env(cfg_parser *p, blvm_commons_config *c) {
    const char *v;
    if ((v = getenv("BLVM_COMMONS_DATA_DIR")) && *v) {
        free(c->data_dir);
        c->data_dir = xstrdup(p, v);
    }
    if ((v = getenv("BLVM_COMMONS_DATABASE_URL")) && *v) {
        free(c->database_url);
        c->database_url = xstrdup(p, v);
    }
    v = getenv("BLVM_COMMONS_GITHUB_TOKEN");
    if (!v || !*v) v = getenv("BLVM_GITHUB_TOKEN");
    if (!v || !*v) v = getenv("GITHUB_TOKEN");
    if (v && *v) c->github_token = xstrdup(p, v);
    if ((v = getenv("BLVM_COMMONS_WEBHOOK_SECRET")) && *v) c->webhook_secret = xstrdup(p, v);
}

static void fill_defaults(cfg_parser *p, blvm_commons_config *c) {
    c->database_url_explicit = c->database_url != NULL;
    c->release_dir_explicit = c->release_dir != NULL;
    set_default(p, &c->data_dir, "./commons-data");
    if (!c->database_url && c->data_dir) {
        size_t l = strlen(c->data_dir) + 16;
        c->database_url = malloc(l);
        if (c->database_url) snprintf(c->database_url, l, "%s/commons.db", c->data_dir);
        else fail(p, "out of memory");
    }
    set_default(p, &c->github_api_url, "https://api.github.com");
    if (c->github_api_url) {
        size_t l = strlen(c->github_api_url);
        while (l > 1 && c->github_api_url[l - 1] == '/') c->github_api_url[--l] = '\0';
    }
    set_default(p, &c->status_context, "blvm-commons/governance");
    set_default(p, &c->listen_addr, "127.0.0.1");
    set_default(p, &c->dispatch_event_type, "build-component");
    set_default(p, &c->dispatch_payload_json, "{}");
    set_default(p, &c->release_target, "local");
    if (!c->release_dir && c->data_dir) {
        size_t l = strlen(c->data_dir) + 16;
        c->release_dir = malloc(l);
        if (c->release_dir) snprintf(c->release_dir, l, "%s/releases", c->data_dir);
        else fail(p, "out of memory");
    }
}

static void init_numbers(blvm_commons_config *c) {
    c->mode = BLVM_COMMONS_DRY_RUN;
    c->http_timeout_secs = 30;
    c->http_max_retries = 3;
    c->listen_port = 8080;
    c->max_body_bytes = 25u * 1024 * 1024;
    c->parallelism = 2;
    c->max_retries = 2;
    c->retry_backoff_secs = 5;
    c->build_timeout_secs = 3600;
    c->poll_interval_secs = 10;
    c->release_threshold = 1;
    c->artifact_retention_days = 30;
}

static void parse_root(cfg_parser *p, blvm_commons_config *c, json_t *root) {
    static const char *const keys[] = {"data_dir", "database_url", "mode", "github", "server",
                                       "orchestration", "components", "governance", "maintainers",
                                       "release", NULL};
    check_keys(p, root, "", keys);
    get_str(p, root, "data_dir", "", &c->data_dir);
    get_str(p, root, "database_url", "", &c->database_url);
    char *mode = NULL;
    get_str(p, root, "mode", "", &mode);
    if (mode) {
        if (strcmp(mode, "dry-run") == 0) c->mode = BLVM_COMMONS_DRY_RUN;
        else if (strcmp(mode, "enforcing") == 0) c->mode = BLVM_COMMONS_ENFORCING;
        else fail(p, "mode: must be \"dry-run\" or \"enforcing\", not \"%s\"", mode);
        free(mode);
    }
    json_t *gh = get_obj(p, root, "github", "");
    if (gh) {
        static const char *const k[] = {"api_url", "owner", "repo", "status_context",
                                        "timeout_secs", "max_retries", NULL};
        check_keys(p, gh, "github", k);
        get_str(p, gh, "api_url", "github.", &c->github_api_url);
        get_str(p, gh, "owner", "github.", &c->github_owner);
        get_str(p, gh, "repo", "github.", &c->github_repo);
        get_str(p, gh, "status_context", "github.", &c->status_context);
        get_int(p, gh, "timeout_secs", "github.", &c->http_timeout_secs, 1, 3600);
        get_int(p, gh, "max_retries", "github.", &c->http_max_retries, 0, 100);
        if (!p->failed && c->github_api_url && strncmp(c->github_api_url, "http://", 7) != 0 &&
            strncmp(c->github_api_url, "https://", 8) != 0)
            fail(p, "github.api_url: must start with http:// or https://");
    }
    json_t *sv = get_obj(p, root, "server", "");
    if (sv) {
        static const char *const k[] = {"listen", "port", "max_body_bytes", NULL};
        check_keys(p, sv, "server", k);
        get_str(p, sv, "listen", "server.", &c->listen_addr);
        get_int(p, sv, "port", "server.", &c->listen_port, 0, 65535);
        int mb = (int)c->max_body_bytes;
        get_int(p, sv, "max_body_bytes", "server.", &mb, 1024, 1 << 30);
        c->max_body_bytes = (size_t)mb;
    }
    json_t *orc = get_obj(p, root, "orchestration", "");
    if (orc) {
        static const char *const k[] = {"parallelism", "max_retries", "retry_backoff_secs",
                                        "build_timeout_secs", "poll_interval_secs", "workflow",
                                        "dispatch", NULL};
        check_keys(p, orc, "orchestration", k);
        get_int(p, orc, "parallelism", "orchestration.", &c->parallelism, 1, 256);
        get_int(p, orc, "max_retries", "orchestration.", &c->max_retries, 0, 100);
        get_int(p, orc, "retry_backoff_secs", "orchestration.", &c->retry_backoff_secs, 0, 86400);
        get_int(p, orc, "build_timeout_secs", "orchestration.", &c->build_timeout_secs, 1, 7 * 86400);
        get_int(p, orc, "poll_interval_secs", "orchestration.", &c->poll_interval_secs, 1, 3600);
        get_str(p, orc, "workflow", "orchestration.", &c->workflow_file);
        json_t *d = get_obj(p, orc, "dispatch", "orchestration.");
        if (d) {
            static const char *const dk[] = {"event_type", "payload", NULL};
            check_keys(p, d, "orchestration.dispatch", dk);
            get_str(p, d, "event_type", "orchestration.dispatch.", &c->dispatch_event_type);
            json_t *pl = json_object_get(d, "payload");
            if (pl) {
                if (!json_is_object(pl)) {
                    fail(p, "orchestration.dispatch.payload: must be an object");
                } else {
                    c->dispatch_payload_json = json_dumps(pl, JSON_COMPACT | JSON_SORT_KEYS);
                    if (!c->dispatch_payload_json) fail(p, "out of memory");
                }
            }
        }
    }
    if (!p->failed) parse_components(p, c, json_object_get(root, "components"));
    if (!p->failed) order_components(p, c);
    if (!p->failed) parse_governance(p, c, get_obj(p, root, "governance", ""));
    if (!p->failed) parse_maintainers(p, c, json_object_get(root, "maintainers"));
    json_t *rel = get_obj(p, root, "release", "");
    if (rel && !p->failed) {
        static const char *const k[] = {"threshold", "keyring", "artifact_retention_days",
                                        "target", "dir", NULL};
        check_keys(p, rel, "release", k);
        get_int(p, rel, "threshold", "release.", &c->release_threshold, 1, 1000);
        get_str(p, rel, "keyring", "release.", &c->keyring_path);
        get_int(p, rel, "artifact_retention_days", "release.", &c->artifact_retention_days, 0, 36500);
        get_str(p, rel, "target", "release.", &c->release_target);
        get_str(p, rel, "dir", "release.", &c->release_dir);
        if (!p->failed && c->release_target && strcmp(c->release_target, "local") != 0 &&
            strcmp(c->release_target, "github") != 0)
            fail(p, "release.target: must be \"local\" or \"github\", not \"%s\"", c->release_target);
    }
    /* Thresholds cannot ask for more keys than there are maintainers. */
    for (size_t i = 0; i < c->nrules && !p->failed && c->nmaintainers; i++) {
        if ((size_t)c->rules[i].signatures > c->nmaintainers)
            fail(p, "governance.rules[%zu].signatures: needs %d signatures but only %zu maintainers are configured",
                 i, c->rules[i].signatures, c->nmaintainers);
    }
}

blvm_commons_config *blvm_commons_config_parse(const char *json, const char *name, char *err,
                                               size_t errlen) {
    cfg_parser p = {err, errlen, false, name ? name : "config"};
    if (err && errlen) err[0] = '\0';
    blvm_commons_config *c = calloc(1, sizeof(*c));
    if (!c) {
        fail(&p, "out of memory");
        return NULL;
    }
    init_numbers(c);
    c->path = xstrdup(&p, name ? name : "");
    if (json) {
        json_error_t je;
        json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
            fail(&p, "line %d column %d: invalid JSON: %s", je.line, je.column, je.text);
        } else if (!json_is_object(root)) {
            fail(&p, "top level must be a JSON object");
        } else {
            parse_root(&p, c, root);
        }
        json_decref(root);
    } else {
        c->default_rule.signatures = 1;
        c->default_rule.name = xstrdup(&p, "default");
        c->topo_order = calloc(1, sizeof(size_t));
    }
    if (!p.failed) apply_env(&p, c);
    if (!p.failed) fill_defaults(&p, c);
    if (p.failed) {
        blvm_commons_config_destroy(c);
        return NULL;
    }
    return c;
}

blvm_commons_config *blvm_commons_config_load(const char *path, char *err, size_t errlen) {
    if (!path) return blvm_commons_config_parse(NULL, "defaults", err, errlen);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err) snprintf(err, errlen, "%s: cannot open config file: %m", path);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (16u << 20)) {
                if (err) snprintf(err, errlen, "%s: config file larger than 16 MiB", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                if (err) snprintf(err, errlen, "out of memory");
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, 4096, f);
        len += r;
        if (r < 4096) break;
    }
    bool ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(buf);
        if (err) snprintf(err, errlen, "%s: read error", path);
        return NULL;
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        if (err) snprintf(err, errlen, "%s: config file contains a NUL byte", path);
        return NULL;
    }
    blvm_commons_config *c = blvm_commons_config_parse(buf, path, err, errlen);
    free(buf);
    return c;
}

static void free_rule(blvm_commons_rule *r) {
    free(r->name);
    free_strs(r->paths, r->npaths);
    free_strs(r->title_markers, r->nmarkers);
}

void blvm_commons_config_destroy(blvm_commons_config *c) {
    if (!c) return;
    free(c->path);
    free(c->data_dir);
    free(c->database_url);
    free(c->github_api_url);
    free(c->github_owner);
    free(c->github_repo);
    free(c->github_token);
    free(c->status_context);
    free(c->listen_addr);
    free(c->webhook_secret);
    free(c->dispatch_event_type);
    free(c->dispatch_payload_json);
    free(c->workflow_file);
    for (size_t i = 0; i < c->ncomponents; i++) {
        blvm_commons_component *comp = &c->components[i];
        free(comp->name);
        free_strs(comp->depends_on, comp->ndepends);
        free(comp->command);
        free(comp->workdir);
        free(comp->payload_json);
    }
    free(c->components);
    free(c->topo_order);
    for (size_t i = 0; i < c->nrules; i++) free_rule(&c->rules[i]);
    free(c->rules);
    free_rule(&c->default_rule);
    for (size_t i = 0; i < c->nmaintainers; i++) {
        free(c->maintainers[i].name);
        free(c->maintainers[i].github_login);
    }
    free(c->maintainers);
    free(c->keyring_path);
    free(c->release_target);
    free(c->release_dir);
    free(c);
}

bool blvm_commons_config_set_data_dir(blvm_commons_config *c, const char *dir) {
    size_t l = strlen(dir) + 16;
    char *nd = strdup(dir), *ndb = malloc(l), *nrel = malloc(l);
    if (!nd || !ndb || !nrel) {
        free(nd);
        free(ndb);
        free(nrel);
        return false;
    }
    snprintf(ndb, l, "%s/commons.db", dir);
    snprintf(nrel, l, "%s/releases", dir);
    free(c->data_dir);
    c->data_dir = nd;
    if (!c->database_url_explicit) {
        free(c->database_url);
        c->database_url = ndb;
    } else {
        free(ndb);
    }
    if (!c->release_dir_explicit) {
        free(c->release_dir);
        c->release_dir = nrel;
    } else {
        free(nrel);
    }
    return true;
}

int blvm_commons_config_component(const blvm_commons_config *cfg, const char *name) {
    for (size_t i = 0; i < cfg->ncomponents; i++) {
        if (cfg->components[i].name && strcmp(cfg->components[i].name, name) == 0) return (int)i;
    }
    return -1;
}

int blvm_commons_config_maintainer(const blvm_commons_config *cfg, const char *key_id) {
    for (size_t i = 0; i < cfg->nmaintainers; i++) {
        if (strcasecmp(cfg->maintainers[i].key_id, key_id) == 0) return (int)i;
    }
    return -1;
}

bool blvm_commons_glob_match(const char *g, const char *s) {
    while (*g) {
        if (g[0] == '*' && g[1] == '*') {
            g += 2;
            /* A double star followed by '/' may also match nothing, so a
             * pattern for "any directory, then x.c" matches a top-level x.c. */
            if (*g == '/' && blvm_commons_glob_match(g + 1, s)) return true;
            for (const char *t = s;; t++) {
                if (blvm_commons_glob_match(g, t)) return true;
                if (!*t) return false;
            }
        }
        if (*g == '*') {
            g++;
            for (const char *t = s;; t++) {
                if (blvm_commons_glob_match(g, t)) return true;
                if (!*t || *t == '/') return false;
            }
        }
        if (!*s) return false;
        if (*g == '?') {
            if (*s == '/') return false;
        } else if (*g != *s) {
            return false;
        }
        g++;
        s++;
    }
    return *s == '\0';
}

static bool contains_nocase(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0) return true;
    }
    return n == 0;
}

bool blvm_commons_rule_applies(const blvm_commons_rule *rule, const char *title,
                               const char *const *paths, size_t npaths) {
    if (rule->npaths == 0 && rule->nmarkers == 0) return true;
    for (size_t m = 0; m < rule->nmarkers && title; m++) {
        if (contains_nocase(title, rule->title_markers[m])) return true;
    }
    for (size_t g = 0; g < rule->npaths; g++) {
        for (size_t i = 0; i < npaths; i++) {
            if (blvm_commons_glob_match(rule->paths[g], paths[i])) return true;
        }
    }
    return false;
}

static void merge_threshold(blvm_commons_classification *out, const blvm_commons_rule *r,
                            size_t nmaintainers) {
    int of = r->of ? r->of : (int)nmaintainers;
    if (r->signatures > out->signatures || (r->signatures == out->signatures && of > out->of)) {
        out->signatures = r->signatures;
        out->of = of;
    }
    if (r->review_days > out->review_days) out->review_days = r->review_days;
}

void blvm_commons_classify(const blvm_commons_config *cfg, const char *title,
                           const char *const *paths, size_t npaths,
                           blvm_commons_classification *out) {
    memset(out, 0, sizeof(*out));
    bool any_tier = false, any_layer = false;
    for (size_t i = 0; i < cfg->nrules; i++) {
        const blvm_commons_rule *r = &cfg->rules[i];
        if (!blvm_commons_rule_applies(r, title, paths, npaths)) continue;
        if (r->kind == BLVM_COMMONS_RULE_TIER) {
            if (!any_tier || r->level > out->tier) {
                out->tier = r->level;
                out->tier_rule = r->name;
            }
            any_tier = true;
        } else {
            if (!any_layer || r->level > out->layer) {
                out->layer = r->level;
                out->layer_rule = r->name;
            }
            any_layer = true;
        }
        merge_threshold(out, r, cfg->nmaintainers);
    }
    if (!any_tier || !any_layer) merge_threshold(out, &cfg->default_rule, cfg->nmaintainers);
    if (!any_tier) {
        out->tier = cfg->default_rule.level;
        out->tier_rule = cfg->default_rule.name;
    }
    if (!any_layer) {
        out->layer_rule = cfg->default_rule.name;
    }
}
