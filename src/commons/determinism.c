#include "commons/determinism.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/hex.h"

int blvm_commons_run_command(const char *cmd, const char *cwd, int timeout_secs, char *err,
                             size_t errlen) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        if (err) snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Own process group, so a timeout kills the whole build. */
        setpgid(0, 0);
        if (cwd && chdir(cwd) != 0) _exit(126);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    time_t deadline = timeout_secs > 0 ? time(NULL) + timeout_secs : 0;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, deadline ? WNOHANG : 0);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            if (err) snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
        if (deadline && time(NULL) >= deadline) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (err) snprintf(err, errlen, "timed out after %d s", timeout_secs);
            return -1;
        }
        if (deadline) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        if (code == 126 && err) snprintf(err, errlen, "cannot enter directory %s", cwd ? cwd : ".");
        return code;
    }
    if (err) snprintf(err, errlen, "killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}

void blvm_commons_determinism_result_clear(blvm_commons_determinism_result *res) {
    blvm_commons_sums_clear(&res->runs[0]);
    blvm_commons_sums_clear(&res->runs[1]);
    res->differing = res->only_one = 0;
}

static bool one_run(const blvm_commons_determinism_opts *o, int n, blvm_commons_sums *out,
                    char *err, size_t errlen) {
    /* Different directory names on purpose: a build that records its own
     * path is not reproducible. */
    char dir[256];
    snprintf(dir, sizeof(dir), "/tmp/blvm-determinism-%d-run%d-XXXXXX", (int)getpid(), n);
    if (!mkdtemp(dir)) {
        if (err) snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
        return false;
    }
    bool ok = true;
    char e2[512];
    if (o->src_dir) {
        char cmd[8400];
        snprintf(cmd, sizeof(cmd), "cp -a -- \"$BLVM_SRC\"/. .");
        if (setenv("BLVM_SRC", o->src_dir, 1) != 0 ||
            blvm_commons_run_command(cmd, dir, 0, e2, sizeof(e2)) != 0) {
            if (err) snprintf(err, errlen, "run %d: could not copy source tree %s", n, o->src_dir);
            ok = false;
        }
    }
    if (ok) {
        setenv("BLVM_BUILD_DIR", dir, 1);
        e2[0] = '\0';
        int rc = blvm_commons_run_command(o->cmd, dir, o->timeout_secs, e2, sizeof(e2));
        if (rc != 0) {
            if (err) {
                if (rc < 0) snprintf(err, errlen, "run %d: build command failed: %s", n, e2);
                else snprintf(err, errlen, "run %d: build command exited with status %d", n, rc);
            }
            ok = false;
        }
    }
    if (ok) {
        char outdir[4400];
        snprintf(outdir, sizeof(outdir), "%s/%s", dir, o->out_dir);
        struct stat st;
        if (stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (err) snprintf(err, errlen, "run %d: the build left no output directory '%s'", n, o->out_dir);
            ok = false;
        } else if (!blvm_commons_sums_create(out, outdir, NULL, e2, sizeof(e2))) {
            if (err) snprintf(err, errlen, "run %d: %s", n, e2);
            ok = false;
        }
    }
    if (!blvm_commons_remove_tree(dir)) {
        fprintf(stderr, "blvm-commons: warning: could not remove %s\n", dir);
    }
    return ok;
}

bool blvm_commons_determinism_run(const blvm_commons_determinism_opts *o,
                                  blvm_commons_determinism_result *res, char *err, size_t errlen) {
    memset(res, 0, sizeof(*res));
    if (!o->out_dir || !*o->out_dir || o->out_dir[0] == '/' || !blvm_commons_sums_name_ok(o->out_dir)) {
        if (err) snprintf(err, errlen, "--out must be a relative directory inside the build directory, without '..'");
        return false;
    }
    for (int n = 0; n < 2; n++) {
        if (!one_run(o, n + 1, &res->runs[n], err, errlen)) {
            blvm_commons_determinism_result_clear(res);
            return false;
        }
    }
    /* Both lists are sorted by name: merge them. */
    const blvm_commons_sums *a = &res->runs[0], *b = &res->runs[1];
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i >= a->n ? 1 : j >= b->n ? -1 : strcmp(a->entries[i].name, b->entries[j].name);
        if (c == 0) {
            if (memcmp(a->entries[i].hash, b->entries[j].hash, 32) != 0) res->differing++;
            i++;
            j++;
        } else {
            res->only_one++;
            if (c < 0) i++;
            else j++;
        }
    }
    return true;
}

int blvm_commons_determinism_main(blvm_commons_ctx *ctx, int argc, char **argv) {
    (void)ctx;
    const char *cmd = NULL, *out = NULL, *src = NULL, *timeout = NULL;
    blvm_commons_opt opts[] = {{"cmd", &cmd, NULL}, {"out", &out, NULL}, {"src", &src, NULL},
                               {"timeout", &timeout, NULL}};
    const char *pos[1];
    size_t npos;
    if (!blvm_commons_parse_args(argc, argv, 1, opts, 4, pos, 0, &npos)) return BLVM_COMMONS_EXIT_USAGE;
    if (!cmd || !out) {
        blvm_commons_errorf("usage: deterministic-check --cmd \"BUILD COMMAND\" --out OUTPUT_DIR [--src SOURCE_DIR] [--timeout SECS]");
        return BLVM_COMMONS_EXIT_USAGE;
    }
    blvm_commons_determinism_opts o = {cmd, out, src, 0};
    if (timeout) {
        char *end;
        long t = strtol(timeout, &end, 10);
        if (*end || t < 1 || t > 7 * 86400) {
            blvm_commons_errorf("--timeout must be seconds from 1 to 604800, not '%s'", timeout);
            return BLVM_COMMONS_EXIT_USAGE;
        }
        o.timeout_secs = (int)t;
    }
    char err[1024];
    blvm_commons_determinism_result res;
    if (!blvm_commons_determinism_run(&o, &res, err, sizeof(err))) {
        blvm_commons_errorf("%s", err);
        return BLVM_COMMONS_EXIT_FAIL;
    }
    const blvm_commons_sums *a = &res.runs[0], *b = &res.runs[1];
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i >= a->n ? 1 : j >= b->n ? -1 : strcmp(a->entries[i].name, b->entries[j].name);
        if (c == 0) {
            if (memcmp(a->entries[i].hash, b->entries[j].hash, 32) != 0) {
                char h1[65], h2[65];
                blvm_hex_encode(h1, a->entries[i].hash, 32);
                blvm_hex_encode(h2, b->entries[j].hash, 32);
                printf("DIFFERS %s run1 %s run2 %s\n", a->entries[i].name, h1, h2);
            } else {
                char h1[65];
                blvm_hex_encode(h1, a->entries[i].hash, 32);
                printf("SAME    %s %s\n", a->entries[i].name, h1);
            }
            i++;
            j++;
        } else if (c < 0) {
            printf("ONLY-IN-RUN1 %s\n", a->entries[i++].name);
        } else {
            printf("ONLY-IN-RUN2 %s\n", b->entries[j++].name);
        }
    }
    int rc = BLVM_COMMONS_EXIT_OK;
    if (res.differing || res.only_one) {
        blvm_commons_errorf("build is NOT deterministic: %zu files differ, %zu only in one run", res.differing, res.only_one);
        rc = BLVM_COMMONS_EXIT_FAIL;
    } else if (a->n == 0) {
        blvm_commons_errorf("the build produced no files in '%s'", out);
        rc = BLVM_COMMONS_EXIT_FAIL;
    } else {
        printf("deterministic: %zu files identical in both runs\n", a->n);
    }
    blvm_commons_determinism_result_clear(&res);
    return rc;
}
