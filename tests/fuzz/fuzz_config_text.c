/* Fuzzes the bitcoin.conf parser: arbitrary text must give either a config
 * or an error message, never a crash; getters on the result stay safe. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536) return 0;
    static char a0[] = "blvmd", a1[] = "-noconf", a2[] = "-datadir=/";
    char *argv[] = {a0, a1, a2, NULL};
    blvm_config_options opts = {
        .specs = blvm_config_blvmd_args,
        .nspecs = blvm_config_blvmd_args_count,
    };
    char err[512];
    blvm_config *c = blvm_config_load(&opts, 3, argv, err, sizeof err);
    if (!c) abort();
    char *text = malloc(size + 1);
    if (!text) {
        blvm_config_destroy(c);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    if (!blvm_config_read_conf_text(c, text, "fuzz.conf", err, sizeof err)) {
        if (err[0] == '\0') abort();
    } else {
        const char *const *v;
        (void)blvm_config_get_list(c, "addnode", &v);
        (void)blvm_config_get_list(c, "debug", &v);
        (void)blvm_config_get_int(c, "dbcache", 0);
        (void)blvm_config_get_str(c, "rpcuser", NULL);
        (void)blvm_config_rpc_port(c);
    }
    free(text);
    blvm_config_destroy(c);
    return 0;
}
