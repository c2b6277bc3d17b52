#!/bin/sh
# Runs `deno task bench:compare` on a clean export of one commit (default HEAD), so uncommitted
# edits in a shared checkout cannot leak into the figures, then copies the BENCHMARKS.md it wrote
# (with --write) back into this checkout.
#   bench/compare_commit.sh [COMMIT] [compare flags...]     e.g. bench/compare_commit.sh HEAD --write --repeat 5
set -eu
cd "$(dirname "$0")/.."
commit="${1:-HEAD}"
[ $# -gt 0 ] && shift
sha=$(git rev-parse --short "$commit")
dir=$(mktemp -d "${TMPDIR:-/tmp}/capstan-bench-$sha-XXXXXX")
trap 'rm -rf "$dir"' EXIT
git archive "$sha" | tar -x -C "$dir"
(cd "$dir" && CAPSTAN_BENCH_COMMIT="$sha" deno run -A bench/compare.ts "$@")
case " $* " in
  *" --write "*) cp "$dir/BENCHMARKS.md" BENCHMARKS.md && echo "copied BENCHMARKS.md ($sha)" ;;
esac
