#ifndef BLVM_COMMONS_SERVE_H
#define BLVM_COMMONS_SERVE_H

/* `blvm-commons serve`: the governance service.
 *
 * HTTP (libevent evhttp) on server.listen:server.port (port 0 picks a free
 * one; the port is printed as "listening on ADDR:PORT" and written to
 * <data_dir>/serve.port):
 *
 *   POST /webhooks/github  GitHub webhooks. In order:
 *       413  body larger than server.max_body_bytes (25 MB)
 *       401  X-Hub-Signature-256 missing, malformed or wrong (HMAC-SHA256
 *            of the raw body with BLVM_COMMONS_WEBHOOK_SECRET); logged and
 *            recorded in webhook_rejections
 *       400  no/invalid X-GitHub-Delivery or X-GitHub-Event, or the body
 *            is not a JSON object (recorded too)
 *       200  {"status":"duplicate"}  delivery id seen before: not acted on
 *       202  {"status":"ignored"}    an event governance does not handle
 *       200  {"status":"queued"}     recorded with its job in one
 *            transaction, processed by the worker thread in order
 *       500  database error (GitHub redelivers)
 *   GET /health   200 {"status":"ok",...} when the database answers, else 503
 *   GET /status   counts of deliveries, jobs, runs, pull requests and the
 *                 latest decisions
 *
 * Handled events: pull_request (opened, synchronize, reopened, edited,
 * closed), issue_comment (/governance-sign), pull_request_review, release
 * (published: starts an orchestration run, in the orchestrator thread),
 * repository_dispatch (action build-complete: client_payload.build_id,
 * conclusion, run_id), ping.
 *
 * Threads: the event loop (HTTP, authentication, recording), one worker
 * (jobs from the database, in order; jobs left "running" by a crash are
 * queued again at start) and one orchestrator (drives every unfinished run;
 * resumes runs after a restart). SIGTERM/SIGINT stop all three.
 */

#include "commons/cli.h"

/* Options: [--listen ADDR] [--port N]. Returns an exit code. */
int blvm_commons_serve_main(blvm_commons_ctx *ctx, int argc, char **argv);

#endif
