/* Fuzzes what an authenticated webhook sender controls: the signature
 * header, the /governance-sign comment parser, and the governance event
 * handlers on arbitrary JSON payloads (against one SQLite database per
 * process, without a GitHub client). The first byte picks the target.
 * Nothing may crash; a verified signature must be the real HMAC. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commons/config.h"
#include "commons/db.h"
#include "commons/governance.h"
#include "commons/migrations.h"
#include "commons/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static blvm_db *g_db;
static blvm_commons_config *g_cfg;

static bool setup(void) {
    if (g_db) return true;
    char dir[] = "/tmp/blvm_fuzz_gov_XXXXXX";
    if (!mkdtemp(dir)) return false;
    char url[128], err[256];
    snprintf(url, sizeof(url), "%s/c.db", dir);
    g_cfg = blvm_commons_config_parse(
        "{\"mode\":\"enforcing\",\"governance\":{\"rules\":[{\"kind\":\"tier\",\"level\":2,"
        "\"paths\":[\"src/**\"],\"title_markers\":[\"[x]\"],\"signatures\":1}]},"
        "\"maintainers\":[{\"name\":\"m\",\"github\":\"m\",\"pubkey\":"
        "\"79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798\"}]}",
        "fuzz", err, sizeof(err));
    if (!g_cfg || !blvm_db_open(&g_db, url, err, sizeof(err)) || !blvm_commons_migrate(g_db))
        abort();
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 1 << 16) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[512];
    switch (data[0] % 5) {
    case 0: {
        char key[65];
        uint8_t sig[64];
        int rc = blvm_governance_parse_sign(text, key, sig, err, sizeof(err));
        if (rc < -1 || rc > 1) abort();
        if (rc == 1 && key[0] && strlen(key) != 64) abort();
        break;
    }
    case 1: {
        /* header NUL body */
        size_t hl = strnlen(text, size - 1);
        const uint8_t *body = (const uint8_t *)text + (hl < size - 1 ? hl + 1 : hl);
        size_t bl = size - 1 - (size_t)(body - (const uint8_t *)text);
        blvm_webhook_sig_result r = blvm_webhook_verify("secret", body, bl, text);
        if (r == BLVM_WEBHOOK_SIG_OK) {
            char good[72];
            blvm_webhook_sign(good, "secret", body, bl);
            if (strcasecmp(good, text) != 0) abort();
        }
        break;
    }
    default: {
        if (!setup()) break;
        json_t *j = json_loads(text, 0, NULL);
        if (json_is_object(j)) {
            blvm_governance_ctx g = {g_cfg, g_db, NULL, 1800000000, "fuzz"};
            int rc;
            if (data[0] % 5 == 2)
                rc = blvm_governance_on_pull_request(&g, j, err, sizeof(err));
            else if (data[0] % 5 == 3)
                rc = blvm_governance_on_issue_comment(&g, j, err, sizeof(err));
            else
                rc = blvm_governance_on_review(&g, j, err, sizeof(err));
            if (rc < -1 || rc > 1) abort();
            /* Whatever happened, no transaction is left open. */
            if (blvm_db_in_transaction(g_db)) abort();
        }
        json_decref(j);
        break;
    }
    }
    free(text);
    return 0;
}
