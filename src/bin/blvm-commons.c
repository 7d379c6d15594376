/* blvm-commons: release verification, build orchestration and the
 * governance service. Everything lives in src/commons; see cli.h. */
#include "commons/cli.h"

int main(int argc, char **argv) {
    return blvm_commons_cli_main(argc, argv);
}
