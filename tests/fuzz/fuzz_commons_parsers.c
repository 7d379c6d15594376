/* Fuzzes blvm-commons' text parsers: SHA256SUMS, signature files, keyrings
 * and the JSON config. The first byte picks the parser. For SHA256SUMS a
 * successful parse must survive a format/parse round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commons/config.h"
#include "commons/keys.h"
#include "commons/sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 1 << 16) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[256];
    switch (data[0] % 4) {
    case 0: {
        blvm_commons_sums s;
        if (blvm_commons_sums_parse(&s, (const char *)data + 1, size - 1, "fuzz", err, sizeof(err))) {
            char *out = blvm_commons_sums_format(&s);
            blvm_commons_sums again;
            if (!out || !blvm_commons_sums_parse(&again, out, strlen(out), "again", err, sizeof(err)))
                abort();
            if (again.n != s.n) abort();
            for (size_t i = 0; i < s.n; i++) {
                if (strcmp(again.entries[i].name, s.entries[i].name) != 0 ||
                    memcmp(again.entries[i].hash, s.entries[i].hash, 32) != 0)
                    abort();
            }
            blvm_commons_sums_clear(&again);
            free(out);
            blvm_commons_sums_clear(&s);
        }
        break;
    }
    case 1: {
        blvm_commons_sigfile sf;
        if (blvm_commons_sigfile_parse(&sf, text, "fuzz", err, sizeof(err))) blvm_commons_sigfile_clear(&sf);
        break;
    }
    case 2: {
        blvm_commons_keyring kr;
        if (blvm_commons_keyring_parse(&kr, text, "fuzz", err, sizeof(err))) blvm_commons_keyring_clear(&kr);
        break;
    }
    default: {
        blvm_commons_config *c = blvm_commons_config_parse(text, "fuzz", err, sizeof(err));
        blvm_commons_config_destroy(c);
        break;
    }
    }
    free(text);
    return 0;
}
