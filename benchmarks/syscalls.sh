#!/usr/bin/env bash
#
# Counts the system calls of one uncontended acquire+release of forward-lock's file
# backend and of Lucene's NativeFSLockFactory (obtainLock/close), and of one
# LockLease.ensureHeld() on a held file lease, with strace -f -c.
#
# Each variant runs twice in a fresh JVM (SyscallDriver in benchmarks.jar): once with 0
# cycles (start-up, class loading, set-up and one warm-up cycle) and once with N cycles;
# the difference divided by N is the cost of one cycle. The JVM runs interpreted with the
# serial collector (-Xint -XX:+UseSerialGC), so that no compiler thread and fewer collector
# threads add calls of their own; futex calls (threads waking each other) are shown apart.
#
# Usage:
#   ./mvnw -B -q -pl benchmarks -am package -DskipTests   # builds benchmarks.jar
#   benchmarks/syscalls.sh                                # 2000 cycles of each variant
#   benchmarks/syscalls.sh --cycles 5000 --detail
#
# Options:
#   --cycles N        cycles per measured run (default 2000)
#   --detail          also print the per-cycle count of each system call
#   --dir DIR         parent of the lock directories (default: java.io.tmpdir's /tmp)
#   --benchmarks-jar PATH  (default: <repo>/benchmarks/target/benchmarks.jar)
#   -h, --help        this text
#
# Needs Linux, strace, and a JDK 17 (java on PATH or JAVA_HOME).
# Exit status: 0 when every run completed, 1 on a failed run, 2 on bad usage.

set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

cycles=2000
detail=false
parent=${TMPDIR:-/tmp}
benchmarks_jar="$repo_dir/benchmarks/target/benchmarks.jar"

usage() {
	sed -n '3,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

fail_usage() {
	echo "syscalls.sh: $1" >&2
	echo "Run 'benchmarks/syscalls.sh --help' for usage." >&2
	exit 2
}

while (($#)); do
	case "$1" in
	--cycles) cycles=${2:-}; shift 2 || fail_usage "--cycles needs a number" ;;
	--detail) detail=true; shift ;;
	--dir) parent=${2:-}; shift 2 || fail_usage "--dir needs a directory" ;;
	--benchmarks-jar) benchmarks_jar=${2:-}; shift 2 || fail_usage "--benchmarks-jar needs a path" ;;
	-h | --help) usage; exit 0 ;;
	*) fail_usage "unknown argument '$1'" ;;
	esac
done

[[ $cycles =~ ^[1-9][0-9]*$ ]] || fail_usage "--cycles must be a positive integer, got '$cycles'"
command -v strace >/dev/null || fail_usage "strace is required (apt-get install strace)"
[[ -f $benchmarks_jar ]] ||
	fail_usage "no benchmarks jar at $benchmarks_jar; build it with: ./mvnw -B -q -pl benchmarks -am package -DskipTests"
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
	java_bin=$JAVA_HOME/bin/java
else
	java_bin=$(command -v java) || fail_usage "no java found: put a JDK 17 on PATH or set JAVA_HOME"
fi

work_dir=$(mktemp -d "$parent/forward-lock-syscalls.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT

# count VARIANT CYCLES: runs the driver under strace, leaves the summary in
# $work_dir/VARIANT-CYCLES.txt
count() {
	local variant=$1 n=$2 out="$work_dir/$1-$2.txt"
	strace -f -c -o "$out" "$java_bin" -Xint -XX:+UseSerialGC -cp "$benchmarks_jar" \
		io.forwardlock.benchmarks.SyscallDriver "$variant" "$n" "$work_dir/locks-$variant-$n" >/dev/null ||
		{ echo "syscalls.sh: the $variant run with $n cycles failed" >&2; exit 1; }
}

# calls FILE: prints "syscall calls" per line of an strace -c summary
calls() {
	awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $4 }' "$1"
}

# per_cycle VARIANT: prints "total without_futex" per cycle
per_cycle() {
	local variant=$1
	awk -v n="$cycles" '
		FNR == NR { base[$1] = $2; next }
		{ d = $2 - base[$1]; total += d; if ($1 != "futex") quiet += d }
		END { printf "%.1f %.1f\n", total / n, quiet / n }' \
		<(calls "$work_dir/$variant-0.txt") <(calls "$work_dir/$variant-$cycles.txt")
}

# breakdown VARIANT: prints each system call's count per cycle, largest first
breakdown() {
	local variant=$1
	awk -v n="$cycles" '
		FNR == NR { base[$1] = $2; next }
		{ d = ($2 - base[$1]) / n; if (d >= 0.05) printf "    %-18s %6.1f\n", $1, d }' \
		<(calls "$work_dir/$variant-0.txt") <(calls "$work_dir/$variant-$cycles.txt") | sort -k2 -g -r
}

variants=(forward forward-heartbeat lucene ensure-held)
descriptions=(
	"forward-lock file backend: tryAcquire + release"
	"the same with the heartbeat on (takeover lock, token)"
	"Lucene NativeFSLockFactory: obtainLock + close"
	"forward-lock file lease: ensureHeld"
)

echo "system calls per cycle, $cycles cycles against a 0-cycle baseline; $("$java_bin" -version 2>&1 | head -n 1);" \
	"kernel $(uname -r); lock directory on $(df -PT "$work_dir" | awk 'NR == 2 { print $2 }'); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %8s %14s\n' "variant" "calls" "without futex"
for i in "${!variants[@]}"; do
	count "${variants[$i]}" 0
	count "${variants[$i]}" "$cycles"
	read -r total quiet <<<"$(per_cycle "${variants[$i]}")"
	printf '%-52s %8s %14s\n' "${descriptions[$i]}" "$total" "$quiet"
	if $detail; then
		breakdown "${variants[$i]}"
	fi
done
