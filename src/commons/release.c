#include "commons/release.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commons/artifacts.h"
#include "commons/audit.h"
#include "commons/github.h"
#include "commons/keys.h"
#include "commons/sums.h"
#include "util/hex.h"

#define NOTES_NAME "RELEASE_NOTES.md"

bool blvm_commons_release_is_prerelease(const char *v) {
    static const char *const marks[] = {"alpha", "beta", "rc"};
    for (size_t i = 0; i < BLVM_ARRAY_LEN(marks); i++) {
        size_t n = strlen(marks[i]);
        for (const char *p = v; *p; p++) {
            if (strncasecmp(p, marks[i], n) == 0) return true;
        }
    }
    return false;
}

bool blvm_commons_release_version_ok(const char *v) {
    if (!v || !*v || strlen(v) > 100 || !isalnum((unsigned char)v[0])) return false;
    for (const char *p = v; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_' && *p != '+') return false;
    }
    return strstr(v, "..") == NULL;
}

typedef struct {
    blvm_commons_ctx *ctx;
    blvm_db *db;
    const char *version;
    const char *run;        /* run ref, NULL = newest with verified artifacts */
    const char *notes_file; /* extra notes appended, may be NULL */
    size_t threshold;       /* signatures required, shown in the notes */
    char staging[4200];
    char run_ref[256];
} release_job;

static bool pick_run(release_job *j) {
    if (j->run) {
        snprintf(j->run_ref, sizeof(j->run_ref), "%s", j->run);
        return true;
    }
    blvm_db_result res;
    if (!blvm_db_query(j->db,
                       "SELECT run_ref FROM artifacts WHERE status = 'verified' "
                       "ORDER BY collected_at DESC, id DESC LIMIT 1",
                       NULL, 0, &res)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(j->db));
        return false;
    }
    const char *r = blvm_db_result_get(&res, 0, 0);
    if (!r) {
        blvm_commons_errorf("no verified artifacts collected yet (run 'artifacts collect' first)");
        blvm_db_result_clear(&res);
        return false;
    }
    snprintf(j->run_ref, sizeof(j->run_ref), "%s", r);
    blvm_db_result_clear(&res);
    return true;
}

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    if (!*buf) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        char *nb = realloc(*buf, *cap * 2 + (size_t)n);
        if (!nb) {
            free(*buf);
            *buf = NULL;
            return;
        }
        *buf = nb;
        *cap = *cap * 2 + (size_t)n;
    }
}

/* Release notes generated from the database: the artifacts of the run and,
 * when they belong to an orchestration run, its components' builds. */
static char *make_notes(release_job *j, const blvm_db_result *arts, int64_t run_id) {
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    if (!b) return NULL;
    b[0] = '\0';
    append(&b, &len, &cap, "# Release %s%s\n\n", j->version,
           blvm_commons_release_is_prerelease(j->version) ? " (pre-release)" : "");
    append(&b, &len, &cap, "Built by run `%s`.\n\n", j->run_ref);
    if (run_id) {
        blvm_db_param p[1] = {blvm_db_int(run_id)};
        blvm_db_result runs, builds;
        if (blvm_db_query(j->db, "SELECT trigger, ref, state FROM runs WHERE id = ?", p, 1, &runs)) {
            if (runs.nrows)
                append(&b, &len, &cap, "Orchestration run %" PRId64 " (%s, ref %s): %s.\n\n", run_id,
                       blvm_db_result_get(&runs, 0, 0) ? blvm_db_result_get(&runs, 0, 0) : "-",
                       blvm_db_result_get(&runs, 0, 1) ? blvm_db_result_get(&runs, 0, 1) : "-",
                       blvm_db_result_get(&runs, 0, 2) ? blvm_db_result_get(&runs, 0, 2) : "-");
            blvm_db_result_clear(&runs);
        }
        if (blvm_db_query(j->db, "SELECT component, state, attempt FROM builds WHERE run_id = ? ORDER BY id",
                          p, 1, &builds)) {
            if (builds.nrows) append(&b, &len, &cap, "## Components\n\n");
            for (size_t i = 0; i < builds.nrows; i++) {
                append(&b, &len, &cap, "- %s: %s (attempt %s)\n", blvm_db_result_get(&builds, i, 0),
                       blvm_db_result_get(&builds, i, 1),
                       blvm_db_result_get(&builds, i, 2) ? blvm_db_result_get(&builds, i, 2) : "-");
            }
            if (builds.nrows) append(&b, &len, &cap, "\n");
            blvm_db_result_clear(&builds);
        }
    } else if (j->ctx->cfg->ncomponents) {
        append(&b, &len, &cap, "## Components\n\n");
        for (size_t k = 0; k < j->ctx->cfg->ncomponents; k++) {
            const blvm_commons_component *c = &j->ctx->cfg->components[j->ctx->cfg->topo_order[k]];
            append(&b, &len, &cap, "- %s", c->name);
            for (size_t d = 0; d < c->ndepends; d++)
                append(&b, &len, &cap, "%s%s", d ? ", " : " (depends on ", c->depends_on[d]);
            append(&b, &len, &cap, "%s\n", c->ndepends ? ")" : "");
        }
        append(&b, &len, &cap, "\n");
    }
    append(&b, &len, &cap, "## Artifacts\n\n| file | size | SHA-256 |\n|---|---|---|\n");
    for (size_t i = 0; i < arts->nrows; i++) {
        const char *path = blvm_db_result_get(arts, i, 1);
        const char *base = strrchr(path, '/');
        append(&b, &len, &cap, "| %s | %s | `%s` |\n", base ? base + 1 : path,
               blvm_db_result_get(arts, i, 2) ? blvm_db_result_get(arts, i, 2) : "-",
               blvm_db_result_get(arts, i, 3));
    }
    append(&b, &len, &cap, "\nVerify with `sha256sum -c SHA256SUMS` and "
                           "`blvm-commons verify SHA256SUMS --keys KEYRING --threshold %zu`.\n",
           j->threshold);
    if (j->notes_file) {
        char err[512];
        size_t nl;
        char *extra = blvm_commons_read_file(j->notes_file, 1 << 20, &nl, err, sizeof(err));
        if (!extra) {
            blvm_commons_errorf("%s", err);
            free(b);
            return NULL;
        }
        append(&b, &len, &cap, "\n%s\n", extra);
        free(extra);
    }
    return b;
}

static bool prepare(release_job *j) {
    char err[1024];
    if (!pick_run(j)) return false;
    blvm_db_param p[1] = {blvm_db_text(j->run_ref)};
    blvm_db_result arts;
    if (!blvm_db_query(j->db,
                       "SELECT name, local_path, size, sha256, run_id FROM artifacts "
                       "WHERE run_ref = ? AND status = 'verified' AND local_path IS NOT NULL ORDER BY name",
                       p, 1, &arts)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(j->db));
        return false;
    }
    if (arts.nrows == 0) {
        blvm_commons_errorf("run '%s' has no verified artifacts to release", j->run_ref);
        blvm_db_result_clear(&arts);
        return false;
    }
    /* Refuse to release anything from a run that also had failures. */
    int64_t bad = 0;
    bool found;
    if (!blvm_db_query_int(j->db,
                           "SELECT COUNT(*) FROM artifacts WHERE run_ref = ? AND status IN ('mismatch','missing_hash','failed')",
                           p, 1, &bad, &found)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(j->db));
        blvm_db_result_clear(&arts);
        return false;
    }
    if (bad > 0) {
        blvm_commons_errorf("run '%s' has %" PRId64 " artifacts that failed verification; refusing to release it", j->run_ref, bad);
        blvm_db_result_clear(&arts);
        return false;
    }
    if (!blvm_commons_remove_tree(j->staging) || !blvm_commons_mkdirs(j->staging, 0755, err, sizeof(err))) {
        blvm_commons_errorf("cannot create staging directory %s", j->staging);
        blvm_db_result_clear(&arts);
        return false;
    }
    int64_t run_id = 0;
    bool ok = true;
    blvm_commons_sums sums = {0};
    for (size_t i = 0; i < arts.nrows && ok; i++) {
        const char *path = blvm_db_result_get(&arts, i, 1);
        const char *want = blvm_db_result_get(&arts, i, 3);
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (!run_id && !blvm_db_result_get_int(&arts, i, 4, &run_id)) run_id = 0;
        /* The release's own files must not be shadowed by an artifact, and
         * two artifacts must not land on one name. */
        bool clash = strcmp(base, "SHA256SUMS") == 0 || strcmp(base, "SHA256SUMS.sig") == 0 ||
                     strcmp(base, NOTES_NAME) == 0;
        for (size_t k = 0; k < sums.n; k++) clash |= strcmp(sums.entries[k].name, base) == 0;
        if (clash) {
            blvm_commons_errorf("artifact file name '%s' clashes with another release file", base);
            ok = false;
            break;
        }
        char dest[4400];
        snprintf(dest, sizeof(dest), "%s/%s", j->staging, base);
        uint8_t h[32];
        char hx[65];
        /* Re-hash the stored copy: it must still be what was verified. */
        if (!blvm_commons_copy_file(path, dest, err, sizeof(err)) ||
            !blvm_commons_file_sha256(dest, h, NULL, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            ok = false;
            break;
        }
        blvm_hex_encode(hx, h, 32);
        if (!want || strcmp(hx, want) != 0) {
            blvm_commons_errorf("stored artifact %s changed since it was verified (now %s)", path, hx);
            ok = false;
        } else if (!blvm_commons_sums_add(&sums, base, h)) {
            blvm_commons_errorf("out of memory");
            ok = false;
        }
    }
    char *notes = ok ? make_notes(j, &arts, run_id) : NULL;
    blvm_db_result_clear(&arts);
    if (ok && !notes) ok = false;
    if (ok) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", j->staging, NOTES_NAME);
        uint8_t h[32];
        ok = blvm_commons_write_file_atomic(path, notes, strlen(notes), 0644, err, sizeof(err)) &&
             blvm_commons_file_sha256(path, h, NULL, err, sizeof(err));
        if (ok) ok = blvm_commons_sums_add(&sums, NOTES_NAME, h);
        if (!ok) blvm_commons_errorf("%s", err);
    }
    free(notes);
    if (ok) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/SHA256SUMS", j->staging);
        blvm_commons_sums_sort(&sums);
        ok = blvm_commons_sums_write(&sums, path, err, sizeof(err));
        if (!ok) blvm_commons_errorf("%s", err);
        else printf("staged %zu files for %s in %s\nsign with: blvm-commons sign %s --key YOUR_KEY\n", sums.n,
                    j->version, j->staging, path);
    }
    blvm_commons_sums_clear(&sums);
    return ok;
}

/* Checks every staged file against the staged SHA256SUMS, and that nothing
 * else is staged. */
static bool check_staging(release_job *j, blvm_commons_sums *sums) {
    char err[1024], path[4400];
    snprintf(path, sizeof(path), "%s/SHA256SUMS", j->staging);
    if (!blvm_commons_sums_load(sums, path, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return false;
    }
    const char *skip[] = {"SHA256SUMS", "SHA256SUMS.sig", NULL};
    blvm_commons_sums now;
    if (!blvm_commons_sums_create(&now, j->staging, skip, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        blvm_commons_sums_clear(sums);
        return false;
    }
    blvm_commons_sums_sort(sums);
    bool ok = now.n == sums->n;
    for (size_t i = 0; ok && i < now.n; i++) {
        ok = strcmp(now.entries[i].name, sums->entries[i].name) == 0 &&
             memcmp(now.entries[i].hash, sums->entries[i].hash, 32) == 0;
        if (!ok) blvm_commons_errorf("staged file %s does not match SHA256SUMS", now.entries[i].name);
    }
    if (!ok && now.n != sums->n)
        blvm_commons_errorf("staging holds %zu files but SHA256SUMS lists %zu", now.n, sums->n);
    blvm_commons_sums_clear(&now);
    if (!ok) blvm_commons_sums_clear(sums);
    return ok;
}

static bool record(release_job *j, const char *target, const char *location, size_t nsigs,
                   const blvm_commons_sums *sums) {
    int64_t now = (int64_t)time(NULL);
    char notes_path[4400];
    snprintf(notes_path, sizeof(notes_path), "%s/%s", j->staging, NOTES_NAME);
    char err[256];
    size_t nl;
    char *notes = blvm_commons_read_file(notes_path, 1 << 20, &nl, err, sizeof(err));
    if (!blvm_db_begin(j->db)) goto fail;
    blvm_db_param p[8] = {blvm_db_text(j->version), blvm_db_text(target), blvm_db_text(location),
                          blvm_db_int(blvm_commons_release_is_prerelease(j->version)),
                          blvm_db_int((int64_t)nsigs), blvm_db_text(notes), blvm_db_int(now),
                          blvm_db_int(now)};
    int64_t rid;
    if (!blvm_db_insert(j->db,
                        "INSERT INTO releases (version, state, target, location, prerelease, signatures, notes, "
                        "created_at, published_at) VALUES (?, 'published', ?, ?, ?, ?, ?, ?, ?)",
                        p, 8, &rid))
        goto fail_tx;
    for (size_t i = 0; i < sums->n; i++) {
        char path[4400], hx[65];
        snprintf(path, sizeof(path), "%s/%s", j->staging, sums->entries[i].name);
        struct stat st;
        int64_t size = stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
        blvm_hex_encode(hx, sums->entries[i].hash, 32);
        blvm_db_param a[4] = {blvm_db_int(rid), blvm_db_text(sums->entries[i].name), blvm_db_int(size),
                              blvm_db_text(hx)};
        if (!blvm_db_exec(j->db, "INSERT INTO release_assets (release_id, name, size, sha256) VALUES (?, ?, ?, ?)",
                          a, 4, NULL))
            goto fail_tx;
    }
    char details[512];
    snprintf(details, sizeof(details), "{\"target\":\"%s\",\"run\":\"%s\",\"signatures\":%zu,\"assets\":%zu}",
             target, j->run_ref, nsigs, sums->n);
    if (!blvm_commons_audit_append(j->db, now, "release", "publish", j->version, details, NULL, NULL))
        goto fail_tx;
    if (!blvm_db_commit(j->db)) goto fail;
    free(notes);
    return true;
fail_tx:
    blvm_db_rollback(j->db);
fail:
    blvm_commons_errorf("database: %s", blvm_db_errmsg(j->db));
    free(notes);
    return false;
}

static bool publish_local(release_job *j, const char *dir, const blvm_commons_sums *sums, char *location,
                          size_t cap) {
    char err[1024], dest[4400];
    snprintf(dest, sizeof(dest), "%s/%s", dir, j->version);
    struct stat st;
    if (stat(dest, &st) == 0) {
        blvm_commons_errorf("%s already exists: a published release is never overwritten", dest);
        return false;
    }
    char tmp[4500];
    snprintf(tmp, sizeof(tmp), "%s/.%s.publishing", dir, j->version);
    if (!blvm_commons_remove_tree(tmp) || !blvm_commons_mkdirs(tmp, 0755, err, sizeof(err))) {
        blvm_commons_errorf("cannot create %s", tmp);
        return false;
    }
    const char *extra[] = {"SHA256SUMS", "SHA256SUMS.sig"};
    bool ok = true;
    for (size_t i = 0; ok && i < sums->n + 2; i++) {
        const char *name = i < sums->n ? sums->entries[i].name : extra[i - sums->n];
        char from[4400], to[4600];
        snprintf(from, sizeof(from), "%s/%s", j->staging, name);
        snprintf(to, sizeof(to), "%s/%s", tmp, name);
        ok = blvm_commons_copy_file(from, to, err, sizeof(err));
        if (!ok) blvm_commons_errorf("%s", err);
    }
    /* The directory appears whole or not at all. */
    if (ok && rename(tmp, dest) != 0) {
        blvm_commons_errorf("cannot publish %s: %s", dest, strerror(errno));
        ok = false;
    }
    if (!ok) {
        if (!blvm_commons_remove_tree(tmp)) blvm_commons_errorf("could not clean up %s", tmp);
        return false;
    }
    snprintf(location, cap, "%s", dest);
    printf("published %s to %s\n", j->version, dest);
    return true;
}

static bool publish_github(release_job *j, const blvm_commons_sums *sums, char *location, size_t cap) {
    const blvm_commons_config *cfg = j->ctx->cfg;
    if (!cfg->github_owner || !cfg->github_repo) {
        blvm_commons_errorf("github.owner and github.repo must be set to publish to GitHub");
        return false;
    }
    char repo[300], err[1024], notes_path[4400];
    snprintf(repo, sizeof(repo), "%s/%s", cfg->github_owner, cfg->github_repo);
    snprintf(notes_path, sizeof(notes_path), "%s/%s", j->staging, NOTES_NAME);
    size_t nl;
    char *notes = blvm_commons_read_file(notes_path, 1 << 20, &nl, err, sizeof(err));
    if (!notes) {
        blvm_commons_errorf("%s", err);
        return false;
    }
    blvm_github *gh = blvm_commons_github_from_config(cfg);
    if (!gh) {
        free(notes);
        blvm_commons_errorf("cannot create the GitHub client");
        return false;
    }
    int64_t rid = 0;
    char *upload = NULL;
    bool pre = blvm_commons_release_is_prerelease(j->version);
    bool ok = blvm_github_create_release(gh, repo, j->version, j->version, notes, pre, false, &rid, &upload,
                                         err, sizeof(err));
    free(notes);
    if (!ok) blvm_commons_errorf("GitHub release %s: %s", j->version, err);
    const char *extra[] = {"SHA256SUMS", "SHA256SUMS.sig"};
    for (size_t i = 0; ok && i < sums->n + 2; i++) {
        const char *name = i < sums->n ? sums->entries[i].name : extra[i - sums->n];
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", j->staging, name);
        const char *ctype = strstr(name, ".zip") ? "application/zip"
                            : (strcmp(name, "SHA256SUMS") == 0 || strstr(name, ".sig") || strstr(name, ".md"))
                                ? "text/plain"
                                : "application/octet-stream";
        ok = blvm_github_upload_release_asset(gh, repo, rid, upload, name, path, ctype, err, sizeof(err));
        if (!ok) blvm_commons_errorf("uploading %s: %s", name, err);
        else printf("uploaded %s\n", name);
    }
    free(upload);
    blvm_github_destroy(gh);
    if (ok) {
        snprintf(location, cap, "%s/repos/%s/releases/%" PRId64, cfg->github_api_url, repo, rid);
        printf("published %s%s as GitHub release %" PRId64 "\n", j->version, pre ? " (pre-release)" : "", rid);
    }
    return ok;
}

int blvm_commons_release_main(blvm_commons_ctx *ctx, int argc, char **argv) {
    const char *action = argc >= 2 ? argv[1] : "";
    bool is_prepare = strcmp(action, "prepare") == 0, is_create = strcmp(action, "create") == 0;
    if (strcmp(action, "list") == 0) {
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        blvm_db_result res;
        if (!blvm_db_query(db, "SELECT version, state, target, location, prerelease, signatures FROM releases ORDER BY id",
                           NULL, 0, &res)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        for (size_t i = 0; i < res.nrows; i++)
            printf("%s\t%s\t%s\t%s\tprerelease=%s\tsignatures=%s\n", blvm_db_result_get(&res, i, 0),
                   blvm_db_result_get(&res, i, 1), blvm_db_result_get(&res, i, 2),
                   blvm_db_result_get(&res, i, 3), blvm_db_result_get(&res, i, 4),
                   blvm_db_result_get(&res, i, 5));
        blvm_db_result_clear(&res);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (!is_prepare && !is_create) {
        blvm_commons_errorf("usage: release prepare|create VERSION [--run REF] [--notes FILE] [--keys KEYRING] "
                            "[--threshold N] [--target local|github] [--dir DIR] | release list");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    const char *run = NULL, *notes = NULL, *keys = NULL, *thr = NULL, *target = NULL, *dir = NULL;
    bool force = false;
    blvm_commons_opt opts[] = {{"run", &run, NULL},       {"notes", &notes, NULL},   {"keys", &keys, NULL},
                               {"threshold", &thr, NULL}, {"target", &target, NULL}, {"dir", &dir, NULL},
                               {"force", NULL, &force}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 2, opts, BLVM_ARRAY_LEN(opts), pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
    if (npos != 1) {
        blvm_commons_errorf("release %s: VERSION is required", action);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    if (!blvm_commons_release_version_ok(pos[0])) {
        blvm_commons_errorf("'%s' is not a usable version (letters, digits, '.', '-', '_', '+'; starts with a letter or digit)", pos[0]);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    if (!target) target = ctx->cfg->release_target;
    if (strcmp(target, "local") != 0 && strcmp(target, "github") != 0) {
        blvm_commons_errorf("--target must be local or github, not '%s'", target);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    size_t threshold = (size_t)ctx->cfg->release_threshold;
    if (thr) {
        char *end;
        long v = strtol(thr, &end, 10);
        if (*end || v < 1 || v > 1000) {
            blvm_commons_errorf("--threshold must be a whole number from 1 to 1000, not '%s'", thr);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        threshold = (size_t)v;
    }
    blvm_db *db = blvm_commons_ctx_db(ctx);
    if (!db) return BLVM_COMMONS_EXIT_FAIL;
    release_job j = {ctx, db, pos[0], run, notes, threshold, "", ""};
    snprintf(j.staging, sizeof(j.staging), "%s/staging/%s", ctx->cfg->release_dir, j.version);
    blvm_db_param vp[1] = {blvm_db_text(j.version)};
    int64_t existing;
    bool found;
    if (!blvm_db_query_int(db, "SELECT id FROM releases WHERE version = ?", vp, 1, &existing, &found)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
        return BLVM_COMMONS_EXIT_FAIL;
    }
    if (found) {
        blvm_commons_errorf("release %s was already published", j.version);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    char sumspath[4400];
    snprintf(sumspath, sizeof(sumspath), "%s/SHA256SUMS", j.staging);
    bool staged = access(sumspath, F_OK) == 0;
    if (is_prepare || !staged || force) {
        if (!prepare(&j)) return BLVM_COMMONS_EXIT_FAIL;
        if (is_prepare) return BLVM_COMMONS_EXIT_OK;
    } else if (!run) {
        snprintf(j.run_ref, sizeof(j.run_ref), "(staged)");
    } else {
        snprintf(j.run_ref, sizeof(j.run_ref), "%s", run);
    }
    if (staged && !force) {
        /* Recover the run ref from the staged notes for the record. */
        char np[4400], e2[128];
        snprintf(np, sizeof(np), "%s/%s", j.staging, NOTES_NAME);
        size_t nl;
        char *n = blvm_commons_read_file(np, 1 << 20, &nl, e2, sizeof(e2));
        const char *m = n ? strstr(n, "Built by run `") : NULL;
        if (m) {
            m += strlen("Built by run `");
            const char *e = strchr(m, '`');
            if (e && (size_t)(e - m) < sizeof(j.run_ref)) snprintf(j.run_ref, sizeof(j.run_ref), "%.*s", (int)(e - m), m);
        }
        free(n);
    }
    blvm_commons_sums sums;
    if (!check_staging(&j, &sums)) return BLVM_COMMONS_EXIT_FAIL;
    blvm_commons_keyring kr;
    if (!blvm_commons_load_keyring(ctx, keys, &kr)) {
        blvm_commons_sums_clear(&sums);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char sigpath[4500];
    snprintf(sigpath, sizeof(sigpath), "%s.sig", sumspath);
    int rc = blvm_commons_check_signatures(&kr, sumspath, sigpath, threshold, false);
    blvm_commons_keyring_clear(&kr);
    if (rc != BLVM_COMMONS_EXIT_OK) {
        blvm_commons_errorf("refusing to publish %s: SHA256SUMS needs %zu valid maintainer signatures "
                            "(blvm-commons sign %s --key KEY)", j.version, threshold, sumspath);
        blvm_commons_sums_clear(&sums);
        return rc;
    }
    blvm_commons_sigfile sf;
    char err[512];
    size_t nsigs = 0;
    if (blvm_commons_sigfile_load(&sf, sigpath, true, err, sizeof(err))) {
        nsigs = sf.n;
        blvm_commons_sigfile_clear(&sf);
    }
    char location[4600];
    bool ok;
    if (strcmp(target, "github") == 0) {
        ok = publish_github(&j, &sums, location, sizeof(location));
    } else {
        const char *d = dir ? dir : ctx->cfg->release_dir;
        ok = blvm_commons_mkdirs(d, 0755, err, sizeof(err));
        if (!ok) blvm_commons_errorf("%s", err);
        if (ok) ok = publish_local(&j, d, &sums, location, sizeof(location));
    }
    if (ok) ok = record(&j, target, location, nsigs, &sums);
    blvm_commons_sums_clear(&sums);
    return ok ? BLVM_COMMONS_EXIT_OK : BLVM_COMMONS_EXIT_FAIL;
}
