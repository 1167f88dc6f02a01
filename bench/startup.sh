#!/usr/bin/env bash
# Start-up cost of lockstep against the JVM's own floor, measured in the same run:
#   java -version                      the baseline: a JVM that starts and exits
#   lockstep --version                 picocli + our classes, through dist/lockstep (CDS)
#   lockstep plan (30 steps)           load, validate, resolve and print a 30-step runbook, each step
#                                      with a read-only check that plan runs (a bash process)
#   the same two without the launcher  plain `java -jar`, no class-data-sharing archive
#   the same two from the distribution archive (dist/package; LOCKSTEP_JDK=a JDK 24+ for its AOT cache)
#   the archive's plan of the same runbook without its checks: what the 30 processes cost
#   30 `bash -c true` from bash, one after another: those processes' own floor on this machine
# Prints the median of N runs (default 10) in milliseconds and the ratio to the baseline.
# Targets (issue 12), from the archive: --version under 150 ms, the 30-step plan under 250 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

dist/lockstep --version >/dev/null          # builds on first use and makes the CDS archive
archive="$(bench/archive.sh)"
book="$(mktemp --suffix=.yaml)"
unchecked="$(mktemp --suffix=.yaml)"
trap 'rm -f "$book" "$unchecked"' EXIT
{
  echo "lockstep: 1"
  echo "name: bench-30"
  echo "params: { stack: { default: relay }, region: { default: me-central-1, pattern: '[a-z]+-[a-z]+-\\d' } }"
  echo "steps:"
  for i in $(seq 1 30); do
    prev=$((i - 1))
    echo "  - id: step-$i"
    echo "    title: Step $i of the bench runbook"
    if [ "$i" -gt 1 ]; then
      echo "    run: echo \"\${{ params.stack }} \${{ steps.step-$prev.outputs.value }}\""
    else
      echo "    run: echo \"\${{ params.stack }} in \${{ params.region }}\""
    fi
    echo "    outputs: { value: \"\${{ result.stdout }}\" }"
    echo "    check: [ { run: \"true\", readOnly: true } ]"
    echo "    rollback: { run: echo undo $i }"
  done
} > "$book"
grep -v 'check:' "$book" > "$unchecked"

median_ms() {
  local samples=()
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    samples+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'
}

base=$(median_ms "$java" -version)
version=$(median_ms dist/lockstep --version)
plan=$(median_ms dist/lockstep plan "$book")
version_archive=$(median_ms "$archive" --version)
plan_archive=$(median_ms "$archive" plan "$book")
plan_unchecked=$(median_ms "$archive" plan "$unchecked")
bash30=$(median_ms bash -c 'for i in $(seq 30); do bash --noprofile --norc -eo pipefail -c true; done')
version_plain=$(median_ms "$java" -jar target/lockstep.jar --version)
plan_plain=$(median_ms "$java" -jar target/lockstep.jar plan "$book")

printf '%-40s %8s %8s\n' "command (median of $runs)" "ms" "x java"
echo "archive: $archive ($("$(dirname "$archive")/../runtime/bin/java" -version 2>&1 | head -1))"
row() { printf '%-40s %8d %8.2f\n' "$1" "$2" "$(echo "$2 / $base" | bc -l)"; }
row "java -version (baseline)" "$base"
row "dist/lockstep --version" "$version"
row "dist/lockstep plan (30 steps)" "$plan"
row "archive: lockstep --version" "$version_archive"
row "archive: lockstep plan (30 steps)" "$plan_archive"
row "archive: the same plan without its checks" "$plan_unchecked"
row "30 bash processes, one by one, from bash" "$bash30"
row "java -jar lockstep.jar --version" "$version_plain"
row "java -jar lockstep.jar plan (30 steps)" "$plan_plain"
