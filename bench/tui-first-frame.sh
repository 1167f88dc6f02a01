#!/usr/bin/env bash
# Time from launching `dist/lockstep run` in a real terminal (tmux) to the first frame of
# the UI on screen, median of N runs, beside `java -version` run the same way as the
# baseline. Each run starts a fresh state dir, so no run is reopened. Then the archive's
# first frame with the terminal's answers 100 ms late (bench/slow-tty.py), as over ssh,
# beside `java -version` through the same pty: the difference is what waits for the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
sock="lockstep-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
dist/lockstep --version >/dev/null
archive="$(bench/archive.sh)"

# Milliseconds from starting $2 in a tmux pane until the pane shows $1.
time_to_screen() {
  local marker="$1" cmd="$2" t0 t1
  tmux -L "$sock" kill-session -t bench 2>/dev/null || true
  t0=$(date +%s%N)
  tmux -L "$sock" new-session -d -s bench -x 100 -y 30 "$cmd; sleep 30"
  until tmux -L "$sock" capture-pane -p -t bench | grep -q "$marker"; do sleep 0.005; done
  t1=$(date +%s%N)
  tmux -L "$sock" kill-session -t bench
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
base=$(for _ in $(seq 1 "$runs"); do time_to_screen "openjdk\|version" "$java -version 2>&1"; done | median)
frame=$(for _ in $(seq 1 "$runs"); do
  state=$(mktemp -d)
  time_to_screen "lockstep │" "dist/lockstep run runbooks/demo.yaml --state-dir $state"
  rm -rf "$state"
done | median)
packed=$(for _ in $(seq 1 "$runs"); do
  state=$(mktemp -d)
  time_to_screen "lockstep │" "$archive run runbooks/demo.yaml --state-dir $state"
  rm -rf "$state"
done | median)
# Over ssh: the same, through a pty whose input arrives 100 ms late (what waits for the terminal's answer pays it).
remote=$(for _ in $(seq 1 "$runs"); do
  state=$(mktemp -d)
  time_to_screen "lockstep │" "python3 bench/slow-tty.py $archive run runbooks/demo.yaml --state-dir $state"
  rm -rf "$state"
done | median)
remote_base=$(for _ in $(seq 1 "$runs"); do time_to_screen "openjdk\|version" "python3 bench/slow-tty.py $java -version"; done | median)
printf '%-46s %8s %8s\n' "in tmux (median of $runs)" "ms" "x java"
printf '%-46s %8d %8.2f\n' "java -version on screen (baseline)" "$base" 1
printf '%-46s %8d %8.2f\n' "lockstep run: first frame of the UI" "$frame" "$(echo "$frame / $base" | bc -l)"
printf '%-46s %8d %8.2f\n' "archive: first frame of the UI (target 300)" "$packed" "$(echo "$packed / $base" | bc -l)"
printf '%-46s %8d %8.2f\n' "input 100 ms late: java -version (baseline)" "$remote_base" 1
printf '%-46s %8d %8.2f\n' "input 100 ms late: archive, first frame" "$remote" "$(echo "$remote / $remote_base" | bc -l)"
