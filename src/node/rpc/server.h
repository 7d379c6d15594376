#ifndef BLVM_NODE_RPC_SERVER_H
#define BLVM_NODE_RPC_SERVER_H

/* The JSON-RPC HTTP server: libevent's evhttp on its own thread, a bounded
 * work queue and -rpcthreads worker threads that run the methods of a
 * blvm_rpc_table (rpc.h), HTTP Basic authentication (cookie, -rpcuser /
 * -rpcpassword, -rpcauth) and -rpcallowip filtering, as bitcoind does.
 *
 * Life cycle (src/bin/blvmd.c):
 *   blvm_rpc_server_start()     binds -rpcbind/-rpcport, writes the cookie
 *   ...                         requests are served
 *   blvm_rpc_server_interrupt() new requests get 503, queued work finishes
 *   blvm_rpc_server_stop()      waits for workers and pending replies,
 *                               removes the cookie, frees everything */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node.h"
#include "node/rpc/rpc.h"
#include "util/common.h"

struct blvm_config;
typedef struct blvm_rpc_server blvm_rpc_server;

/* Starts the server for node->rpc_table with the settings of cfg. On
 * failure returns NULL and writes one clear sentence into err (e.g. "Unable
 * to bind any endpoint for RPC server: port 18443 in use"). */
blvm_rpc_server *blvm_rpc_server_start(blvm_node *node, const struct blvm_config *cfg, char *err,
                                       size_t errlen);
/* Stops accepting work; safe to call more than once, from any thread. */
void blvm_rpc_server_interrupt(blvm_rpc_server *s);
/* Joins all threads, removes the cookie file and frees s (NULL is fine). */
void blvm_rpc_server_stop(blvm_rpc_server *s);

/* Port actually bound (first endpoint). */
uint16_t blvm_rpc_server_port(const blvm_rpc_server *s);

/* ---- authentication, exposed for tests ---- */

/* Checks an "Authorization" header value ("Basic <base64 user:pass>")
 * against "user:pass" (cookie or -rpcuser/-rpcpassword; NULL if none) and
 * the -rpcauth entries ("user:salt$hexhmac", HMAC-SHA256 keyed with the salt
 * text over the password, as Core's share/rpcauth/rpcauth.py makes them).
 * On success copies the user name into user (NUL-terminated). */
BLVM_WUR bool blvm_rpc_check_auth(const char *header, const char *userpass,
                                  const char *const *rpcauth, size_t nrpcauth, char *user,
                                  size_t userlen);
/* True when an -rpcauth value has the user:salt$hash form. */
bool blvm_rpc_rpcauth_valid(const char *entry);

#endif
