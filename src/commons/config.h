#ifndef BLVM_COMMONS_CONFIG_H
#define BLVM_COMMONS_CONFIG_H

/* blvm-commons configuration: one JSON file (documented in docs/commons.md,
 * example in contrib/commons.example.json) plus environment overrides for
 * secrets:
 *
 *   BLVM_COMMONS_GITHUB_TOKEN   GitHub API token (else BLVM_GITHUB_TOKEN, GITHUB_TOKEN)
 *   BLVM_COMMONS_WEBHOOK_SECRET shared secret of the webhook HMAC
 *   BLVM_COMMONS_DATABASE_URL   database URL (wins over "database_url")
 *   BLVM_COMMONS_DATA_DIR       data directory (wins over "data_dir")
 *
 * Loading checks everything it can: unknown keys, wrong types, components
 * whose dependencies are unknown or form a cycle, bad globs, thresholds with
 * N > M, malformed maintainer keys. A failure gives one message naming the
 * key ("components[2].depends_on: unknown component 'nod'").
 *
 * Every string and array is owned by the config and lives until
 * blvm_commons_config_destroy().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef enum {
    BLVM_COMMONS_DRY_RUN = 0, /* decide and record; post only neutral "[dry-run]" statuses */
    BLVM_COMMONS_ENFORCING,   /* failures block (failure status) */
} blvm_commons_mode;

typedef struct {
    char *name;
    char **depends_on;
    size_t ndepends;
    /* Local build: a shell command (run with sh -c, cwd = "workdir" if set).
     * NULL when the component is built through repository_dispatch. */
    char *command;
    char *workdir;
    /* Overrides of the run-wide limits; 0 = use the global value. */
    int timeout_secs;
    int max_retries;
    /* Extra JSON object merged into the dispatch client_payload (as text, or
     * NULL). */
    char *payload_json;
} blvm_commons_component;

typedef enum {
    BLVM_COMMONS_RULE_TIER = 0,
    BLVM_COMMONS_RULE_LAYER,
} blvm_commons_rule_kind;

/* One governance rule. It applies to a PR when any changed path matches one
 * of its globs or the title contains one of its markers (a rule with
 * neither applies to every PR). */
typedef struct {
    char *name;
    blvm_commons_rule_kind kind;
    int level;          /* tier or layer number */
    char **paths;       /* globs: '*' = any run of non-'/' chars, '**' = anything, '?' */
    size_t npaths;
    char **title_markers; /* case-insensitive substrings such as "[consensus]" */
    size_t nmarkers;
    int signatures;     /* N of N-of-M */
    int of;             /* M (0 = number of maintainers) */
    int review_days;
} blvm_commons_rule;

typedef struct {
    char *name;
    char *github_login; /* may be NULL */
    uint8_t pubkey[32]; /* BIP340 x-only public key */
    char key_id[65];    /* lowercase hex of pubkey: how signatures name it */
} blvm_commons_maintainer;

typedef struct {
    /* Paths and storage. */
    char *path;          /* the file loaded ("" for defaults) */
    char *data_dir;      /* default "./commons-data" */
    char *database_url;  /* default <data_dir>/commons.db */
    blvm_commons_mode mode;

    /* GitHub. */
    char *github_api_url; /* default https://api.github.com, no trailing '/' */
    char *github_owner;
    char *github_repo;
    char *github_token;   /* from the environment only; may be NULL */
    char *status_context; /* default "blvm-commons/governance" */
    int http_timeout_secs;     /* default 30 */
    int http_max_retries;      /* default 3 */

    /* Webhook service. */
    char *listen_addr;    /* default 127.0.0.1 */
    int listen_port;      /* default 8080 */
    char *webhook_secret; /* from the environment only; may be NULL */
    size_t max_body_bytes; /* default 25 MiB */

    /* Orchestration. */
    char *dispatch_event_type;   /* default "build-component" */
    char *dispatch_payload_json; /* JSON object text merged into client_payload; "{}" */
    char *workflow_file;         /* workflow whose runs are polled, may be NULL */
    int parallelism;             /* default 2 */
    int max_retries;             /* default 2 */
    int retry_backoff_secs;      /* default 5; doubles each attempt */
    int build_timeout_secs;      /* default 3600 */
    int poll_interval_secs;      /* default 10 */
    blvm_commons_component *components;
    size_t ncomponents;
    /* Topological order of components (indices), dependencies first. */
    size_t *topo_order;

    /* Governance. */
    blvm_commons_rule *rules;
    size_t nrules;
    blvm_commons_rule default_rule; /* used when no rule of a kind applies */
    blvm_commons_maintainer *maintainers;
    size_t nmaintainers;

    /* Releases and artifacts. */
    int release_threshold;          /* signatures needed on SHA256SUMS; default 1 */
    char *keyring_path;             /* keyring file; NULL = maintainers above */
    int artifact_retention_days;    /* default 30 */
    char *release_target;           /* "local" (default) or "github" */
    char *release_dir;              /* default <data_dir>/releases */

    /* Whether database_url / release_dir came from the file or environment
     * (otherwise they follow data_dir). */
    bool database_url_explicit;
    bool release_dir_explicit;
} blvm_commons_config;

/* Loads and validates path (NULL: defaults only), then applies the
 * environment. On failure returns NULL and writes the reason to err. */
BLVM_WUR blvm_commons_config *blvm_commons_config_load(const char *path, char *err, size_t errlen);
/* Same, from JSON text (name used in messages). */
BLVM_WUR blvm_commons_config *blvm_commons_config_parse(const char *json, const char *name,
                                                       char *err, size_t errlen);
void blvm_commons_config_destroy(blvm_commons_config *cfg);

/* Replaces data_dir (e.g. from --data-dir); database_url and release_dir
 * follow it unless they were set explicitly. */
BLVM_WUR bool blvm_commons_config_set_data_dir(blvm_commons_config *cfg, const char *dir);

/* Index of the component called name, or -1. */
int blvm_commons_config_component(const blvm_commons_config *cfg, const char *name);
/* Index of the maintainer with this key id (hex x-only pubkey), or -1. */
int blvm_commons_config_maintainer(const blvm_commons_config *cfg, const char *key_id);

/* Path glob match: '**' matches anything (also '/'), '*' and '?' stay within
 * one path segment. */
bool blvm_commons_glob_match(const char *glob, const char *path);

/* Whether rule applies to a PR with this title and these changed paths. */
bool blvm_commons_rule_applies(const blvm_commons_rule *rule, const char *title,
                               const char *const *paths, size_t npaths);

/* What the rules say about a PR. The highest tier and layer among the rules
 * that apply; the most restrictive threshold (largest N, then largest M) and
 * the longest review period among them. Rules of a kind where none applies
 * contribute default_rule. */
typedef struct {
    int tier;
    int layer;
    int signatures;
    int of;
    int review_days;
    const char *tier_rule;  /* names of the deciding rules */
    const char *layer_rule;
} blvm_commons_classification;

void blvm_commons_classify(const blvm_commons_config *cfg, const char *title,
                           const char *const *paths, size_t npaths,
                           blvm_commons_classification *out);

#endif
