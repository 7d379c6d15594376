#ifndef BLVM_COMMONS_GOVERNANCE_H
#define BLVM_COMMONS_GOVERNANCE_H

/* Governance decisions for pull requests.
 *
 * A pull request is classified by the config's rules (changed paths and
 * title markers, blvm_commons_classify): the most restrictive applicable
 * threshold wins (N-of-M signatures and a review period in days counted from
 * when the PR was opened). Maintainers approve by commenting
 *
 *     /governance-sign <128 hex BIP340 signature>
 *     /governance-sign <key id> <128 hex BIP340 signature>
 *
 * where the signature is over blvm_commons_governance_message(repo, number,
 * head sha) (keys.h). Only signatures over the PR's current head commit
 * count, so a new push makes every earlier signature stale.
 *
 * Each evaluation records a decision row and an audit log entry in one
 * transaction, then posts a commit status:
 *   enforcing: success | pending (signatures there, review period running)
 *              | failure (too few signatures), description such as
 *              "3/5 signatures, review period ends 2026-12-01"
 *   dry-run:   always "success" (never blocks), description
 *              "[dry-run] failure: 1/5 signatures, review period ends ..."
 *
 * Event handlers take the webhook payload (borrowed) and a context. They
 * return 1 when the event was acted on, 0 when it was ignored (an action or
 * comment that means nothing to governance; err says why) and -1 on a
 * database, GitHub or payload error (err names the missing field).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "commons/config.h"
#include "commons/db.h"
#include "commons/github.h"
#include "util/common.h"

typedef struct {
    const blvm_commons_config *cfg;
    blvm_db *db;
    blvm_github *gh;   /* NULL: statuses are recorded but not posted */
    int64_t now;       /* 0: the clock; tests pin it */
    const char *actor; /* audit actor, NULL: "governance" */
} blvm_governance_ctx;

typedef enum {
    BLVM_GOV_SUCCESS = 0,
    BLVM_GOV_PENDING,
    BLVM_GOV_FAILURE,
} blvm_governance_state;

const char *blvm_governance_state_str(blvm_governance_state s);

typedef struct {
    int required; /* N */
    int total;    /* M */
    int valid;    /* distinct maintainers' valid signatures on the head */
    int64_t review_ends_at;
    blvm_governance_state state;
    char reason[128]; /* "3/5 signatures, review period ends 2026-12-01" */
} blvm_governance_decision;

/* Pure: the decision for these numbers at time now. */
void blvm_governance_decide(int valid, int required, int total, int64_t review_ends_at, int64_t now,
                            blvm_governance_decision *out);

/* The status to post for a decision in a mode: *state is a GitHub status
 * state; desc (cap bytes) its description. */
void blvm_governance_status(const blvm_governance_decision *d, blvm_commons_mode mode,
                            const char **state, char *desc, size_t cap);

/* Parses a comment body. Returns 1 when it is a well-formed sign command
 * (key_id set to "" when the comment named no key), 0 when the comment is
 * not a sign command at all, -1 when it is one but malformed (err says
 * why). */
BLVM_WUR int blvm_governance_parse_sign(const char *body, char key_id[65], uint8_t sig[64],
                                        char *err, size_t errlen);

/* Webhook events. */
BLVM_WUR int blvm_governance_on_pull_request(blvm_governance_ctx *ctx, json_t *payload, char *err,
                                             size_t errlen);
BLVM_WUR int blvm_governance_on_issue_comment(blvm_governance_ctx *ctx, json_t *payload, char *err,
                                              size_t errlen);
BLVM_WUR int blvm_governance_on_review(blvm_governance_ctx *ctx, json_t *payload, char *err,
                                       size_t errlen);

/* Evaluates the PR (repo, number) now: records the decision (+ audit entry)
 * and posts the status. out may be NULL. Closed PRs are not evaluated
 * (returns true, out->state untouched). */
BLVM_WUR bool blvm_governance_evaluate(blvm_governance_ctx *ctx, const char *repo, int64_t number,
                                       blvm_governance_decision *out, char *err, size_t errlen);

#endif
