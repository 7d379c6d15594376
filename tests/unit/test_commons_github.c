/* GitHub client against the test suite's fake API (tests/functional/
 * fake_github.py, started here on a free loopback port): request shapes,
 * token, retries on 5xx, rate-limit waits, redirects, size limits, errors. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "commons/github.h"

static pid_t g_fake_pid;
static char g_url[128];

static int start_fake(void **state) {
    (void)state;
    int fds[2];
    if (pipe(fds) != 0) return -1;
    g_fake_pid = fork();
    if (g_fake_pid < 0) return -1;
    if (g_fake_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", BLVM_SOURCE_DIR "/tests/functional/fake_github.py",
               (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    if (!f || !fgets(g_url, sizeof(g_url), f)) return -1;
    g_url[strcspn(g_url, "\r\n")] = 0;
    fclose(f);
    return strncmp(g_url, "http://127.0.0.1:", 17) == 0 ? 0 : -1;
}

static int stop_fake(void **state) {
    (void)state;
    if (g_fake_pid > 0) {
        kill(g_fake_pid, SIGTERM);
        waitpid(g_fake_pid, NULL, 0);
    }
    return 0;
}

static blvm_github *client(const char *token, int retries) {
    blvm_github_options o;
    blvm_github_options_init(&o);
    o.base_url = g_url;
    o.token = token;
    o.max_retries = retries;
    o.retry_base_ms = 20;
    o.max_wait_ms = 3000;
    o.timeout_ms = 5000;
    blvm_github *gh = blvm_github_create(&o);
    assert_non_null(gh);
    return gh;
}

/* The calls the fake saw since the previous call_count() snapshot. */
static json_t *calls(blvm_github *gh) {
    json_t *j = NULL;
    char err[256];
    assert_true(blvm_github_request_json(gh, "GET", "/_fake/calls", NULL, &j, err, sizeof(err)));
    json_t *c = json_incref(json_object_get(j, "calls"));
    json_decref(j);
    return c;
}

static size_t count_calls(blvm_github *gh, const char *method, const char *path_prefix) {
    json_t *c = calls(gh);
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(c, i, v) {
        if (!strcmp(json_string_value(json_object_get(v, "method")), method) &&
            !strncmp(json_string_value(json_object_get(v, "path")), path_prefix,
                     strlen(path_prefix)))
            n++;
    }
    json_decref(c);
    return n;
}

static void inject(blvm_github *gh, const char *method, const char *path, int status, int count,
                   json_t *headers) {
    json_t *b = json_pack("{s:s,s:s,s:i,s:i}", "method", method, "path", path, "status", status,
                          "count", count);
    if (headers) json_object_set_new(b, "headers", headers);
    char err[256];
    assert_true(blvm_github_request_json(gh, "POST", "/_fake/inject", b, NULL, err, sizeof(err)));
    json_decref(b);
}

static void test_status_and_token(void **state) {
    (void)state;
    blvm_github *gh = client("tok123", 0);
    char err[256] = "";
    char longdesc[300];
    memset(longdesc, 'x', sizeof(longdesc) - 1);
    longdesc[sizeof(longdesc) - 1] = 0;
    assert_true(blvm_github_create_status(gh, "o/r", "abcdef0123456789", "success", "blvm/gov",
                                          longdesc, NULL, err, sizeof(err)));
    json_t *c = calls(gh);
    json_t *last = json_array_get(c, json_array_size(c) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "path")),
                        "/repos/o/r/statuses/abcdef0123456789");
    json_t *hdrs = json_object_get(last, "headers");
    assert_string_equal(json_string_value(json_object_get(hdrs, "authorization")), "Bearer tok123");
    json_t *body = json_object_get(last, "json");
    assert_string_equal(json_string_value(json_object_get(body, "state")), "success");
    assert_int_equal(strlen(json_string_value(json_object_get(body, "description"))), 140);
    json_decref(c);

    /* Bad inputs are refused before any request. */
    assert_false(blvm_github_create_status(gh, "o/r/../x", "abcdef0", "success", "c", "d", NULL,
                                           err, sizeof(err)));
    assert_non_null(strstr(err, "repository"));
    assert_false(blvm_github_create_status(gh, "o/r", "not-a-sha", "success", "c", "d", NULL, err,
                                           sizeof(err)));
    assert_false(blvm_github_create_status(gh, "o/r", "abcdef0", "neutral", "c", "d", NULL, err,
                                           sizeof(err)));
    blvm_github_destroy(gh);
}

static void test_retry_5xx(void **state) {
    (void)state;
    blvm_github *gh = client(NULL, 3);
    char err[256] = "";
    size_t before = count_calls(gh, "POST", "/repos/o/r2/dispatches");
    inject(gh, "POST", "/repos/o/r2/dispatches", 502, 2, NULL);
    json_t *payload = json_pack("{s:s}", "component", "node");
    assert_true(blvm_github_repository_dispatch(gh, "o/r2", "build", payload, err, sizeof(err)));
    assert_int_equal(count_calls(gh, "POST", "/repos/o/r2/dispatches"), before + 3);

    /* More failures than retries: the call fails and says why. */
    inject(gh, "POST", "/repos/o/r2/dispatches", 500, 10, NULL);
    assert_false(blvm_github_repository_dispatch(gh, "o/r2", "build", payload, err, sizeof(err)));
    assert_non_null(strstr(err, "HTTP 500"));
    assert_int_equal(count_calls(gh, "POST", "/repos/o/r2/dispatches"), before + 3 + 4);
    json_decref(payload);

    /* A 4xx is final: no retry. */
    before = count_calls(gh, "POST", "/repos/o/r3/dispatches");
    inject(gh, "POST", "/repos/o/r3/dispatches", 422, 1, NULL);
    assert_false(blvm_github_repository_dispatch(gh, "o/r3", "build", NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "HTTP 422"));
    assert_int_equal(count_calls(gh, "POST", "/repos/o/r3/dispatches"), before + 1);
    blvm_github_destroy(gh);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_rate_limit(void **state) {
    (void)state;
    blvm_github *gh = client(NULL, 2);
    char err[256] = "";
    /* 429 with Retry-After: 1 -> waits about a second, then succeeds. */
    inject(gh, "GET", "/repos/o/rl/actions/runs", 429, 1, json_pack("{s:s}", "Retry-After", "1"));
    double t0 = now_s();
    json_t *runs = NULL;
    assert_true(blvm_github_list_workflow_runs(gh, "o/rl", NULL, NULL, &runs, err, sizeof(err)));
    assert_true(now_s() - t0 >= 0.9);
    assert_true(json_is_array(runs));
    json_decref(runs);

    /* 403 with the budget exhausted -> waits until X-RateLimit-Reset. */
    char reset[32];
    snprintf(reset, sizeof(reset), "%lld", (long long)time(NULL) + 2);
    inject(gh, "GET", "/repos/o/rl/actions/runs", 403, 1,
           json_pack("{s:s,s:s}", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset));
    t0 = now_s();
    assert_true(blvm_github_list_workflow_runs(gh, "o/rl", NULL, "repository_dispatch", &runs, err,
                                               sizeof(err)));
    assert_true(now_s() - t0 >= 0.9);
    json_decref(runs);

    /* A plain 403 (no rate-limit headers) is a permission error: final. */
    inject(gh, "GET", "/repos/o/rl/actions/runs", 403, 1, NULL);
    assert_false(blvm_github_list_workflow_runs(gh, "o/rl", NULL, NULL, &runs, err, sizeof(err)));
    assert_null(runs);
    assert_non_null(strstr(err, "HTTP 403"));
    blvm_github_destroy(gh);
}

static void test_artifacts_download(void **state) {
    (void)state;
    blvm_github *gh = client(NULL, 1);
    char err[256] = "";
    json_t *a = NULL;
    json_t *req = json_pack("{s:s,s:s,s:s}", "repo", "o/art", "name", "node.tar.gz", "content",
                            "hello artifact bytes");
    assert_true(blvm_github_request_json(gh, "POST", "/_fake/artifact", req, &a, err, sizeof(err)));
    json_decref(req);
    int64_t run_id = json_integer_value(json_object_get(a, "run_id"));
    json_decref(a);

    json_t *arts = NULL;
    assert_true(blvm_github_list_run_artifacts(gh, "o/art", run_id, &arts, err, sizeof(err)));
    assert_int_equal(json_array_size(arts), 1);
    json_t *first = json_array_get(arts, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "node.tar.gz");
    int64_t aid = json_integer_value(json_object_get(first, "id"));
    json_decref(arts);

    char path[] = "/tmp/blvm_gh_dl_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    uint64_t size = 0;
    assert_true(blvm_github_download_artifact(gh, "o/art", aid, path, 0, &size, err, sizeof(err)));
    assert_int_equal(size, 20);
    FILE *f = fopen(path, "rb");
    char buf[64] = {0};
    assert_int_equal(fread(buf, 1, sizeof(buf), f), 20);
    fclose(f);
    assert_string_equal(buf, "hello artifact bytes");

    /* Larger than allowed: fails, leaves no partial file behind. */
    unlink(path);
    assert_false(
        blvm_github_download_artifact(gh, "o/art", aid, path, 10, &size, err, sizeof(err)));
    assert_non_null(strstr(err, "larger"));
    assert_int_not_equal(access(path, F_OK), 0);
    /* Unknown artifact: 404 is an error. */
    assert_false(
        blvm_github_download_artifact(gh, "o/art", 999999, path, 0, &size, err, sizeof(err)));
    assert_non_null(strstr(err, "404"));
    blvm_github_destroy(gh);
}

static void test_release_upload(void **state) {
    (void)state;
    blvm_github *gh = client(NULL, 1);
    char err[256] = "";
    int64_t rid = 0;
    char *upload = NULL;
    assert_true(blvm_github_create_release(gh, "o/rel", "v1.0.0-rc1", "blvm 1.0.0rc1", "notes",
                                           true, false, &rid, &upload, err, sizeof(err)));
    assert_true(rid > 0);
    assert_non_null(strstr(upload, "{?name,label}"));
    /* The same tag again: GitHub says 422, we report it. */
    int64_t rid2 = 0;
    assert_false(blvm_github_create_release(gh, "o/rel", "v1.0.0-rc1", NULL, NULL, true, false,
                                            &rid2, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "already_exists"));

    char path[] = "/tmp/blvm_gh_up_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "SUMS\n", 5), 5);
    close(fd);
    inject(gh, "POST", "/uploads/repos/o/rel/releases/", 503, 1, NULL);
    assert_true(blvm_github_upload_release_asset(gh, "o/rel", rid, upload, "SHA256SUMS", path,
                                                 "text/plain", err, sizeof(err)));
    json_t *c = calls(gh);
    json_t *last = json_array_get(c, json_array_size(c) - 1);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(last, "query"), "name"), 0)),
                        "SHA256SUMS");
    assert_int_equal(json_integer_value(json_object_get(last, "body_len")), 5);
    json_decref(c);
    assert_false(blvm_github_upload_release_asset(gh, "o/rel", rid, upload, "../x", path, NULL, err,
                                                  sizeof(err)));
    unlink(path);
    free(upload);
    blvm_github_destroy(gh);
}

/* Changed files of a PR come in pages of 100. */
static void test_pr_files_pages(void **state) {
    (void)state;
    blvm_github *gh = client(NULL, 0);
    char err[256] = "";
    json_t *files = json_array();
    for (int i = 0; i < 250; i++) {
        char name[32];
        snprintf(name, sizeof(name), "src/f%03d.c", i);
        json_array_append_new(files, json_string(name));
    }
    json_t *req = json_pack("{s:s,s:i,s:o}", "repo", "o/pr", "number", 4, "files", files);
    assert_true(
        blvm_github_request_json(gh, "POST", "/_fake/pr_files", req, NULL, err, sizeof(err)));
    json_decref(req);
    json_t *got = NULL;
    assert_true(blvm_github_list_pr_files(gh, "o/pr", 4, &got, err, sizeof(err)));
    assert_int_equal(json_array_size(got), 250);
    assert_string_equal(json_string_value(json_array_get(got, 249)), "src/f249.c");
    json_decref(got);
    assert_int_equal(count_calls(gh, "GET", "/repos/o/pr/pulls/4/files"), 3);
    /* An unknown PR is an error, not an empty list. */
    assert_false(blvm_github_list_pr_files(gh, "o/pr", 5, &got, err, sizeof(err)));
    assert_null(got);
    assert_non_null(strstr(err, "404"));
    blvm_github_destroy(gh);
}

static void test_unreachable(void **state) {
    (void)state;
    blvm_github_options o;
    blvm_github_options_init(&o);
    o.base_url = "http://127.0.0.1:1"; /* nothing listens on port 1 */
    o.max_retries = 1;
    o.retry_base_ms = 10;
    blvm_github *gh = blvm_github_create(&o);
    char err[256] = "";
    assert_false(blvm_github_repository_dispatch(gh, "o/r", "x", NULL, err, sizeof(err)));
    assert_true(strlen(err) > 0);
    blvm_github_destroy(gh);

    /* Token from the environment. */
    setenv("BLVM_GITHUB_TOKEN", "", 1);
    setenv("GITHUB_TOKEN", "abc", 1);
    assert_string_equal(blvm_github_token_from_env(), "abc");
    setenv("BLVM_GITHUB_TOKEN", "def", 1);
    assert_string_equal(blvm_github_token_from_env(), "def");
    unsetenv("BLVM_GITHUB_TOKEN");
    unsetenv("GITHUB_TOKEN");
    assert_null(blvm_github_token_from_env());
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_token), cmocka_unit_test(test_retry_5xx),
        cmocka_unit_test(test_rate_limit),       cmocka_unit_test(test_artifacts_download),
        cmocka_unit_test(test_release_upload),   cmocka_unit_test(test_pr_files_pages),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
