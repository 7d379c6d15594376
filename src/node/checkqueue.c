#include "node/checkqueue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 16

struct blvm_checkqueue {
    pthread_mutex_t m;
    pthread_cond_t work_cv; /* workers wait for checks */
    pthread_cond_t done_cv; /* complete() waits for workers to go idle */
    pthread_t *threads;
    int nthreads;
    blvm_script_check *items;
    size_t count, cap, next;
    size_t busy; /* workers running a batch */
    size_t idle; /* workers waiting for checks */
    bool failed;
    bool oom;
    blvm_script_error err;
    blvm_script_check failed_check;
    bool quit;
    uint64_t total;
};

bool blvm_script_check_run(const blvm_script_check *c, blvm_script_error *err) {
    const blvm_txin *in = &c->tx->vin[c->n_in];
    blvm_sig_checker checker = {
        .tx = c->tx, .n_in = c->n_in, .amount = c->spent->value, .txdata = c->txdata};
    return blvm_verify_script(in->script_sig.data, in->script_sig.len, c->spent->script_pubkey.data,
                              c->spent->script_pubkey.len, &in->witness, c->flags, &checker, err);
}

/* Takes up to BATCH_MAX checks (a share of what is left), under q->m. */
static size_t take(blvm_checkqueue *q, blvm_script_check *out) {
    size_t left = q->count - q->next;
    if (!left || q->failed) return 0;
    size_t share = left / (size_t)(q->nthreads + 1);
    if (share < 1) share = 1;
    if (share > BATCH_MAX) share = BATCH_MAX;
    memcpy(out, q->items + q->next, share * sizeof(*out));
    q->next += share;
    return share;
}

/* Runs a batch outside the lock, then records the outcome under it. */
static void run_batch(blvm_checkqueue *q, const blvm_script_check *batch, size_t n) {
    pthread_mutex_unlock(&q->m);
    size_t bad = n;
    blvm_script_error err = BLVM_SCRIPT_ERR_OK;
    for (size_t i = 0; i < n; i++) {
        if (!blvm_script_check_run(&batch[i], &err)) {
            bad = i;
            break;
        }
    }
    pthread_mutex_lock(&q->m);
    q->total += bad < n ? bad + 1 : n;
    if (bad < n && !q->failed) {
        q->failed = true;
        q->err = err;
        q->failed_check = batch[bad];
    }
}

static void *worker(void *arg) {
    blvm_checkqueue *q = arg;
    blvm_script_check batch[BATCH_MAX];
    pthread_mutex_lock(&q->m);
    for (;;) {
        size_t n;
        while (!q->quit && (n = take(q, batch)) == 0) {
            q->idle++;
            pthread_cond_wait(&q->work_cv, &q->m);
            q->idle--;
        }
        if (q->quit) break;
        q->busy++;
        run_batch(q, batch, n);
        q->busy--;
        if (q->busy == 0) pthread_cond_broadcast(&q->done_cv);
    }
    pthread_mutex_unlock(&q->m);
    return NULL;
}

blvm_checkqueue *blvm_checkqueue_create(int workers) {
    blvm_checkqueue *q = calloc(1, sizeof(*q));
    if (!q) return NULL;
    pthread_mutex_init(&q->m, NULL);
    pthread_cond_init(&q->work_cv, NULL);
    pthread_cond_init(&q->done_cv, NULL);
    if (workers < 0) workers = 0;
    if (workers) {
        q->threads = calloc((size_t)workers, sizeof(*q->threads));
        if (!q->threads) {
            blvm_checkqueue_destroy(q);
            return NULL;
        }
        for (int i = 0; i < workers; i++) {
            if (pthread_create(&q->threads[i], NULL, worker, q) != 0) break;
            q->nthreads++;
        }
    }
    return q;
}

void blvm_checkqueue_destroy(blvm_checkqueue *q) {
    if (!q) return;
    pthread_mutex_lock(&q->m);
    q->quit = true;
    pthread_cond_broadcast(&q->work_cv);
    pthread_mutex_unlock(&q->m);
    for (int i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    free(q->threads);
    free(q->items);
    pthread_mutex_destroy(&q->m);
    pthread_cond_destroy(&q->work_cv);
    pthread_cond_destroy(&q->done_cv);
    free(q);
}

bool blvm_checkqueue_add(blvm_checkqueue *q, const blvm_script_check *checks, size_t n) {
    if (!n) return true;
    pthread_mutex_lock(&q->m);
    bool ok = true;
    if (q->count + n > q->cap) {
        size_t cap = q->cap ? q->cap : 256;
        while (cap < q->count + n)
            cap *= 2;
        blvm_script_check *items = realloc(q->items, cap * sizeof(*items));
        if (!items) {
            ok = false;
            q->oom = true;
        } else {
            q->items = items;
            q->cap = cap;
        }
    }
    if (ok) {
        memcpy(q->items + q->count, checks, n * sizeof(*checks));
        q->count += n;
        /* wake sleepers only: a busy worker takes more when it is done */
        if (q->idle) pthread_cond_broadcast(&q->work_cv);
    }
    pthread_mutex_unlock(&q->m);
    return ok;
}

bool blvm_checkqueue_complete(blvm_checkqueue *q, blvm_script_error *err,
                              blvm_script_check *failed_check) {
    blvm_script_check batch[BATCH_MAX];
    pthread_mutex_lock(&q->m);
    size_t n;
    while ((n = take(q, batch)) != 0)
        run_batch(q, batch, n);
    while (q->busy)
        pthread_cond_wait(&q->done_cv, &q->m);
    bool ok = !q->failed && !q->oom;
    if (!ok) {
        *err = q->oom ? BLVM_SCRIPT_ERR_UNKNOWN_ERROR : q->err;
        if (failed_check) *failed_check = q->failed_check;
    } else {
        *err = BLVM_SCRIPT_ERR_OK;
    }
    q->count = q->next = 0;
    q->failed = q->oom = false;
    pthread_mutex_unlock(&q->m);
    return ok;
}

uint64_t blvm_checkqueue_total(const blvm_checkqueue *q) {
    return q->total;
}
