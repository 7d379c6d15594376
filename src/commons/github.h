#ifndef BLVM_COMMONS_GITHUB_H
#define BLVM_COMMONS_GITHUB_H

/* GitHub REST API client for blvm-commons (libcurl + jansson).
 *
 * Conventions: every fallible function returns bool (true on success) and, on
 * failure, writes a one-line reason into err (errlen bytes, may be NULL/0).
 * `repo` is always "owner/name". Returned JSON (json_t *) is owned by the
 * caller (json_decref). The base URL is configurable so the same code talks
 * to api.github.com, a GitHub Enterprise server, or the test suite's fake
 * server on loopback.
 *
 * Robustness: each request has a connect and a total timeout; 5xx answers
 * and transport errors are retried with exponential back-off; 429 and 403
 * with X-RateLimit-Remaining: 0 wait for Retry-After / X-RateLimit-Reset
 * (capped by max_wait_ms) and retry. The last seen rate-limit headers are
 * remembered, so a request made while the budget is exhausted waits for the
 * reset first. A client may be shared by several threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/common.h"

typedef struct blvm_github blvm_github;

typedef struct {
    const char *base_url;    /* e.g. "https://api.github.com" (no trailing slash needed) */
    const char *token;       /* sent as "Authorization: Bearer ..."; NULL: no auth */
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole request, 0: 60 s (downloads: 10x) */
    int max_retries;         /* retries after the first try; <0: 0; default 4 */
    long retry_base_ms;      /* first back-off; doubles each retry; 0: 500 ms */
    long max_wait_ms;        /* cap for one rate-limit / back-off wait; 0: 60 s */
    const char *user_agent;  /* NULL: "blvm-commons" */
} blvm_github_options;

/* Fills defaults (all zero / NULL fields as documented above). */
void blvm_github_options_init(blvm_github_options *opt);

/* The token from the environment: BLVM_GITHUB_TOKEN, else GITHUB_TOKEN.
 * Returns NULL when neither is set (or set to ""). Not a copy. */
const char *blvm_github_token_from_env(void);

/* Returns NULL on allocation failure or a NULL/empty base URL. */
BLVM_WUR blvm_github *blvm_github_create(const blvm_github_options *opt);
void blvm_github_destroy(blvm_github *gh);

/* One raw answer. body is NUL-terminated (body_len excludes the NUL). */
typedef struct {
    long status;
    char *body;
    size_t body_len;
} blvm_github_response;

void blvm_github_response_clear(blvm_github_response *resp);

/* Sends METHOD to base_url + path (path starts with '/', or is an absolute
 * http(s) URL) with an optional JSON body, retrying as described above.
 * Returns true when a final HTTP answer arrived (any status; the caller
 * judges it); false on transport failure after all retries. */
BLVM_WUR bool blvm_github_request(blvm_github *gh, const char *method, const char *path,
                                  const char *json_body, blvm_github_response *resp, char *err,
                                  size_t errlen);

/* Same, and requires a 2xx answer whose body is JSON (or empty, giving
 * *out = NULL when out is given). */
BLVM_WUR bool blvm_github_request_json(blvm_github *gh, const char *method, const char *path,
                                       json_t *body, json_t **out, char *err, size_t errlen);

/* POST /repos/{repo}/statuses/{sha}. state: pending, success, failure, error.
 * description is cut to GitHub's 140 characters. target_url may be NULL. */
BLVM_WUR bool blvm_github_create_status(blvm_github *gh, const char *repo, const char *sha,
                                        const char *state, const char *context,
                                        const char *description, const char *target_url, char *err,
                                        size_t errlen);

/* POST /repos/{repo}/dispatches with event_type and client_payload (may be
 * NULL; borrowed). */
BLVM_WUR bool blvm_github_repository_dispatch(blvm_github *gh, const char *repo,
                                              const char *event_type, json_t *client_payload,
                                              char *err, size_t errlen);

/* GET /repos/{repo}/actions/runs[?event=E], or with a workflow file name
 * GET /repos/{repo}/actions/workflows/{workflow}/runs[?event=E] (the most
 * recent 100). *runs is the "workflow_runs" array (new reference).
 * workflow and event may be NULL. */
BLVM_WUR bool blvm_github_list_workflow_runs(blvm_github *gh, const char *repo,
                                             const char *workflow, const char *event, json_t **runs,
                                             char *err, size_t errlen);

/* GET /repos/{repo}/actions/runs/{run_id}/artifacts. *artifacts is the
 * "artifacts" array (new reference). */
BLVM_WUR bool blvm_github_list_run_artifacts(blvm_github *gh, const char *repo, int64_t run_id,
                                             json_t **artifacts, char *err, size_t errlen);

/* GET /repos/{repo}/actions/artifacts/{id}/zip following redirects, written
 * to dest_path (replaced atomically through dest_path.part). Fails when the
 * answer is not 2xx or is larger than max_bytes (0: 2 GiB). *size gets the
 * byte count when given. */
BLVM_WUR bool blvm_github_download_artifact(blvm_github *gh, const char *repo, int64_t artifact_id,
                                            const char *dest_path, uint64_t max_bytes,
                                            uint64_t *size, char *err, size_t errlen);

/* GETs any URL (absolute or base-relative) into a file, same rules as above. */
BLVM_WUR bool blvm_github_download(blvm_github *gh, const char *url, const char *dest_path,
                                   uint64_t max_bytes, uint64_t *size, char *err, size_t errlen);

/* POST /repos/{repo}/releases. body may be NULL. *release_id and *upload_url
 * (malloc'd, the "upload_url" template as returned) are set on success. */
BLVM_WUR bool blvm_github_create_release(blvm_github *gh, const char *repo, const char *tag,
                                         const char *name, const char *body, bool prerelease,
                                         bool draft, int64_t *release_id, char **upload_url,
                                         char *err, size_t errlen);

/* Uploads a file as a release asset. upload_url is the template from
 * create_release ("...{?name,label}" is stripped); NULL builds
 * base_url/repos/{repo}/releases/{release_id}/assets. */
BLVM_WUR bool blvm_github_upload_release_asset(blvm_github *gh, const char *repo,
                                               int64_t release_id, const char *upload_url,
                                               const char *name, const char *file_path,
                                               const char *content_type, char *err, size_t errlen);

/* GET /repos/{repo}/pulls/{number}/files, every page (GitHub lists at most
 * 3000 files). *paths gets a new array of the "filename" strings. */
BLVM_WUR bool blvm_github_list_pr_files(blvm_github *gh, const char *repo, int64_t number,
                                        json_t **paths, char *err, size_t errlen);

/* Percent-encodes s for a URL query or path segment (malloc'd). */
BLVM_WUR char *blvm_github_urlencode(const char *s);

#endif
