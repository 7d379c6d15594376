#include "commons/governance.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "commons/audit.h"
#include "commons/keys.h"
#include "util/err.h"
#include "util/hex.h"

static int64_t ctx_now(const blvm_governance_ctx *ctx) {
    return ctx->now ? ctx->now : (int64_t)time(NULL);
}

static const char *ctx_actor(const blvm_governance_ctx *ctx) {
    return ctx->actor ? ctx->actor : "governance";
}

const char *blvm_governance_state_str(blvm_governance_state s) {
    switch (s) {
    case BLVM_GOV_SUCCESS:
        return "success";
    case BLVM_GOV_PENDING:
        return "pending";
    case BLVM_GOV_FAILURE:
        return "failure";
    }
    return "failure";
}

static void format_day(char out[16], int64_t t) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

void blvm_governance_decide(int valid, int required, int total, int64_t review_ends_at, int64_t now,
                            blvm_governance_decision *out) {
    memset(out, 0, sizeof(*out));
    out->valid = valid;
    out->required = required;
    out->total = total;
    out->review_ends_at = review_ends_at;
    char day[16];
    format_day(day, review_ends_at);
    bool review_over = now >= review_ends_at;
    snprintf(out->reason, sizeof(out->reason), "%d/%d signatures, review period %s %s", valid,
             total, review_over ? "ended" : "ends", day);
    if (valid < required) {
        /* Fewer than N: blocks, whatever the review period says. */
        out->state = BLVM_GOV_FAILURE;
        size_t n = strlen(out->reason);
        snprintf(out->reason + n, sizeof(out->reason) - n, " (%d required)", required);
    } else if (!review_over) {
        out->state = BLVM_GOV_PENDING;
    } else {
        out->state = BLVM_GOV_SUCCESS;
    }
}

void blvm_governance_status(const blvm_governance_decision *d, blvm_commons_mode mode,
                            const char **state, char *desc, size_t cap) {
    if (mode == BLVM_COMMONS_ENFORCING) {
        *state = blvm_governance_state_str(d->state);
        snprintf(desc, cap, "%s", d->reason);
    } else {
        /* Dry run: record what would happen, never block a merge. */
        *state = "success";
        snprintf(desc, cap, "[dry-run] %s: %s", blvm_governance_state_str(d->state), d->reason);
    }
}

static bool is_hex_n(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

int blvm_governance_parse_sign(const char *body, char key_id[65], uint8_t sig[64], char *err,
                               size_t errlen) {
    key_id[0] = 0;
    memset(sig, 0, 64);
    static const char cmd[] = "/governance-sign";
    const char *p = body;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (strncmp(p, cmd, sizeof(cmd) - 1) != 0) return 0;
    p += sizeof(cmd) - 1;
    if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return 0;
    /* The command is the first line; anything after it is ignored. */
    char tok[3][160];
    int ntok = 0;
    while (*p && *p != '\n') {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p || *p == '\n') break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            p++;
        size_t n = (size_t)(p - s);
        if (ntok == 3 || n >= sizeof(tok[0])) {
            blvm_err_set(err, errlen, "/governance-sign takes [KEY_ID] SIGNATURE");
            return -1;
        }
        memcpy(tok[ntok], s, n);
        tok[ntok][n] = 0;
        ntok++;
    }
    if (ntok == 0 || ntok > 2) {
        blvm_err_set(err, errlen, "/governance-sign takes [KEY_ID] SIGNATURE");
        return -1;
    }
    const char *sighex = tok[ntok - 1];
    if (ntok == 2) {
        if (strlen(tok[0]) != 64 || !is_hex_n(tok[0], 64)) {
            blvm_err_set(err, errlen, "key id must be 64 hex digits");
            return -1;
        }
        for (int i = 0; i < 64; i++)
            key_id[i] = (char)tolower((unsigned char)tok[0][i]);
        key_id[64] = 0;
    }
    size_t len = 0;
    if (strlen(sighex) != 128 || !is_hex_n(sighex, 128) ||
        !blvm_hex_decode(sig, 64, &len, sighex) || len != 64) {
        blvm_err_set(err, errlen, "signature must be 128 hex digits (64-byte BIP340 signature)");
        key_id[0] = 0;
        return -1;
    }
    return 1;
}

/* ---- payload helpers ---------------------------------------------------- */

static const char *jstr(json_t *o, const char *k) {
    return json_string_value(json_object_get(o, k));
}

/* ISO 8601 "2026-11-20T10:00:00Z" -> unix seconds; 0 when absent/bad. */
static int64_t parse_iso(const char *s) {
    if (!s) return 0;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!e) return 0;
    return (int64_t)timegm(&tm);
}

static bool valid_sha(const char *s) {
    return s && strlen(s) == 40 && is_hex_n(s, 40);
}

static void lower(char *s) {
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* ---- database helpers --------------------------------------------------- */

static bool pr_lookup(blvm_db *db, const char *repo, int64_t number, int64_t *id, char *head,
                      char *state, char *title, size_t title_cap, int64_t *opened_at, bool *found) {
    blvm_db_param p[2] = {blvm_db_text(repo), blvm_db_int(number)};
    blvm_db_result r;
    *found = false;
    if (!blvm_db_query(db,
                       "SELECT id, head_sha, state, title, opened_at FROM pull_requests "
                       "WHERE repo = ? AND number = ?",
                       p, 2, &r))
        return false;
    if (r.nrows == 1) {
        *found = true;
        if (!blvm_db_result_get_int(&r, 0, 0, id)) *id = 0;
        snprintf(head, 65, "%s", blvm_db_result_get(&r, 0, 1) ? blvm_db_result_get(&r, 0, 1) : "");
        snprintf(state, 16, "%s", blvm_db_result_get(&r, 0, 2) ? blvm_db_result_get(&r, 0, 2) : "");
        if (title)
            snprintf(title, title_cap, "%s",
                     blvm_db_result_get(&r, 0, 3) ? blvm_db_result_get(&r, 0, 3) : "");
        if (opened_at && !blvm_db_result_get_int(&r, 0, 4, opened_at)) *opened_at = 0;
    }
    blvm_db_result_clear(&r);
    return true;
}

static bool audit(blvm_governance_ctx *ctx, const char *action, const char *subject,
                  json_t *details) {
    char *d = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    bool ok = blvm_commons_audit_append(ctx->db, ctx_now(ctx), ctx_actor(ctx), action, subject,
                                        d ? d : "", NULL, NULL);
    free(d);
    return ok;
}

static void subject_of(char *out, size_t cap, const char *repo, int64_t number, const char *sha) {
    snprintf(out, cap, "%s#%lld@%.12s", repo, (long long)number, sha ? sha : "");
}

/* ---- pull_request ------------------------------------------------------- */

int blvm_governance_on_pull_request(blvm_governance_ctx *ctx, json_t *payload, char *err,
                                    size_t errlen) {
    const char *action = jstr(payload, "action");
    json_t *pr = json_object_get(payload, "pull_request");
    const char *repo = jstr(json_object_get(payload, "repository"), "full_name");
    if (!action || !json_is_object(pr) || !repo) {
        blvm_err_set(err, errlen,
                     "pull_request payload needs action, pull_request and "
                     "repository.full_name");
        return -1;
    }
    json_t *num = json_object_get(pr, "number");
    if (!json_is_integer(num)) num = json_object_get(payload, "number");
    const char *head = jstr(json_object_get(pr, "head"), "sha");
    if (!json_is_integer(num) || json_integer_value(num) <= 0) {
        blvm_err_set(err, errlen, "pull_request.number missing or not a positive integer");
        return -1;
    }
    if (!valid_sha(head)) {
        blvm_err_set(err, errlen, "pull_request.head.sha missing or not 40 hex digits");
        return -1;
    }
    int64_t number = json_integer_value(num);
    char sha[41];
    snprintf(sha, sizeof(sha), "%s", head);
    lower(sha);
    const char *title = jstr(pr, "title");
    const char *author = jstr(json_object_get(pr, "user"), "login");
    const char *base = jstr(json_object_get(pr, "base"), "ref");
    int64_t now = ctx_now(ctx);
    char subject[200];
    subject_of(subject, sizeof(subject), repo, number, sha);

    bool closing = strcmp(action, "closed") == 0;
    bool reclassify = !strcmp(action, "opened") || !strcmp(action, "synchronize") ||
                      !strcmp(action, "reopened") || !strcmp(action, "edited");
    if (!closing && !reclassify) {
        blvm_err_set(err, errlen, "pull_request action \"%s\" ignored", action);
        return 0;
    }

    /* The changed files come from the API (the payload does not list them).
     * Without them classification could pick a weaker rule, so a failure
     * here is an error and the job is retried rather than decided. */
    json_t *files = NULL;
    if (reclassify && ctx->gh) {
        char gerr[256];
        if (!blvm_github_list_pr_files(ctx->gh, repo, number, &files, gerr, sizeof(gerr))) {
            blvm_err_set(err, errlen, "cannot list changed files of %s#%lld: %s", repo,
                         (long long)number, gerr);
            return -1;
        }
    }

    /* "edited" can arrive for a closed PR: trust the payload's state. */
    const char *pstate = jstr(pr, "state");
    const char *state = "open";
    if (closing || (pstate && strcmp(pstate, "closed") == 0))
        state = json_is_true(json_object_get(pr, "merged")) ? "merged" : "closed";
    int64_t opened_at = parse_iso(jstr(pr, "created_at"));
    if (!opened_at) opened_at = now;

    blvm_db *db = ctx->db;
    if (!blvm_db_begin(db)) goto dberr;
    {
        blvm_db_param p[10] = {blvm_db_text(repo),   blvm_db_int(number),    blvm_db_text(title),
                               blvm_db_text(author), blvm_db_text(state),    blvm_db_text(sha),
                               blvm_db_text(base),   blvm_db_int(opened_at), blvm_db_int(now),
                               blvm_db_int(now)};
        if (!blvm_db_exec(db,
                          "INSERT INTO pull_requests (repo, number, title, author, state, "
                          "head_sha, base_ref, opened_at, head_updated_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT (repo, number) DO UPDATE SET "
                          "title = excluded.title, author = excluded.author, "
                          "state = excluded.state, base_ref = excluded.base_ref, "
                          "head_updated_at = CASE WHEN pull_requests.head_sha = excluded.head_sha "
                          "THEN pull_requests.head_updated_at ELSE excluded.head_updated_at END, "
                          "head_sha = excluded.head_sha, updated_at = excluded.updated_at",
                          p, 10, NULL))
            goto rollback;
    }
    int64_t pr_id = 0;
    char cur_head[65], cur_state[16];
    bool found = false;
    if (!pr_lookup(db, repo, number, &pr_id, cur_head, cur_state, NULL, 0, NULL, &found) || !found)
        goto rollback;
    size_t i;
    json_t *v;
    json_array_foreach(files, i, v) {
        blvm_db_param p[3] = {blvm_db_int(pr_id), blvm_db_text(sha),
                              blvm_db_text(json_string_value(v))};
        if (!blvm_db_exec(db,
                          "INSERT INTO pr_paths (pr_id, head_sha, path) VALUES (?, ?, ?) "
                          "ON CONFLICT (pr_id, head_sha, path) DO NOTHING",
                          p, 3, NULL))
            goto rollback;
    }
    {
        json_t *d = json_pack("{s:s,s:s,s:s?,s:I}", "action", action, "head", sha, "title", title,
                              "files", (json_int_t)json_array_size(files));
        char act[64];
        snprintf(act, sizeof(act), "pr.%s", action);
        bool ok = audit(ctx, act, subject, d);
        json_decref(d);
        if (!ok) goto rollback;
    }
    if (!blvm_db_commit(db)) goto rollback;
    json_decref(files);
    if (strcmp(state, "open") != 0) return 1;
    return blvm_governance_evaluate(ctx, repo, number, NULL, err, errlen) ? 1 : -1;

rollback:
    blvm_db_rollback(db);
dberr:
    blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    json_decref(files);
    return -1;
}

/* ---- issue_comment ------------------------------------------------------ */

/* Finds which maintainer made sig over msg: the named key, else the keys of
 * maintainers whose GitHub login is the commenter's, else every key. */
static int find_signer(const blvm_commons_config *cfg, const char *key_id, const char *login,
                       const uint8_t msg[32], const uint8_t sig[64], const char **why) {
    if (key_id[0]) {
        int m = blvm_commons_config_maintainer(cfg, key_id);
        if (m < 0) {
            *why = "key is not a maintainer's";
            return -1;
        }
        if (!blvm_commons_verify32(cfg->maintainers[m].pubkey, msg, sig)) {
            *why = "signature does not verify for this pull request's head commit";
            return -1;
        }
        return m;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < cfg->nmaintainers; i++) {
            const blvm_commons_maintainer *m = &cfg->maintainers[i];
            bool same_login = login && m->github_login && strcasecmp(login, m->github_login) == 0;
            if (pass == 0 && !same_login) continue;
            if (pass == 1 && same_login) continue;
            if (blvm_commons_verify32(m->pubkey, msg, sig)) return (int)i;
        }
    }
    *why = "signature does not verify for any maintainer key over this pull request's head commit";
    return -1;
}

int blvm_governance_on_issue_comment(blvm_governance_ctx *ctx, json_t *payload, char *err,
                                     size_t errlen) {
    const char *action = jstr(payload, "action");
    json_t *issue = json_object_get(payload, "issue");
    json_t *comment = json_object_get(payload, "comment");
    const char *repo = jstr(json_object_get(payload, "repository"), "full_name");
    if (!action || !json_is_object(issue) || !json_is_object(comment) || !repo) {
        blvm_err_set(err, errlen,
                     "issue_comment payload needs action, issue, comment and "
                     "repository.full_name");
        return -1;
    }
    /* Only new comments: an edited comment could swap in another signature
     * after the fact. */
    if (strcmp(action, "created") != 0) {
        blvm_err_set(err, errlen, "issue_comment action \"%s\" ignored", action);
        return 0;
    }
    if (!json_object_get(issue, "pull_request")) {
        blvm_err_set(err, errlen, "comment on an issue, not a pull request");
        return 0;
    }
    const char *body = jstr(comment, "body");
    json_t *num = json_object_get(issue, "number");
    if (!body || !json_is_integer(num) || json_integer_value(num) <= 0) {
        blvm_err_set(err, errlen, "issue_comment payload needs comment.body and issue.number");
        return -1;
    }
    int64_t number = json_integer_value(num);
    const char *login = jstr(json_object_get(comment, "user"), "login");
    json_t *cid = json_object_get(comment, "id");
    char comment_id[32] = "";
    if (json_is_integer(cid))
        snprintf(comment_id, sizeof(comment_id), "%lld", (long long)json_integer_value(cid));

    char key_id[65];
    uint8_t sig[64];
    char perr[160] = "";
    int parsed = blvm_governance_parse_sign(body, key_id, sig, perr, sizeof(perr));
    if (parsed == 0) {
        blvm_err_set(err, errlen, "comment is not a /governance-sign command");
        return 0;
    }

    blvm_db *db = ctx->db;
    int64_t pr_id = 0, opened_at = 0;
    char head[65], state[16];
    bool found = false;
    if (!pr_lookup(db, repo, number, &pr_id, head, state, NULL, 0, &opened_at, &found)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        return -1;
    }
    char subject[200];
    subject_of(subject, sizeof(subject), repo, number, found ? head : "");
    if (parsed < 0 || !found || strcmp(state, "open") != 0) {
        const char *why = parsed < 0 ? perr
                          : !found   ? "unknown pull request (no pull_request event seen)"
                                     : "pull request is not open";
        json_t *d =
            json_pack("{s:s,s:s?,s:s}", "reason", why, "login", login, "comment_id", comment_id);
        bool ok = audit(ctx, "signature.rejected", subject, d);
        json_decref(d);
        if (!ok) {
            blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
            return -1;
        }
        blvm_err_set(err, errlen, "signature rejected: %s", why);
        return 0;
    }

    uint8_t msg[32];
    blvm_commons_governance_message(msg, repo, number, head);
    const char *why = NULL;
    int m = find_signer(ctx->cfg, key_id, login, msg, sig, &why);
    char sighex[129];
    blvm_hex_encode(sighex, sig, 64);
    char stored_key[65];
    if (m >= 0) {
        snprintf(stored_key, sizeof(stored_key), "%s", ctx->cfg->maintainers[m].key_id);
    } else if (key_id[0]) {
        snprintf(stored_key, sizeof(stored_key), "%s", key_id);
    } else {
        /* No key verifies: stored under a name derived from the signature so
         * different bad signatures don't overwrite each other. */
        snprintf(stored_key, sizeof(stored_key), "unverified:%.32s", sighex);
    }
    int64_t now = ctx_now(ctx);
    if (!blvm_db_begin(db)) goto dberr;
    {
        blvm_db_param p[10] = {blvm_db_int(pr_id),
                               blvm_db_text(head),
                               blvm_db_text(stored_key),
                               blvm_db_text(m >= 0 ? ctx->cfg->maintainers[m].name : NULL),
                               blvm_db_text(sighex),
                               blvm_db_int(m >= 0 ? 1 : 0),
                               blvm_db_text(m >= 0 ? NULL : why),
                               blvm_db_text(comment_id),
                               blvm_db_text(login),
                               blvm_db_int(now)};
        /* A later bad signature never replaces a good one by the same key. */
        if (!blvm_db_exec(db,
                          "INSERT INTO signatures (pr_id, head_sha, key_id, maintainer, signature, "
                          "valid, reason, comment_id, github_login, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT (pr_id, head_sha, key_id) DO UPDATE SET "
                          "signature = excluded.signature, valid = excluded.valid, "
                          "reason = excluded.reason, comment_id = excluded.comment_id, "
                          "github_login = excluded.github_login, created_at = excluded.created_at, "
                          "maintainer = excluded.maintainer WHERE signatures.valid = 0",
                          p, 10, NULL))
            goto rollback;
    }
    {
        json_t *d = json_pack("{s:s,s:s,s:s?,s:s?,s:s}", "key_id", stored_key, "head", head,
                              "maintainer", m >= 0 ? ctx->cfg->maintainers[m].name : NULL, "reason",
                              m >= 0 ? NULL : why, "comment_id", comment_id);
        bool ok = audit(ctx, m >= 0 ? "signature.valid" : "signature.invalid", subject, d);
        json_decref(d);
        if (!ok) goto rollback;
    }
    if (!blvm_db_commit(db)) goto rollback;
    if (!blvm_governance_evaluate(ctx, repo, number, NULL, err, errlen)) return -1;
    if (m < 0) {
        blvm_err_set(err, errlen, "invalid signature: %s", why);
    }
    return 1;
rollback:
    blvm_db_rollback(db);
dberr:
    blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    return -1;
}

/* ---- pull_request_review ------------------------------------------------ */

int blvm_governance_on_review(blvm_governance_ctx *ctx, json_t *payload, char *err, size_t errlen) {
    const char *action = jstr(payload, "action");
    json_t *review = json_object_get(payload, "review");
    json_t *pr = json_object_get(payload, "pull_request");
    const char *repo = jstr(json_object_get(payload, "repository"), "full_name");
    if (!action || !json_is_object(review) || !json_is_object(pr) || !repo) {
        blvm_err_set(err, errlen,
                     "pull_request_review payload needs action, review, pull_request "
                     "and repository.full_name");
        return -1;
    }
    json_t *num = json_object_get(pr, "number");
    if (!json_is_integer(num) || json_integer_value(num) <= 0) {
        blvm_err_set(err, errlen, "pull_request.number missing or not a positive integer");
        return -1;
    }
    int64_t number = json_integer_value(num);
    blvm_db *db = ctx->db;
    int64_t pr_id = 0;
    char head[65], state[16];
    bool found = false;
    if (!pr_lookup(db, repo, number, &pr_id, head, state, NULL, 0, NULL, &found)) {
        blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
        return -1;
    }
    if (!found) {
        blvm_err_set(err, errlen, "review on unknown pull request %s#%lld", repo,
                     (long long)number);
        return 0;
    }
    const char *reviewer = jstr(json_object_get(review, "user"), "login");
    const char *rstate = jstr(review, "state");
    const char *commit = jstr(review, "commit_id");
    json_t *rid = json_object_get(review, "id");
    char review_id[32] = "";
    if (json_is_integer(rid))
        snprintf(review_id, sizeof(review_id), "%lld", (long long)json_integer_value(rid));
    int64_t at = parse_iso(jstr(review, "submitted_at"));
    if (!at) at = ctx_now(ctx);
    char subject[200];
    subject_of(subject, sizeof(subject), repo, number, head);
    if (!blvm_db_begin(db)) goto dberr;
    {
        blvm_db_param p[6] = {blvm_db_int(pr_id),   blvm_db_text(reviewer),  blvm_db_text(rstate),
                              blvm_db_text(commit), blvm_db_text(review_id), blvm_db_int(at)};
        if (!blvm_db_exec(db,
                          "INSERT INTO reviews (pr_id, reviewer, state, head_sha, review_id, "
                          "submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
                          p, 6, NULL))
            goto rollback;
    }
    {
        json_t *d = json_pack("{s:s,s:s?,s:s?,s:s?}", "action", action, "reviewer", reviewer,
                              "state", rstate, "commit", commit);
        bool ok = audit(ctx, "review", subject, d);
        json_decref(d);
        if (!ok) goto rollback;
    }
    if (!blvm_db_commit(db)) goto rollback;
    /* Reviews are recorded for the record; approval is by signature only. */
    return 1;
rollback:
    blvm_db_rollback(db);
dberr:
    blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    return -1;
}

/* ---- evaluation --------------------------------------------------------- */

bool blvm_governance_evaluate(blvm_governance_ctx *ctx, const char *repo, int64_t number,
                              blvm_governance_decision *out, char *err, size_t errlen) {
    blvm_db *db = ctx->db;
    const blvm_commons_config *cfg = ctx->cfg;
    int64_t pr_id = 0, opened_at = 0;
    char head[65], state[16], title[512];
    bool found = false;
    if (!pr_lookup(db, repo, number, &pr_id, head, state, title, sizeof(title), &opened_at, &found))
        goto dberr;
    if (!found) {
        blvm_err_set(err, errlen, "unknown pull request %s#%lld", repo, (long long)number);
        return false;
    }
    if (strcmp(state, "open") != 0) return true;

    /* Paths at the current head. */
    blvm_db_result r;
    blvm_db_param pp[2] = {blvm_db_int(pr_id), blvm_db_text(head)};
    if (!blvm_db_query(db, "SELECT path FROM pr_paths WHERE pr_id = ? AND head_sha = ?", pp, 2, &r))
        goto dberr;
    const char **paths = calloc(r.nrows ? r.nrows : 1, sizeof(*paths));
    if (!paths) {
        blvm_db_result_clear(&r);
        blvm_err_set(err, errlen, "out of memory");
        return false;
    }
    for (size_t i = 0; i < r.nrows; i++)
        paths[i] = blvm_db_result_get(&r, i, 0);
    blvm_commons_classification c;
    blvm_commons_classify(cfg, title, paths, r.nrows, &c);
    free(paths);
    blvm_db_result_clear(&r);

    /* Valid signatures on this head by keys that are maintainers' now. */
    if (!blvm_db_query(db,
                       "SELECT DISTINCT key_id FROM signatures WHERE pr_id = ? AND head_sha = ? "
                       "AND valid = 1",
                       pp, 2, &r))
        goto dberr;
    int valid = 0;
    for (size_t i = 0; i < r.nrows; i++)
        if (blvm_commons_config_maintainer(cfg, blvm_db_result_get(&r, i, 0)) >= 0) valid++;
    blvm_db_result_clear(&r);

    int64_t now = ctx_now(ctx);
    blvm_governance_decision d;
    blvm_governance_decide(valid, c.signatures, c.of, opened_at + (int64_t)c.review_days * 86400,
                           now, &d);
    const char *st;
    char desc[160];
    blvm_governance_status(&d, cfg->mode, &st, desc, sizeof(desc));
    const char *mode = cfg->mode == BLVM_COMMONS_ENFORCING ? "enforcing" : "dry-run";
    char subject[200];
    subject_of(subject, sizeof(subject), repo, number, head);

    int64_t decision_id = 0;
    if (!blvm_db_begin(db)) goto dberr;
    {
        blvm_db_param p[6] = {blvm_db_int(c.tier),       blvm_db_int(c.layer),
                              blvm_db_int(c.signatures), blvm_db_int(c.review_days),
                              blvm_db_int(now),          blvm_db_int(pr_id)};
        if (!blvm_db_exec(db,
                          "UPDATE pull_requests SET tier = ?, layer = ?, required_signatures = ?, "
                          "review_days = ?, updated_at = ? WHERE id = ?",
                          p, 6, NULL))
            goto rollback;
    }
    {
        blvm_db_param p[14] = {blvm_db_int(pr_id),
                               blvm_db_text(repo),
                               blvm_db_int(number),
                               blvm_db_text(head),
                               blvm_db_int(c.tier),
                               blvm_db_int(c.layer),
                               blvm_db_int(c.signatures),
                               blvm_db_int(c.of),
                               blvm_db_int(valid),
                               blvm_db_int(d.review_ends_at),
                               blvm_db_text(blvm_governance_state_str(d.state)),
                               blvm_db_text(d.reason),
                               blvm_db_text(mode),
                               blvm_db_int(now)};
        if (!blvm_db_insert(db,
                            "INSERT INTO decisions (pr_id, repo, number, head_sha, tier, layer, "
                            "required_signatures, total_keys, valid_signatures, review_ends_at, "
                            "state, reason, mode, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            p, 14, &decision_id))
            goto rollback;
    }
    {
        json_t *dj = json_pack(
            "{s:I,s:s,s:s,s:s,s:i,s:i,s:s?,s:s?,s:i,s:i,s:i,s:I,s:s}", "decision_id",
            (json_int_t)decision_id, "state", blvm_governance_state_str(d.state), "reason",
            d.reason, "mode", mode, "tier", c.tier, "layer", c.layer, "tier_rule", c.tier_rule,
            "layer_rule", c.layer_rule, "required", c.signatures, "total", c.of, "valid", valid,
            "review_ends_at", (json_int_t)d.review_ends_at, "status", st);
        bool ok = audit(ctx, "decision", subject, dj);
        json_decref(dj);
        if (!ok) goto rollback;
    }
    if (!blvm_db_commit(db)) goto rollback;

    /* Post the status outside the transaction (network), then record what
     * happened to it. */
    char gerr[256] = "";
    bool posted = false;
    if (ctx->gh) {
        posted = blvm_github_create_status(ctx->gh, repo, head, st, cfg->status_context, desc, NULL,
                                           gerr, sizeof(gerr));
    } else {
        snprintf(gerr, sizeof(gerr), "no GitHub client configured");
    }
    {
        blvm_db_param p[9] = {blvm_db_int(decision_id),
                              blvm_db_text(repo),
                              blvm_db_text(head),
                              blvm_db_text(cfg->status_context),
                              blvm_db_text(st),
                              blvm_db_text(desc),
                              blvm_db_int(posted ? 201 : 0),
                              blvm_db_text(posted ? NULL : gerr),
                              blvm_db_int(now)};
        if (!blvm_db_exec(db,
                          "INSERT INTO statuses (decision_id, repo, sha, context, state, "
                          "description, http_status, error, posted_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          p, 9, NULL))
            goto dberr;
    }
    if (out) *out = d;
    if (ctx->gh && !posted) {
        blvm_err_set(err, errlen, "posting status for %s: %s", subject, gerr);
        return false;
    }
    return true;
rollback:
    blvm_db_rollback(db);
dberr:
    blvm_err_set(err, errlen, "database: %s", blvm_db_errmsg(db));
    return false;
}
