#!/bin/sh
# run_fuzz.sh TARGET SEED_CORPUS N_TARGETS: fuzz TARGET for its share of
# BLVM_FUZZ_SECONDS (default 60), in a scratch corpus seeded from SEED_CORPUS.
set -eu
target=$1 seeds=$2 n=$3
total=${BLVM_FUZZ_SECONDS:-60}
secs=$((total / n))
[ "$secs" -ge 2 ] || secs=2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
exec "$target" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 "$work"
