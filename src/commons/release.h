#ifndef BLVM_COMMONS_RELEASE_H
#define BLVM_COMMONS_RELEASE_H

/* Releases, in two steps so maintainers can sign in between:
 *
 *  release prepare VERSION [--run REF]
 *      copies the run's verified artifacts into
 *      <release_dir>/staging/VERSION/, writes SHA256SUMS over them and
 *      RELEASE_NOTES.md (version, run, components and their builds, every
 *      artifact with size and hash). Prints what to sign.
 *  blvm-commons sign <staging>/SHA256SUMS --key K     (each maintainer)
 *  release create VERSION [--run REF] [--keys KR] [--threshold N]
 *                 [--target local|github] [--dir DIR] [--notes FILE]
 *      prepares when nothing is staged, re-checks every staged file against
 *      SHA256SUMS, refuses unless SHA256SUMS.sig holds at least the
 *      threshold of valid signatures from distinct keyring keys, then
 *      publishes: to DIR/VERSION/ (local), or as a GitHub release (tag
 *      VERSION, prerelease when VERSION contains alpha, beta or rc) with
 *      every file uploaded as an asset. The release and its assets are
 *      recorded in the database with an audit entry.
 */

#include <stdbool.h>

#include "commons/cli.h"

/* Whether VERSION names a pre-release (contains alpha, beta or rc). */
bool blvm_commons_release_is_prerelease(const char *version);
/* Whether VERSION is usable as a tag and directory name. */
bool blvm_commons_release_version_ok(const char *version);

/* `release` subcommand: prepare | create | list. */
int blvm_commons_release_main(blvm_commons_ctx *ctx, int argc, char **argv);

#endif
