#!/usr/bin/env bash
# Runs the libFuzzer targets on demand from an existing build (build/tests/fuzz/), one at a time:
# each on a copy of its corpus, then the new inputs that add coverage are merged back into
# tests/fuzz/corpus/NAME/ (-set_cover_merge=1 -use_counters=0: -merge=1 choosing the fewest inputs
# that keep every edge covered, hit counts aside, so the kept corpus stays small). Prints each
# target's executions and result; exits non-zero if any target crashed, naming the reproducer.
#
#   scripts/fuzz.sh [--minutes N] [--runs N] [--build DIR] [TARGET...]
#
# TARGET is a name such as dhcp_client (or dhcp_client_fuzzer); none means every target built.
# --minutes N: each target runs N minutes (default 1); --runs N: each stops after N inputs, or
# after --minutes if that comes first (both given), or unbounded in time (--runs alone).
# A target with a dictionary, tests/fuzz/dict/NAME.dict, runs with it (-dict=).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=
runs=
build=build
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1%_fuzzer}"); shift ;;
  esac
done

bin_dir="$build/tests/fuzz"
if [[ ${#targets[@]} -eq 0 ]]; then
  for binary in "$bin_dir"/*_fuzzer; do
    [[ -x "$binary" ]] && targets+=("$(basename "${binary%_fuzzer}")")
  done
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz target in $bin_dir: cmake --build $build first" >&2
  exit 2
fi

# The same input bound as the CTest replay, so every kept input replays whole there.
max_len=4096
# Crash reproducers and logs outlive the run: they are what a failure report points at.
out_dir="$build/fuzz-runs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out_dir"
failed=0
for name in "${targets[@]}"; do
  binary="$bin_dir/${name}_fuzzer"
  kept="tests/fuzz/corpus/$name"
  if [[ ! -x "$binary" ]]; then
    echo "$name: no binary $binary" >&2
    failed=1
    continue
  fi
  mkdir -p "$kept"
  work="$out_dir/$name.corpus"
  mkdir -p "$work"
  cp -r "$kept"/. "$work"/
  log="$out_dir/$name.log"
  limit=()
  # A target's dictionary (tests/fuzz/dict/NAME.dict): the words its parser compares whole
  # (libmount's option names, the '-'/'_' of module names), which byte mutations rarely build.
  dict="tests/fuzz/dict/$name.dict"
  [[ -f "$dict" ]] && limit+=(-dict="$dict")
  [[ -n "$runs" ]] && limit+=(-runs="$runs")
  [[ -n "$minutes" || -z "$runs" ]] && limit+=(-max_total_time=$((${minutes:-1} * 60)))
  start=$(date +%s)
  status=0
  # One process, one job: the machine is shared.
  "$binary" "${limit[@]}" -max_len=$max_len -print_final_stats=1 -artifact_prefix="$out_dir/$name-" \
    "$work" >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - start ))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [[ $status -ne 0 ]]; then
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    # A crash stops the run before the final stats: the last status line has the count.
    [[ -n "$executions" ]] || executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    echo "$name: CRASH after ${executions:-?} executions in ${seconds} s: reproducer ${reproducer:-none written}, log $log"
    failed=1
    continue
  fi
  before=$(find "$kept" -type f | wc -l)
  # Minimize the old and new inputs together into an empty directory: only the inputs that
  # still add coverage are kept. Named seeds (golden packets, hand-written cases) always stay;
  # the fuzzer's own inputs are named by their SHA-1 and replaced by the minimized set.
  minimized="$out_dir/$name.minimized"
  mkdir -p "$minimized"
  "$binary" -set_cover_merge=1 -use_counters=0 -max_len=$max_len "$minimized" "$kept" "$work" >"$out_dir/$name.merge.log" 2>&1
  find "$kept" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
  named=$(find "$kept" -type f -exec sha1sum {} + | cut -d' ' -f1)
  for input in "$minimized"/*; do
    [[ -e "$input" ]] || continue
    grep -qx "$(basename "$input")" <<<"$named" || cp "$input" "$kept"/
  done
  after=$(find "$kept" -type f | wc -l)
  [[ $seconds -gt 0 ]] && rate=$((executions / seconds))
  echo "$name: ok, $executions executions in ${seconds} s (${rate:-?} exec/s), corpus $before -> $after files"
  if [[ $after -gt 300 ]]; then
    echo "$name: the kept corpus has $after files, more than the 300 CI should replay" >&2
  fi
done
exit $failed
