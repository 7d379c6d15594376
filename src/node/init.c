/* Start-up and shutdown: see init.h. */
#include "node/init.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/os.h"

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Creates and deletes a file: access(W_OK) is not enough (read-only mounts,
 * root ignoring modes, ACLs). */
static bool dir_writable(const char *dir) {
    size_t n = strlen(dir) + 64;
    char *p = malloc(n);
    if (!p) return false;
    snprintf(p, n, "%s/.blvm_write_test.%ld", dir, (long)getpid());
    int fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (ok) {
        close(fd);
        unlink(p);
    }
    free(p);
    return ok;
}

static bool prepare_dir(const char *dir, const char *what, bool create, char *err,
                        size_t errlen) {
    if (!is_dir(dir)) {
        if (!create) {
            blvm_err_set(err, errlen, "Specified %s \"%s\" does not exist.", what, dir);
            return false;
        }
        /* Mode 0700 for what we create: the data dir holds the cookie. */
        if (!blvm_os_mkdirs(dir, 0700)) {
            blvm_err_set(err, errlen, "Cannot create %s '%s': %s", what, dir, strerror(errno));
            return false;
        }
    }
    if (!dir_writable(dir)) {
        blvm_err_set(err, errlen, "Cannot write to %s '%s'; check permissions.", what, dir);
        return false;
    }
    return true;
}

bool blvm_init_datadir(const blvm_config *cfg, char *err, size_t errlen) {
    bool explicit_dir = blvm_config_get_str(cfg, "datadir", NULL) != NULL;
    if (!prepare_dir(blvm_config_datadir(cfg), "data directory", !explicit_dir, err, errlen))
        return false;
    if (!prepare_dir(blvm_config_netdir(cfg), "data directory", true, err, errlen)) return false;
    const char *bd = blvm_config_get_str(cfg, "blocksdir", NULL);
    if (bd && bd[0] && !blvm_config_is_negated(cfg, "blocksdir")) {
        if (!prepare_dir(bd, "blocks directory", false, err, errlen)) return false;
    }
    return true;
}

int blvm_init_lock_dir(const char *dir, char *err, size_t errlen) {
    size_t n = strlen(dir) + 8;
    char *p = malloc(n);
    if (!p) {
        blvm_err_set(err, errlen, "out of memory");
        return -1;
    }
    snprintf(p, n, "%s/.lock", dir);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        blvm_err_set(err, errlen, "Cannot open lock file %s: %s", p, strerror(errno));
        free(p);
        return -1;
    }
    free(p);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK) {
            blvm_err_set(err, errlen,
                         "Cannot obtain a lock on data directory %s. blvmd is probably already "
                         "running.",
                         dir);
        } else {
            blvm_err_set(err, errlen, "Cannot lock data directory %s: %s", dir, strerror(e));
        }
        return -1;
    }
    return fd;
}

void blvm_init_unlock_dir(int fd) {
    if (fd < 0) return;
    flock(fd, LOCK_UN);
    close(fd);
}

bool blvm_init_write_pidfile(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "w");
    if (!f) {
        blvm_err_set(err, errlen, "Unable to create the PID file '%s': %s", path, strerror(errno));
        return false;
    }
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0) {
        blvm_err_set(err, errlen, "Unable to write the PID file '%s': %s", path, strerror(errno));
        return false;
    }
    return true;
}

void blvm_init_remove_pidfile(const char *path) {
    if (path) unlink(path);
}

/* ---- -daemon ---- */

static int g_daemon_fd = -1;

bool blvm_init_daemonize(bool wait, char *err, size_t errlen) {
    int fds[2];
    if (pipe(fds) != 0) {
        blvm_err_set(err, errlen, "-daemon: pipe failed: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        blvm_err_set(err, errlen, "-daemon: fork failed: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid > 0) {
        /* Parent: report the child's start-up result when asked to. */
        close(fds[1]);
        int code = 0;
        if (wait) {
            char c = 0;
            ssize_t r;
            do {
                r = read(fds[0], &c, 1);
            } while (r < 0 && errno == EINTR);
            code = (r == 1 && c == 'y') ? 0 : 1;
            if (code) fprintf(stderr, "Error during initialization - check debug.log for details\n");
        }
        _exit(code);
    }
    close(fds[0]);
    g_daemon_fd = fds[1];
    if (setsid() < 0) {
        blvm_err_set(err, errlen, "-daemon: setsid failed: %s", strerror(errno));
        return false;
    }
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
        dup2(nul, STDIN_FILENO);
        dup2(nul, STDOUT_FILENO);
        dup2(nul, STDERR_FILENO);
        if (nul > STDERR_FILENO) close(nul);
    }
    return true;
}

void blvm_init_daemon_notify(bool ok) {
    if (g_daemon_fd < 0) return;
    char c = ok ? 'y' : 'n';
    ssize_t r = write(g_daemon_fd, &c, 1);
    (void)r;
    close(g_daemon_fd);
    g_daemon_fd = -1;
}

/* ---- shutdown hooks ---- */

#define MAX_HOOKS 64

typedef struct {
    blvm_shutdown_phase phase;
    const char *name;
    blvm_shutdown_fn fn;
    void *arg;
} hook;

static pthread_mutex_t g_hooks_mutex = PTHREAD_MUTEX_INITIALIZER;
static hook g_hooks[MAX_HOOKS];
static size_t g_nhooks;

bool blvm_init_add_shutdown_hook(blvm_shutdown_phase phase, const char *name, blvm_shutdown_fn fn,
                                 void *arg) {
    pthread_mutex_lock(&g_hooks_mutex);
    bool ok = g_nhooks < MAX_HOOKS;
    if (ok) g_hooks[g_nhooks++] = (hook){phase, name, fn, arg};
    pthread_mutex_unlock(&g_hooks_mutex);
    return ok;
}

void blvm_init_run_shutdown_phase(blvm_node *node, blvm_shutdown_phase phase) {
    hook local[MAX_HOOKS];
    size_t n = 0;
    pthread_mutex_lock(&g_hooks_mutex);
    size_t keep = 0;
    for (size_t i = 0; i < g_nhooks; i++) {
        if (g_hooks[i].phase == phase)
            local[n++] = g_hooks[i];
        else
            g_hooks[keep++] = g_hooks[i];
    }
    g_nhooks = keep;
    pthread_mutex_unlock(&g_hooks_mutex);
    if (phase == BLVM_SHUTDOWN_INTERRUPT) {
        for (size_t i = 0; i < n; i++) {
            BLVM_LOG_DEBUG(BLVM_LOG_RPC, "Shutdown: interrupt %s", local[i].name);
            local[i].fn(node, local[i].arg);
        }
    } else {
        for (size_t i = n; i-- > 0;) {
            BLVM_LOG_INFO("Shutdown: stopping %s", local[i].name);
            local[i].fn(node, local[i].arg);
        }
    }
}

void blvm_init_run_shutdown(blvm_node *node) {
    blvm_init_run_shutdown_phase(node, BLVM_SHUTDOWN_INTERRUPT);
    blvm_init_run_shutdown_phase(node, BLVM_SHUTDOWN_STOP);
}

/* ---- signals ---- */

static void signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

void blvm_init_block_signals(void) {
    sigset_t set;
    signal_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void handle_signal(blvm_node *node, int sig) {
    if (sig == SIGINT || sig == SIGTERM) {
        if (!blvm_node_shutdown_requested(node))
            BLVM_LOG_INFO("Received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        blvm_node_request_shutdown(node);
    } else if (sig == SIGHUP) {
        if (!blvm_log_reopen()) BLVM_LOG_WARN("Could not reopen the debug log");
    }
}

static void *signal_thread_main(void *arg) {
    blvm_node *node = arg;
    blvm_log_set_thread_name("signal");
    sigset_t set;
    signal_set(&set);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        handle_signal(node, sig);
    }
    return NULL;
}

bool blvm_init_start_signal_thread(blvm_node *node) {
    pthread_t t;
    if (pthread_create(&t, NULL, signal_thread_main, node) != 0) return false;
    pthread_detach(t);
    return true;
}

void blvm_init_wait_for_shutdown(blvm_node *node) {
    sigset_t set;
    signal_set(&set);
    /* Poll the flag every 100 ms: the `stop` RPC sets it from a worker. */
    const struct timespec tick = {0, 100 * 1000 * 1000};
    while (!blvm_node_shutdown_requested(node)) {
        siginfo_t info;
        int sig = sigtimedwait(&set, &info, &tick);
        if (sig > 0) handle_signal(node, sig);
    }
}
