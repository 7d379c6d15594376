#include "commons/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commons/artifacts.h"
#include "commons/audit.h"
#include "commons/determinism.h"
#include "commons/keys.h"
#include "commons/migrations.h"
#include "commons/orchestrate.h"
#include "commons/release.h"
#include "commons/serve.h"
#include "commons/sums.h"
#include "util/hex.h"

void blvm_commons_errorf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("blvm-commons: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool blvm_commons_parse_args(int argc, char **argv, int first, const blvm_commons_opt *opts,
                             size_t nopts, const char **pos, size_t maxpos, size_t *npos) {
    *npos = 0;
    bool only_pos = false;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            const blvm_commons_opt *o = NULL;
            for (size_t k = 0; k < nopts; k++) {
                if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, name, nlen) == 0) o = &opts[k];
            }
            if (!o) {
                blvm_commons_errorf("%s: unknown option '%s'", argv[first - 1 >= 0 ? first - 1 : 0], a);
                return false;
            }
            if (o->flag) {
                if (eq) {
                    blvm_commons_errorf("option --%s takes no value", o->name);
                    return false;
                }
                *o->flag = true;
            } else if (eq) {
                *o->value = eq + 1;
            } else if (i + 1 < argc) {
                *o->value = argv[++i];
            } else {
                blvm_commons_errorf("option --%s needs a value", o->name);
                return false;
            }
            continue;
        }
        if (*npos >= maxpos) {
            blvm_commons_errorf("unexpected argument '%s'", a);
            return false;
        }
        pos[(*npos)++] = a;
    }
    return true;
}

blvm_db *blvm_commons_ctx_db(blvm_commons_ctx *ctx) {
    if (ctx->db) return ctx->db;
    char err[512];
    blvm_db *db;
    if (!blvm_db_open(&db, ctx->cfg->database_url, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return NULL;
    }
    if (!blvm_commons_migrate(db)) {
        blvm_commons_errorf("database %s: %s", blvm_db_engine_name(db), blvm_db_errmsg(db));
        blvm_db_close(db);
        return NULL;
    }
    ctx->db = db;
    return db;
}

/* ---- sha256sums ---- */

static int cmd_sums(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    char err[512];
    if (argc < 2) {
        blvm_commons_errorf("usage: sha256sums create DIR [--output FILE] | sha256sums verify [--dir DIR] SHA256SUMS");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "create") == 0) {
        const char *output = NULL;
        blvm_commons_opt opts[] = {{"output", &output, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 1, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        if (npos != 1) {
            blvm_commons_errorf("usage: sha256sums create DIR [--output FILE]");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        char def[4096];
        if (!output) {
            snprintf(def, sizeof(def), "%s/SHA256SUMS", pos[0]);
            output = def;
        }
        /* The sums file and its signatures never list themselves. */
        const char *skip[] = {"SHA256SUMS", "SHA256SUMS.sig", "SHA256SUMS.asc", NULL};
        blvm_commons_sums sums;
        if (!blvm_commons_sums_create(&sums, pos[0], skip, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        bool ok = blvm_commons_sums_write(&sums, output, err, sizeof(err));
        if (ok) printf("wrote %s (%zu files)\n", output, sums.n);
        else blvm_commons_errorf("%s", err);
        blvm_commons_sums_clear(&sums);
        return ok ? BLVM_COMMONS_EXIT_OK : BLVM_COMMONS_EXIT_FAIL;
    }
    if (strcmp(argv[1], "verify") == 0) {
        const char *dir = NULL;
        blvm_commons_opt opts[] = {{"dir", &dir, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 1, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        if (npos != 1) {
            blvm_commons_errorf("usage: sha256sums verify [--dir DIR] SHA256SUMS");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        char defdir[4096];
        if (!dir) {
            /* Like sha256sum -c run next to the file: names are relative to it. */
            snprintf(defdir, sizeof(defdir), "%s", pos[0]);
            char *slash = strrchr(defdir, '/');
            if (slash) *slash = '\0';
            else snprintf(defdir, sizeof(defdir), ".");
            if (!defdir[0]) snprintf(defdir, sizeof(defdir), "/");
            dir = defdir;
        }
        blvm_commons_sums sums;
        if (!blvm_commons_sums_load(&sums, pos[0], err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        size_t bad = 0, missing = 0;
        for (size_t i = 0; i < sums.n; i++) {
            char path[8192];
            snprintf(path, sizeof(path), "%s/%s", dir, sums.entries[i].name);
            uint8_t h[32];
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                printf("%s: MISSING\n", sums.entries[i].name);
                missing++;
            } else if (!blvm_commons_file_sha256(path, h, NULL, err, sizeof(err))) {
                printf("%s: FAILED to read (%s)\n", sums.entries[i].name, err);
                missing++;
            } else if (memcmp(h, sums.entries[i].hash, 32) != 0) {
                char want[65], got[65];
                blvm_hex_encode(want, sums.entries[i].hash, 32);
                blvm_hex_encode(got, h, 32);
                printf("%s: FAILED (expected %s, got %s)\n", sums.entries[i].name, want, got);
                bad++;
            } else {
                printf("%s: OK\n", sums.entries[i].name);
            }
        }
        size_t n = sums.n;
        blvm_commons_sums_clear(&sums);
        if (bad || missing) {
            blvm_commons_errorf("%zu of %zu files failed: %zu mismatched, %zu missing", bad + missing, n, bad, missing);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("all %zu files OK\n", n);
        return BLVM_COMMONS_EXIT_OK;
    }
    blvm_commons_errorf("sha256sums: unknown action '%s' (create or verify)", argv[1]);
    return BLVM_COMMONS_EXIT_USAGE;
}

/* ---- keys, sign, verify ---- */

static int cmd_key(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    char err[512];
    if (argc >= 2 && strcmp(argv[1], "generate") == 0) {
        const char *out = NULL, *name = NULL;
        blvm_commons_opt opts[] = {{"out", &out, NULL}, {"name", &name, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 2, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        if (!out && npos == 1) out = pos[0];
        if (!out) {
            blvm_commons_errorf("usage: key generate --out SECRET_FILE [--name NAME] (writes SECRET_FILE and SECRET_FILE.pub)");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        char pub[4200];
        snprintf(pub, sizeof(pub), "%s.pub", out);
        blvm_commons_key key;
        if (!blvm_commons_key_generate(&key, err, sizeof(err)) ||
            !blvm_commons_key_write(&key, out, pub, name, err, sizeof(err))) {
            blvm_commons_key_clear(&key);
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("key id %s\nsecret key %s (mode 0600)\npublic key %s\n", key.key_id, out, pub);
        blvm_commons_key_clear(&key);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "show") == 0) {
        const char *keyfile = NULL;
        blvm_commons_opt opts[] = {{"key", &keyfile, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 1, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        if (!keyfile && npos == 1) keyfile = pos[0];
        if (!keyfile) {
            blvm_commons_errorf("usage: key show SECRET_FILE");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        blvm_commons_key key;
        if (!blvm_commons_key_load(&key, keyfile, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        printf("key id %s\n", key.key_id);
        printf("public key line: %s <name>\n", key.key_id);
        blvm_commons_key_clear(&key);
        return BLVM_COMMONS_EXIT_OK;
    }
    blvm_commons_errorf("usage: key generate --out FILE [--name NAME] | key show FILE");
    return BLVM_COMMONS_EXIT_USAGE;
}

static int cmd_sign(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    char err[512];
    const char *keyfile = NULL, *sigpath = NULL;
    blvm_commons_opt opts[] = {{"key", &keyfile, NULL}, {"sig", &sigpath, NULL}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 1, opts, 2, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
    if (npos != 1 || !keyfile) {
        blvm_commons_errorf("usage: sign FILE --key SECRET_FILE [--sig SIGFILE (default FILE.sig)]");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char def[4200];
    if (!sigpath) {
        snprintf(def, sizeof(def), "%s.sig", pos[0]);
        sigpath = def;
    }
    blvm_commons_key key;
    if (!blvm_commons_key_load(&key, keyfile, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    uint8_t h[32], sig[64];
    blvm_commons_sigfile sf;
    int rc = BLVM_COMMONS_EXIT_FAIL;
    if (!blvm_commons_file_sha256(pos[0], h, NULL, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
    } else if (!blvm_commons_sigfile_load(&sf, sigpath, true, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        rc = BLVM_COMMONS_EXIT_USAGE;
    } else {
        if (!blvm_commons_sign32(&key, h, sig)) {
            blvm_commons_errorf("signing failed");
        } else if (!blvm_commons_sigfile_put(&sf, key.key_id, sig) ||
                   !blvm_commons_sigfile_write(&sf, sigpath, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
        } else {
            printf("signed %s with key %s into %s\n", pos[0], key.key_id, sigpath);
            rc = BLVM_COMMONS_EXIT_OK;
        }
        blvm_commons_sigfile_clear(&sf);
    }
    blvm_commons_key_clear(&key);
    return rc;
}

bool blvm_commons_load_keyring(blvm_commons_ctx *ctx, const char *path, blvm_commons_keyring *kr) {
    char err[512];
    if (!path) path = ctx->cfg->keyring_path;
    if (path) {
        if (!blvm_commons_keyring_load(kr, path, err, sizeof(err))) {
            blvm_commons_errorf("%s", err);
            return false;
        }
        return true;
    }
    if (ctx->cfg->nmaintainers == 0) {
        blvm_commons_errorf("no keyring: pass --keys KEYRING or list maintainers in the config");
        return false;
    }
    if (!blvm_commons_keyring_from_config(kr, ctx->cfg)) {
        blvm_commons_errorf("out of memory");
        return false;
    }
    return true;
}

int blvm_commons_check_signatures(const blvm_commons_keyring *kr, const char *file,
                                  const char *sigpath, size_t threshold, bool quiet) {
    char err[512];
    uint8_t h[32];
    if (!blvm_commons_file_sha256(file, h, NULL, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    blvm_commons_sigfile sf;
    if (!blvm_commons_sigfile_load(&sf, sigpath, true, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    blvm_commons_threshold_report rep;
    bool pass = blvm_commons_verify_threshold(kr, &sf, h, threshold, &rep);
    for (size_t i = 0; i < kr->n && !quiet; i++) {
        const char *what = rep.state[i] == BLVM_SIG_VALID ? "VALID  "
                           : rep.state[i] == BLVM_SIG_BAD ? "BAD    "
                                                          : "MISSING";
        printf("%s %s %s%s\n", what, kr->keys[i].key_id, kr->keys[i].name,
               rep.state[i] == BLVM_SIG_BAD ? " (signature does not verify for this file)" : "");
    }
    for (size_t i = 0; i < rep.unknown && !quiet; i++)
        printf("UNKNOWN %s (not in the keyring, ignored)\n", rep.unknown_ids[i]);
    if (pass) {
        printf("%zu of %zu keys signed %s validly, threshold %zu: OK\n", rep.valid, kr->n, file, threshold);
    } else {
        blvm_commons_errorf("%s: %zu valid signatures from distinct keyring keys, %zu needed", file,
                            rep.valid, threshold);
    }
    blvm_commons_threshold_report_clear(&rep);
    blvm_commons_sigfile_clear(&sf);
    return pass ? BLVM_COMMONS_EXIT_OK : BLVM_COMMONS_EXIT_FAIL;
}

static bool parse_count(const char *s, const char *what, size_t *out) {
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || v < 1 || v > 1000) {
        blvm_commons_errorf("%s must be a whole number from 1 to 1000, not '%s'", what, s ? s : "");
        return false;
    }
    *out = (size_t)v;
    return true;
}

static int cmd_verify(blvm_commons_ctx *ctx, int argc, char **argv) {
    const char *keys = NULL, *sigpath = NULL, *thr = NULL;
    blvm_commons_opt opts[] = {{"keys", &keys, NULL}, {"sig", &sigpath, NULL}, {"threshold", &thr, NULL}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 1, opts, 3, pos, 1, &npos)) return BLVM_COMMONS_EXIT_USAGE;
    if (npos != 1) {
        blvm_commons_errorf("usage: verify FILE [--keys KEYRING] [--threshold N] [--sig SIGFILE]");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    size_t threshold = (size_t)ctx->cfg->release_threshold;
    if (thr && !parse_count(thr, "--threshold", &threshold)) return BLVM_COMMONS_EXIT_USAGE;
    blvm_commons_keyring kr;
    if (!blvm_commons_load_keyring(ctx, keys, &kr)) return BLVM_COMMONS_EXIT_USAGE;
    if (threshold > kr.n) {
        blvm_commons_errorf("--threshold %zu is more than the %zu keys in the keyring", threshold, kr.n);
        blvm_commons_keyring_clear(&kr);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char def[4200];
    if (!sigpath) {
        snprintf(def, sizeof(def), "%s.sig", pos[0]);
        sigpath = def;
    }
    int rc = blvm_commons_check_signatures(&kr, pos[0], sigpath, threshold, false);
    blvm_commons_keyring_clear(&kr);
    return rc;
}

static int cmd_governance_sign(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    const char *repo = NULL, *pr = NULL, *sha = NULL, *keyfile = NULL;
    blvm_commons_opt opts[] = {{"repo", &repo, NULL}, {"pr", &pr, NULL}, {"sha", &sha, NULL}, {"key", &keyfile, NULL}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 1, opts, 4, pos, 0, &npos)) return BLVM_COMMONS_EXIT_USAGE;
    if (!repo || !pr || !sha || !keyfile) {
        blvm_commons_errorf("usage: governance-sign --repo OWNER/NAME --pr NUMBER --sha HEAD_SHA --key SECRET_FILE");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char *end;
    errno = 0;
    long long number = strtoll(pr, &end, 10);
    if (errno || *end || number < 1) {
        blvm_commons_errorf("--pr must be a positive number, not '%s'", pr);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    size_t l = strlen(sha);
    bool hex = l == 40 || l == 64;
    for (size_t i = 0; i < l; i++) hex &= strchr("0123456789abcdefABCDEF", sha[i]) != NULL;
    if (!hex) {
        blvm_commons_errorf("--sha must be a 40 (or 64) hex digit commit id, not '%s'", sha);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char err[512];
    blvm_commons_key key;
    if (!blvm_commons_key_load(&key, keyfile, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    uint8_t msg[32], sig[64];
    blvm_commons_governance_message(msg, repo, number, sha);
    bool ok = blvm_commons_sign32(&key, msg, sig);
    if (ok) {
        char hexsig[129];
        blvm_hex_encode(hexsig, sig, 64);
        printf("/governance-sign %s %s\n", key.key_id, hexsig);
    } else {
        blvm_commons_errorf("signing failed");
    }
    blvm_commons_key_clear(&key);
    return ok ? BLVM_COMMONS_EXIT_OK : BLVM_COMMONS_EXIT_FAIL;
}

/* ---- audit ---- */

static int cmd_audit(blvm_commons_ctx *ctx, int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        const char *head = NULL;
        blvm_commons_opt opts[] = {{"head", &head, NULL}};
        const char *pos[1];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 1, pos, 0, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        int64_t eseq = 0;
        char ehash[65] = "";
        if (head) {
            const char *colon = strchr(head, ':');
            char *end;
            eseq = colon ? strtoll(head, &end, 10) : 0;
            if (!colon || end != colon || eseq < 1 || strlen(colon + 1) != 64) {
                blvm_commons_errorf("--head must be SEQ:HASH as printed by an earlier 'audit verify', not '%s'", head);
                return BLVM_COMMONS_EXIT_USAGE;
            }
            memcpy(ehash, colon + 1, 65);
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        blvm_commons_audit_report rep;
        if (!blvm_commons_audit_verify(db, eseq, head ? ehash : NULL, &rep)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        if (rep.problem[0]) {
            blvm_commons_errorf("audit log BROKEN at entry %" PRId64 ": %s", rep.bad_seq, rep.problem);
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("audit log OK: %" PRId64 " entries, head %" PRId64 ":%s\n", rep.entries, rep.head_seq, rep.head_hash);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "append") == 0) {
        const char *actor = "cli", *details = "";
        blvm_commons_opt opts[] = {{"actor", &actor, NULL}, {"details", &details, NULL}};
        const char *pos[2];
        size_t npos;
        if (!blvm_commons_parse_args(argc, argv, 2, opts, 2, pos, 2, &npos)) return BLVM_COMMONS_EXIT_USAGE;
        if (npos != 2) {
            blvm_commons_errorf("usage: audit append ACTION SUBJECT [--actor NAME] [--details TEXT]");
            return BLVM_COMMONS_EXIT_USAGE;
        }
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        int64_t seq;
        char hash[65];
        if (!blvm_commons_audit_append(db, 0, actor, pos[0], pos[1], details, &seq, hash)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("%" PRId64 ":%s\n", seq, hash);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        blvm_db *db = blvm_commons_ctx_db(ctx);
        if (!db) return BLVM_COMMONS_EXIT_FAIL;
        blvm_db_result res;
        if (!blvm_db_query(db, "SELECT seq, at, actor, action, subject, details, hash FROM audit_log ORDER BY seq",
                           NULL, 0, &res)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        for (size_t i = 0; i < res.nrows; i++) {
            printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", blvm_db_result_get(&res, i, 0), blvm_db_result_get(&res, i, 1),
                   blvm_db_result_get(&res, i, 2), blvm_db_result_get(&res, i, 3),
                   blvm_db_result_get(&res, i, 4), blvm_db_result_get(&res, i, 5),
                   blvm_db_result_get(&res, i, 6));
        }
        blvm_db_result_clear(&res);
        return BLVM_COMMONS_EXIT_OK;
    }
    blvm_commons_errorf("usage: audit verify [--head SEQ:HASH] | audit append ACTION SUBJECT | audit list");
    return BLVM_COMMONS_EXIT_USAGE;
}

/* ---- db ---- */

static const char *const all_tables[] = {
    "runs", "builds", "build_transitions", "artifacts", "releases", "release_assets",
    "pull_requests", "pr_paths", "signatures", "reviews", "webhook_deliveries",
    "webhook_rejections", "decisions", "statuses", "audit_log", "maintainers", "jobs"};

static int cmd_db(blvm_commons_ctx *ctx, int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "migrate") != 0 && strcmp(argv[1], "status") != 0 &&
                     strcmp(argv[1], "dump") != 0)) {
        blvm_commons_errorf("usage: db migrate | db status | db dump TABLE [--order COLUMNS] [--columns COLUMNS]");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    blvm_db *db = blvm_commons_ctx_db(ctx);
    if (!db) return BLVM_COMMONS_EXIT_FAIL;
    if (strcmp(argv[1], "migrate") == 0) {
        printf("%s database at schema version %d\n", blvm_db_engine_name(db), BLVM_COMMONS_SCHEMA_VERSION);
        return BLVM_COMMONS_EXIT_OK;
    }
    if (strcmp(argv[1], "status") == 0) {
        int v = 0;
        if (!blvm_commons_schema_version(db, &v)) {
            blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
            return BLVM_COMMONS_EXIT_FAIL;
        }
        printf("engine %s\nschema_version %d\n", blvm_db_engine_name(db), v);
        for (size_t i = 0; i < BLVM_ARRAY_LEN(all_tables); i++) {
            char sql[128];
            snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", all_tables[i]);
            int64_t n = 0;
            bool found;
            if (!blvm_db_query_int(db, sql, NULL, 0, &n, &found)) {
                blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
                return BLVM_COMMONS_EXIT_FAIL;
            }
            printf("%s %" PRId64 "\n", all_tables[i], n);
        }
        return BLVM_COMMONS_EXIT_OK;
    }
    /* dump: tab-separated rows of one table, for comparing engines. */
    const char *order = "id", *columns = "*";
    blvm_commons_opt opts[] = {{"order", &order, NULL}, {"columns", &columns, NULL}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 2, opts, 2, pos, 1, &npos) || npos != 1) return BLVM_COMMONS_EXIT_USAGE;
    bool known = false;
    for (size_t i = 0; i < BLVM_ARRAY_LEN(all_tables); i++) known |= strcmp(all_tables[i], pos[0]) == 0;
    known |= strcmp(pos[0], "schema_version") == 0;
    for (const char *p = order; *p; p++) known &= (*p == '_' || *p == ',' || *p == ' ' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
    for (const char *p = columns; *p; p++) known &= (*p == '_' || *p == ',' || *p == ' ' || *p == '*' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
    if (!known) {
        blvm_commons_errorf("db dump: unknown table '%s' or bad column list", pos[0]);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s", columns, pos[0], order);
    blvm_db_result res;
    if (!blvm_db_query(db, sql, NULL, 0, &res)) {
        blvm_commons_errorf("database: %s", blvm_db_errmsg(db));
        return BLVM_COMMONS_EXIT_FAIL;
    }
    for (size_t c = 0; c < res.ncols; c++) printf("%s%s", c ? "\t" : "", res.cols[c]);
    printf("\n");
    for (size_t r = 0; r < res.nrows; r++) {
        for (size_t c = 0; c < res.ncols; c++) {
            const char *v = blvm_db_result_get(&res, r, c);
            printf("%s%s", c ? "\t" : "", v ? v : "NULL");
        }
        printf("\n");
    }
    blvm_db_result_clear(&res);
    return BLVM_COMMONS_EXIT_OK;
}

/* ---- dispatch ---- */

typedef struct {
    const char *name;
    blvm_commons_cmd_fn fn;
    const char *help;
} command;

static int cmd_help(blvm_commons_ctx *ctx, int argc, char **argv);

static const command commands[] = {
    {"sha256sums", cmd_sums, "create DIR [--output F] | verify [--dir DIR] SHA256SUMS"},
    {"key", cmd_key, "generate --out FILE [--name NAME] | show FILE"},
    {"sign", cmd_sign, "FILE --key SECRET_FILE [--sig SIGFILE]"},
    {"verify", cmd_verify, "FILE [--keys KEYRING] [--threshold N] [--sig SIGFILE]"},
    {"governance-sign", cmd_governance_sign, "--repo OWNER/NAME --pr N --sha SHA --key FILE"},
    {"audit", cmd_audit, "verify [--head SEQ:HASH] | append ACTION SUBJECT | list"},
    {"artifacts", blvm_commons_artifacts_main, "collect --run REF (--from-dir DIR | --github-run ID) | list | prune"},
    {"deterministic-check", blvm_commons_determinism_main, "--cmd \"...\" --out DIR"},
    {"release", blvm_commons_release_main, "prepare|create VERSION [--run REF] [--notes FILE]"},
    {"db", cmd_db, "migrate | status | dump TABLE"},
    {"orchestrate", blvm_commons_orchestrate_main, "run [--ref REF] [--version V] | resume RUN | status RUN [--json] | collect RUN | list"},
    {"serve", blvm_commons_serve_main, "[--listen ADDR] [--port N]   (governance webhook service)"},
    {"help", cmd_help, ""},
};

static void usage(FILE *f) {
    fprintf(f, "usage: blvm-commons [--config FILE] [--data-dir DIR] [--db URL] COMMAND ...\n\ncommands:\n");
    for (size_t i = 0; i < BLVM_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-20s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nenvironment: BLVM_COMMONS_CONFIG, BLVM_COMMONS_DATABASE_URL, BLVM_COMMONS_DATA_DIR,\n"
               "             BLVM_COMMONS_GITHUB_TOKEN, BLVM_COMMONS_WEBHOOK_SECRET\n");
}

static int cmd_help(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    (void)argc;
    (void)argv;
    usage(stdout);
    return BLVM_COMMONS_EXIT_OK;
}

int blvm_commons_cli_main(int argc, char **argv) {
    const char *config = getenv("BLVM_COMMONS_CONFIG");
    const char *data_dir = NULL, *db_url = NULL;
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        const char **target = NULL;
        const char *inl = NULL;
        if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '=')) {
            target = &config;
            inl = a[8] == '=' ? a + 9 : NULL;
        } else if (strncmp(a, "--data-dir", 10) == 0 && (a[10] == '\0' || a[10] == '=')) {
            target = &data_dir;
            inl = a[10] == '=' ? a + 11 : NULL;
        } else if (strncmp(a, "--db", 4) == 0 && (a[4] == '\0' || a[4] == '=')) {
            target = &db_url;
            inl = a[4] == '=' ? a + 5 : NULL;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return BLVM_COMMONS_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("blvm-commons %s\n", BLVM_VERSION);
            return BLVM_COMMONS_EXIT_OK;
        } else {
            blvm_commons_errorf("unknown option '%s'", a);
            usage(stderr);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        if (inl) {
            *target = inl;
        } else if (i + 1 < argc) {
            *target = argv[++i];
        } else {
            blvm_commons_errorf("option %s needs a value", a);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    const command *cmd = NULL;
    for (size_t k = 0; k < BLVM_ARRAY_LEN(commands); k++) {
        if (strcmp(commands[k].name, argv[i]) == 0) cmd = &commands[k];
    }
    if (!cmd) {
        blvm_commons_errorf("unknown command '%s' (try 'blvm-commons help')", argv[i]);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    char err[1024];
    blvm_commons_ctx ctx = {0};
    ctx.config_path = (config && *config) ? config : NULL;
    ctx.cfg = blvm_commons_config_load(ctx.config_path, err, sizeof(err));
    if (!ctx.cfg) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_USAGE;
    }
    /* Command line beats environment beats file. */
    if (data_dir && !blvm_commons_config_set_data_dir(ctx.cfg, data_dir)) {
        blvm_commons_errorf("out of memory");
        blvm_commons_config_destroy(ctx.cfg);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    if (db_url) {
        char *n = strdup(db_url);
        if (n) {
            free(ctx.cfg->database_url);
            ctx.cfg->database_url = n;
        }
    }
    int rc = cmd->fn(&ctx, argc - i, argv + i);
    blvm_db_close(ctx.db);
    blvm_commons_config_destroy(ctx.cfg);
    fflush(stdout);
    return rc;
}
