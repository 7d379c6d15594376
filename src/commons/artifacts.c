#include "commons/artifacts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commons/audit.h"
#include "commons/sums.h"
#include "util/hex.h"

#define ARTIFACT_MAX_BYTES (4ull << 30)

bool blvm_commons_parse_time(const char *s, int64_t *out) {
    if (!s || !*s) return false;
    bool digits = true;
    for (const char *p = s; *p; p++) digits &= isdigit((unsigned char)*p) != 0;
    if (digits) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno) return false;
        *out = v;
        return true;
    }
    int y, mo, d, h, mi, sec;
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return false;
    const char *rest = s + n;
    if (*rest == '.') {
        rest++;
        while (isdigit((unsigned char)*rest)) rest++;
    }
    int offset = 0;
    if (*rest == 'Z') {
        rest++;
    } else if ((*rest == '+' || *rest == '-') && isdigit((unsigned char)rest[1])) {
        int oh, om;
        if (sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2) return false;
        offset = (oh * 3600 + om * 60) * (*rest == '-' ? -1 : 1);
        rest += 6;
    } else {
        return false;
    }
    if (*rest || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm) - offset;
    return true;
}

blvm_github *blvm_commons_github_from_config(const blvm_commons_config *cfg) {
    blvm_github_options o;
    blvm_github_options_init(&o);
    o.base_url = cfg->github_api_url;
    o.token = cfg->github_token ? cfg->github_token : blvm_github_token_from_env();
    o.timeout_ms = (long)cfg->http_timeout_secs * 1000;
    o.max_retries = cfg->http_max_retries;
    return blvm_github_create(&o);
}

/* Directory name for a run ref: letters, digits, '-', '_', '.' kept, the
 * rest replaced, so no ref can escape the artifacts directory. */
static void safe_component(char *out, size_t cap, const char *in) {
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < cap; p++)
        out[o++] = (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.') ? *p : '_';
    out[o] = '\0';
    if (o == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) snprintf(out, cap, "run");
}

typedef struct {
    const char *run_ref;
    int64_t run_id;
    const char *component;
    const char *name;
    int64_t size; /* -1 unknown */
    const char *sha256;
    const char *expected;
    const char *source;
    const char *source_url;
    const char *external_id;
    const char *local_path;
    const char *status;
    const char *error;
    int64_t expires_at; /* 0 unknown */
    int64_t collected_at;
} artifact_row;

static bool store_row(blvm_db *db, const artifact_row *r) {
    blvm_db_param p[15] = {
        blvm_db_text(r->run_ref),
        r->run_id ? blvm_db_int(r->run_id) : blvm_db_null(),
        blvm_db_text(r->component),
        blvm_db_text(r->name),
        r->size >= 0 ? blvm_db_int(r->size) : blvm_db_null(),
        blvm_db_text(r->sha256),
        blvm_db_text(r->expected),
        blvm_db_text(r->source),
        blvm_db_text(r->source_url),
        blvm_db_text(r->external_id),
        blvm_db_text(r->local_path),
        blvm_db_text(r->status),
        blvm_db_text(r->error),
        r->expires_at ? blvm_db_int(r->expires_at) : blvm_db_null(),
        blvm_db_int(r->collected_at),
    };
    return blvm_db_exec(
        db,
        "INSERT INTO artifacts (run_ref, run_id, component, name, size, sha256, expected_sha256, "
        "source, source_url, external_id, local_path, status, error, expires_at, collected_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_ref, name) DO UPDATE SET run_id = excluded.run_id, "
        "component = excluded.component, size = excluded.size, sha256 = excluded.sha256, "
        "expected_sha256 = excluded.expected_sha256, source = excluded.source, "
        "source_url = excluded.source_url, external_id = excluded.external_id, "
        "local_path = excluded.local_path, status = excluded.status, error = excluded.error, "
        "expires_at = excluded.expires_at, collected_at = excluded.collected_at, pruned_at = NULL",
        p, 15, NULL);
}

static void report(const artifact_row *r) {
    printf("%-12s %s", r->status, r->name);
    if (r->sha256) printf(" sha256=%s", r->sha256);
    if (r->size >= 0) printf(" size=%" PRId64, r->size);
    if (r->error) printf(" (%s)", r->error);
    printf("\n");
}

static bool lower_hex64(const char *in, char out[65]) {
    if (!in || strlen(in) != 64) return false;
    for (size_t i = 0; i < 64; i++) {
        if (!isxdigit((unsigned char)in[i])) return false;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[64] = '\0';
    return true;
}

/* Verifies the file at tmp_path against expected and moves it to final_path;
 * fills the row's hash/size/status. Returns whether it verified. */
static bool verify_and_keep(artifact_row *r, const char *tmp_path, const char *final_path,
                            char *hash_buf, char *errbuf, size_t errlen) {
    uint8_t h[32];
    uint64_t size = 0;
    if (!blvm_commons_file_sha256(tmp_path, h, &size, errbuf, errlen)) {
        r->status = "failed";
        r->error = errbuf;
        unlink(tmp_path);
        return false;
    }
    blvm_hex_encode(hash_buf, h, 32);
    r->sha256 = hash_buf;
    r->size = (int64_t)size;
    if (strcmp(hash_buf, r->expected) != 0) {
        r->status = "mismatch";
        snprintf(errbuf, errlen, "SHA-256 %s does not match the published %s", hash_buf, r->expected);
        r->error = errbuf;
        unlink(tmp_path);
        return false;
    }
    if (rename(tmp_path, final_path) != 0) {
        r->status = "failed";
        snprintf(errbuf, errlen, "cannot store %s: %s", final_path, strerror(errno));
        r->error = errbuf;
        unlink(tmp_path);
        return false;
    }
    r->status = "verified";
    r->local_path = final_path;
    return true;
}

/* Ends a collection: a database failure fails it; otherwise it succeeds
 * when nothing failed and at least one artifact was verified, and the
 * outcome is written to the audit log. */
static bool finish(blvm_db *db, bool db_ok, const char *run_ref, const char *source,
                   const blvm_commons_collect_summary *sum, char *err, size_t errlen) {
    if (!db_ok) {
        snprintf(err, errlen, "database: %s", blvm_db_errmsg(db));
        return false;
    }
    bool ok = sum->failed == 0 && sum->verified > 0;
    char details[256];
    snprintf(details, sizeof(details),
             "{\"source\":\"%s\",\"verified\":%zu,\"expired\":%zu,\"failed\":%zu,\"ok\":%s}", source,
             sum->verified, sum->expired, sum->failed, ok ? "true" : "false");
    if (!blvm_commons_audit_append(db, 0, "artifacts", "collect", run_ref, details, NULL, NULL))
        fprintf(stderr, "blvm-commons: warning: audit entry not written: %s\n", blvm_db_errmsg(db));
    if (!ok) {
        if (sum->failed)
            snprintf(err, errlen, "%zu artifacts failed verification", sum->failed);
        else
            snprintf(err, errlen, "no artifact could be collected (%zu expired)", sum->expired);
    }
    return ok;
}

static bool prepare_store(const blvm_commons_config *cfg, const char *run_ref, char *store,
                          size_t cap, char *err, size_t errlen) {
    char safe[200];
    safe_component(safe, sizeof(safe), run_ref);
    snprintf(store, cap, "%s/artifacts/%s", cfg->data_dir, safe);
    return blvm_commons_mkdirs(store, 0755, err, errlen);
}

/* ---- local directory ---- */

typedef struct {
    char *name;
    char *sha256; /* NULL: none published */
    char *component;
    int64_t expires_at;
    bool seen;
} manifest_entry;

static void manifest_free(manifest_entry *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(m[i].name);
        free(m[i].sha256);
        free(m[i].component);
    }
    free(m);
}

static bool load_manifest(const char *dir, manifest_entry **out, size_t *n, char *err, size_t errlen) {
    *out = NULL;
    *n = 0;
    char path[4200];
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    if (access(path, F_OK) == 0) {
        json_error_t je;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
            snprintf(err, errlen, "%s: line %d: invalid JSON: %s", path, je.line, je.text);
            return false;
        }
        json_t *arr = json_object_get(root, "artifacts");
        if (!json_is_array(arr)) {
            snprintf(err, errlen, "%s: \"artifacts\" must be an array", path);
            json_decref(root);
            return false;
        }
        size_t len = json_array_size(arr);
        manifest_entry *m = calloc(len ? len : 1, sizeof(*m));
        if (!m) {
            json_decref(root);
            snprintf(err, errlen, "out of memory");
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            json_t *e = json_array_get(arr, i);
            json_t *name = json_object_get(e, "name");
            json_t *sha = json_object_get(e, "sha256");
            json_t *exp = json_object_get(e, "expires_at");
            json_t *comp = json_object_get(e, "component");
            *n = i + 1;
            if (!json_is_object(e) || !json_is_string(name) ||
                !blvm_commons_sums_name_ok(json_string_value(name)) ||
                strchr(json_string_value(name), '/')) {
                snprintf(err, errlen, "%s: artifacts[%zu].name must be a plain file name", path, i);
                goto bad;
            }
            m[i].name = strdup(json_string_value(name));
            if (sha && !json_is_null(sha)) {
                char hx[65];
                if (!json_is_string(sha) || !lower_hex64(json_string_value(sha), hx)) {
                    snprintf(err, errlen, "%s: artifacts[%zu].sha256 must be 64 hex digits", path, i);
                    goto bad;
                }
                m[i].sha256 = strdup(hx);
            }
            if (comp && json_is_string(comp)) m[i].component = strdup(json_string_value(comp));
            if (exp && !json_is_null(exp)) {
                if (json_is_integer(exp)) {
                    m[i].expires_at = (int64_t)json_integer_value(exp);
                } else if (!json_is_string(exp) ||
                           !blvm_commons_parse_time(json_string_value(exp), &m[i].expires_at)) {
                    snprintf(err, errlen, "%s: artifacts[%zu].expires_at must be an ISO 8601 UTC time or unix seconds", path, i);
                    goto bad;
                }
            }
            for (size_t j = 0; j < i; j++) {
                if (strcmp(m[j].name, m[i].name) == 0) {
                    snprintf(err, errlen, "%s: artifacts[%zu]: '%s' listed twice", path, i, m[i].name);
                    goto bad;
                }
            }
        }
        json_decref(root);
        *out = m;
        return true;
    bad:
        json_decref(root);
        manifest_free(m, *n);
        *n = 0;
        return false;
    }
    snprintf(path, sizeof(path), "%s/SHA256SUMS", dir);
    if (access(path, F_OK) == 0) {
        blvm_commons_sums sums;
        if (!blvm_commons_sums_load(&sums, path, err, errlen)) return false;
        manifest_entry *m = calloc(sums.n ? sums.n : 1, sizeof(*m));
        if (!m) {
            blvm_commons_sums_clear(&sums);
            snprintf(err, errlen, "out of memory");
            return false;
        }
        for (size_t i = 0; i < sums.n; i++) {
            m[i].name = strdup(sums.entries[i].name);
            m[i].sha256 = malloc(65);
            if (m[i].sha256) blvm_hex_encode(m[i].sha256, sums.entries[i].hash, 32);
        }
        *n = sums.n;
        blvm_commons_sums_clear(&sums);
        *out = m;
        return true;
    }
    snprintf(err, errlen, "%s: no manifest.json or SHA256SUMS: the build must publish the expected hashes", dir);
    return false;
}

bool blvm_commons_artifacts_collect_local(const blvm_commons_config *cfg, blvm_db *db,
                                          const char *run_ref, int64_t run_id, const char *dir,
                                          int64_t now, blvm_commons_collect_summary *sum,
                                          char *err, size_t errlen) {
    memset(sum, 0, sizeof(*sum));
    if (!now) now = (int64_t)time(NULL);
    manifest_entry *m;
    size_t n;
    if (!load_manifest(dir, &m, &n, err, errlen)) return false;
    char store[4200];
    if (!prepare_store(cfg, run_ref, store, sizeof(store), err, errlen)) {
        manifest_free(m, n);
        return false;
    }
    /* Every file in the directory must be accounted for: one without a
     * published hash fails instead of being accepted. */
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        manifest_free(m, n);
        return false;
    }
    char source_url[4500];
    bool db_ok = true;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (name[0] == '.' || strcmp(name, "manifest.json") == 0 || strcmp(name, "SHA256SUMS") == 0 ||
            strcmp(name, "SHA256SUMS.sig") == 0)
            continue;
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        manifest_entry *e = NULL;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(m[i].name, name) == 0) e = &m[i];
        }
        if (e) {
            e->seen = true;
            continue;
        }
        snprintf(source_url, sizeof(source_url), "file://%s", path);
        artifact_row r = {run_ref, run_id, NULL, name, (int64_t)st.st_size, NULL, NULL, "local",
                          source_url, NULL, NULL, "missing_hash",
                          "the build published no SHA-256 for this file", 0, now};
        report(&r);
        sum->failed++;
        db_ok &= store_row(db, &r);
    }
    closedir(d);
    for (size_t i = 0; i < n && db_ok; i++) {
        manifest_entry *e = &m[i];
        char path[4400], tmp[4400], final[4400], hash[65], ebuf[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->name);
        snprintf(final, sizeof(final), "%s/%s", store, e->name);
        snprintf(tmp, sizeof(tmp), "%s/.%s.part", store, e->name);
        snprintf(source_url, sizeof(source_url), "file://%s", path);
        artifact_row r = {run_ref, run_id, e->component, e->name, -1, NULL, e->sha256, "local",
                          source_url, NULL, NULL, NULL, NULL, e->expires_at, now};
        if (e->expires_at && e->expires_at <= now) {
            r.status = "expired";
            r.error = "expired before collection";
            sum->expired++;
        } else if (!e->sha256) {
            r.status = "missing_hash";
            r.error = "the build published no SHA-256 for this file";
            sum->failed++;
        } else if (!e->seen) {
            r.status = "failed";
            r.error = "listed by the build but not present";
            sum->failed++;
        } else if (!blvm_commons_copy_file(path, tmp, ebuf, sizeof(ebuf))) {
            r.status = "failed";
            r.error = ebuf;
            sum->failed++;
        } else if (verify_and_keep(&r, tmp, final, hash, ebuf, sizeof(ebuf))) {
            sum->verified++;
        } else {
            sum->failed++;
        }
        report(&r);
        db_ok &= store_row(db, &r);
    }
    manifest_free(m, n);
    return finish(db, db_ok, run_ref, "local", sum, err, errlen);
}

/* ---- GitHub Actions ---- */

bool blvm_commons_artifacts_collect_github(const blvm_commons_config *cfg, blvm_db *db,
                                           blvm_github *gh, const char *repo, const char *run_ref,
                                           int64_t run_id, int64_t gh_run_id, int64_t now,
                                           blvm_commons_collect_summary *sum, char *err,
                                           size_t errlen) {
    memset(sum, 0, sizeof(*sum));
    if (!now) now = (int64_t)time(NULL);
    json_t *arr = NULL;
    if (!blvm_github_list_run_artifacts(gh, repo, gh_run_id, &arr, err, errlen)) return false;
    char store[4200];
    if (!prepare_store(cfg, run_ref, store, sizeof(store), err, errlen)) {
        json_decref(arr);
        return false;
    }
    bool db_ok = true;
    size_t idx;
    json_t *a;
    json_array_foreach(arr, idx, a) {
        json_t *jname = json_object_get(a, "name");
        json_t *jid = json_object_get(a, "id");
        const char *name = json_is_string(jname) ? json_string_value(jname) : NULL;
        char ebuf[512], hash[65], expected[65], idtxt[32], final[4600], tmp[4600], fname[300];
        if (!name || !json_is_integer(jid) || !blvm_commons_sums_name_ok(name) || strchr(name, '/')) {
            snprintf(ebuf, sizeof(ebuf), "artifact %zu in the API answer has no usable name or id", idx);
            artifact_row r = {run_ref, run_id, NULL, name && *name ? name : "(unnamed)", -1, NULL, NULL,
                              "github", NULL, NULL, NULL, "failed", ebuf, 0, now};
            report(&r);
            sum->failed++;
            if (name && *name && !strchr(name, '/')) db_ok &= store_row(db, &r);
            continue;
        }
        snprintf(idtxt, sizeof(idtxt), "%" PRId64, (int64_t)json_integer_value(jid));
        json_t *url = json_object_get(a, "archive_download_url");
        json_t *size = json_object_get(a, "size_in_bytes");
        json_t *exp = json_object_get(a, "expires_at");
        json_t *expired = json_object_get(a, "expired");
        json_t *digest = json_object_get(a, "digest");
        artifact_row r = {run_ref, run_id, NULL, name, json_is_integer(size) ? (int64_t)json_integer_value(size) : -1,
                          NULL, NULL, "github", json_is_string(url) ? json_string_value(url) : NULL,
                          idtxt, NULL, NULL, NULL, 0, now};
        int64_t exp_at = 0;
        if (json_is_string(exp) && blvm_commons_parse_time(json_string_value(exp), &exp_at)) r.expires_at = exp_at;
        const char *dg = json_is_string(digest) ? json_string_value(digest) : NULL;
        bool have_expected = dg && strncmp(dg, "sha256:", 7) == 0 && lower_hex64(dg + 7, expected);
        if (have_expected) r.expected = expected;
        snprintf(fname, sizeof(fname), "%s.zip", name);
        snprintf(final, sizeof(final), "%s/%s", store, fname);
        snprintf(tmp, sizeof(tmp), "%s/.%s.dl", store, fname);
        if (json_is_true(expired) || (r.expires_at && r.expires_at <= now)) {
            r.status = "expired";
            r.error = "expired before collection";
            sum->expired++;
        } else if (!have_expected) {
            r.status = "missing_hash";
            r.error = dg ? "digest is not \"sha256:<64 hex>\"" : "the build published no SHA-256 (no digest)";
            sum->failed++;
        } else if (!r.source_url) {
            r.status = "failed";
            r.error = "no archive_download_url";
            sum->failed++;
        } else {
            /* The client retries transport errors and 5xx itself; a failed
             * download after that is recorded, never half-kept. */
            uint64_t got = 0;
            if (!blvm_github_download(gh, r.source_url, tmp, ARTIFACT_MAX_BYTES, &got, ebuf, sizeof(ebuf))) {
                r.status = "failed";
                r.error = ebuf;
                sum->failed++;
            } else if (verify_and_keep(&r, tmp, final, hash, ebuf, sizeof(ebuf))) {
                sum->verified++;
            } else {
                sum->failed++;
            }
        }
        report(&r);
        db_ok &= store_row(db, &r);
    }
    json_decref(arr);
    return finish(db, db_ok, run_ref, "github", sum, err, errlen);
}

/* ---- prune ---- */

bool blvm_commons_artifacts_prune(blvm_db *db, int retention_days, int64_t now, size_t *pruned,
                                  char *err, size_t errlen) {
    *pruned = 0;
    if (!now) now = (int64_t)time(NULL);
    int64_t cutoff = now - (int64_t)retention_days * 86400;
    blvm_db_param p[1] = {blvm_db_int(cutoff)};
    blvm_db_result res;
    if (!blvm_db_query(db,
                       "SELECT id, local_path, name FROM artifacts WHERE local_path IS NOT NULL "
                       "AND pruned_at IS NULL AND collected_at < ? ORDER BY id",
                       p, 1, &res)) {
        snprintf(err, errlen, "database: %s", blvm_db_errmsg(db));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < res.nrows && ok; i++) {
        int64_t id;
        const char *path = blvm_db_result_get(&res, i, 1);
        if (!blvm_db_result_get_int(&res, i, 0, &id) || !path) continue;
        if (unlink(path) != 0 && errno != ENOENT) {
            fprintf(stderr, "blvm-commons: cannot delete %s: %s\n", path, strerror(errno));
            continue;
        }
        blvm_db_param u[2] = {blvm_db_int(now), blvm_db_int(id)};
        if (!blvm_db_exec(db, "UPDATE artifacts SET status = 'pruned', pruned_at = ?, local_path = NULL WHERE id = ?",
                          u, 2, NULL)) {
            snprintf(err, errlen, "database: %s", blvm_db_errmsg(db));
            ok = false;
            break;
        }
        printf("pruned %s (%s)\n", blvm_db_result_get(&res, i, 2), path);
        (*pruned)++;
    }
    blvm_db_result_clear(&res);
    return ok;
}

/* ---- CLI ---- */

static bool parse_i64(const char *s, int64_t min, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || !*s || v < min) return false;
    *out = v;
    return true;
}

int blvm_commons_artifacts_main(blvm_commons_ctx *ctx, int argc, char **argv) {
    char err[1024];
    const char *action = argc >= 2 ? argv[1] : "";
    if (strcmp(action, "collect") == 0) {
        const char *run = NULL, *from_dir = NULL, *gh_run = NULL, *repo = NULL, *now_s = NULL, *run_id_s = NULL;
        blvm_commons_opt opts[] = {{"run", &run, NULL},       {"from-dir", &from_dir, NULL},
                                   {"github-run", &gh_run, NULL}, {"repo", &repo, NULL},
                                   {"now", &now_s, NULL},     {"run-id", &run_id_s, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, BLVM_ARRAY_LEN(opts), pos, 0, &npos))
            return BLVM_COMMONS_EXIT_USAGE;
        if ((from_dir != NULL) == (gh_run != NULL)) {
            blvm_commons_errorf("usage: artifacts collect (--from-dir DIR | --github-run ID [--repo OWNER/NAME]) [--run REF] [--run-id N]");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        int64_t now = 0, gh_id = 0, run_id = 0;
        if (now_s && !parse_i64(now_s, 1, &now)) {
            blvm_commons_errorf("--now must be unix seconds");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        if (run_id_s && !parse_i64(run_id_s, 1, &run_id)) {
            blvm_commons_errorf("--run-id must be a positive number");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        if (gh_run && !parse_i64(gh_run, 1, &gh_id)) {
            blvm_commons_errorf("--github-run must be a workflow run id (a positive number), not '%s'", gh_run);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        char refbuf[128];
        if (!run) {
            if (gh_run) snprintf(refbuf, sizeof(refbuf), "github-%" PRId64, gh_id);
            else snprintf(refbuf, sizeof(refbuf), "local");
            run = refbuf;
        }
        char repobuf[300];
        if (gh_run && !repo) {
            if (!ctx->cfg->github_owner || !ctx->cfg->github_repo) {
                blvm_commons_errorf("--repo OWNER/NAME or github.owner and github.repo in the config are needed");
                return BLVM_COMMONS_EXIT_USAGE;
            }
            snprintf(repobuf, sizeof(repobuf), "%s/%s", ctx->cfg->github_owner, ctx->cfg->github_repo);
            repo = repobuf;
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        if (run_id) {
            int64_t x;
            bool found;
            blvm_db_param p[1] = {blvm_db_int(run_id)};
            if (!blvm_db_query_int(db, "SELECT id FROM runs WHERE id = ?", p, 1, &x, &found) || !found) {
                blvm_commons_errorf("--run-id %" PRId64 ": no such orchestration run", run_id);
                return BLVM_COMMONS_EXIT_USAGE;
            }
        }
        blvm_commons_collect_summary sum;
        bool ok;
        if (from_dir) {
            ok = blvm_commons_artifacts_collect_local(ctx->cfg, db, run, run_id, from_dir, now, &sum, err, sizeof(err));
        } else {
            blvm_github *gh = blvm_commons_github_from_config(ctx->cfg);
            if (!gh) {
                blvm_commons_errorf("cannot create the GitHub client (github.api_url)");
                return BLVM_COMMONS_EXIT_FAIL;
            }
            ok = blvm_commons_artifacts_collect_github(ctx->cfg, db, gh, repo, run, run_id, gh_id, now, &sum, err, sizeof(err));
            blvm_github_destroy(gh);
        }
        printf("run %s: %zu verified, %zu expired, %zu failed\n", run, sum.verified, sum.expired, sum.failed);
        if (!ok) {
            blvm_commons_errorf("artifacts collect: %s", err);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        return BLVM_COMMONS_EXIT_OK;
    }
    if (strcmp(action, "list") == 0) {
        const char *run = NULL;
        blvm_commons_opt opts[] = {{"run", &run, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 1, pos, 0, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        blvm_db_param p[1] = {blvm_db_text(run)};
        blvm_db_result res;
        bool ok = run ? blvm_db_query(db,
                                      "SELECT run_ref, name, status, size, sha256, expected_sha256, source, expires_at, local_path "
                                      "FROM artifacts WHERE run_ref = ? ORDER BY run_ref, name",
                                      p, 1, &res)
                      : blvm_db_query(db,
                                      "SELECT run_ref, name, status, size, sha256, expected_sha256, source, expires_at, local_path "
                                      "FROM artifacts ORDER BY run_ref, name",
                                      NULL, 0, &res);
        if (!ok) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        for (size_t i = 0; i < res.nrows; i++) {
            for (size_t c = 0; c < res.ncols; c++) {
                const char *v = blvm_db_result_get(&res, i, c);
                printf("%s%s", c ? "\t" : "", v ? v : "-");
            }
            printf("\n");
        }
        blvm_db_result_clear(&res);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (strcmp(action, "prune") == 0) {
        const char *days = NULL, *now_s = NULL;
        blvm_commons_opt opts[] = {{"older-than", &days, NULL}, {"now", &now_s, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 2, pos, 0, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        int64_t d = ctx->cfg->artifact_retention_days, now = 0;
        if (days && !parse_i64(days, 0, &d)) {
            blvm_commons_errorf("--older-than must be a number of days, not '%s'", days);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        if (now_s && !parse_i64(now_s, 1, &now)) {
            blvm_commons_errorf("--now must be unix seconds");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        size_t pruned;
        if (!blvm_commons_artifacts_prune(db, (int)d, now, &pruned, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("pruned %zu artifacts older than %" PRId64 " days\n", pruned, d);
        return BLVM_COMMONS_EXIT_OK;
    }
    blvm_commons_errorf("usage: artifacts collect ... | artifacts list [--run REF] | artifacts prune [--older-than DAYS]");
    return BLVM_COMMONS_EXIT_USAGE;
}
