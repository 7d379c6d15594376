#include "consensus/validation.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void blvm_state_init(blvm_validation_state *s) {
    s->mode = BLVM_STATE_VALID;
    s->result = BLVM_RESULT_UNSET;
    s->reject_reason[0] = '\0';
    s->debug[0] = '\0';
}

bool blvm_state_invalid(blvm_validation_state *s, blvm_validation_result result,
                        const char *reject_reason, const char *debug_fmt, ...) {
    s->mode = BLVM_STATE_INVALID;
    s->result = result;
    snprintf(s->reject_reason, sizeof s->reject_reason, "%s", reject_reason);
    s->debug[0] = '\0';
    if (debug_fmt) {
        va_list ap;
        va_start(ap, debug_fmt);
        vsnprintf(s->debug, sizeof s->debug, debug_fmt, ap);
        va_end(ap);
    }
    return false;
}

bool blvm_state_error(blvm_validation_state *s, const char *reason) {
    s->mode = BLVM_STATE_ERROR;
    s->result = BLVM_RESULT_UNSET;
    snprintf(s->reject_reason, sizeof s->reject_reason, "%s", reason);
    s->debug[0] = '\0';
    return false;
}
