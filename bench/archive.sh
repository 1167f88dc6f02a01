#!/usr/bin/env bash
# Prints the path of bin/lockstep in the distribution archive, unpacked under target/bench-archive.
# It is built (dist/package, with $LOCKSTEP_JDK's runtime when set) when missing or older than the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/bench-archive
launcher="$(ls "$dir"/lockstep-*/bin/lockstep 2>/dev/null | head -1 || true)"
if [ -z "$launcher" ] || [ target/lockstep.jar -nt "$launcher" ]; then
  dist/lockstep --version >/dev/null   # builds the jar when the sources changed
  tarball="$(dist/package --skip-build --out target 2>/dev/null | tail -1)"
  rm -rf "$dir" && mkdir -p "$dir"
  tar -C "$dir" -xzf "$tarball"
  launcher="$(ls "$dir"/lockstep-*/bin/lockstep | head -1)"
fi
echo "$(cd "$(dirname "$launcher")" && pwd)/lockstep"
