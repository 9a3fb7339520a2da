#!/usr/bin/env bash
#
# Whole-process measurements of forward-lock with the sample app on this machine:
#
#   startup   launch to /actuator/health UP, starter enabled versus
#             --forward.lock.enabled=false, alternating runs, reported as a ratio;
#             also the CPU time the JVM used until then (less sensitive to other load)
#   takeover  SIGKILL of the holder until a standby (--forward.lock.standby=true)
#             holds the lock (its PID is in the lock file) and until its health is UP
#   refusal   launch of a second instance until it exits with the refusal code (75),
#             by default and with --forward.lock.acquire-early=true
#   early     per run, a fresh holder's launch to health UP, then a duplicate's launch to
#             exit 75 by default (early probe), with --forward.lock.acquire-early=true and
#             with --forward.lock.early-probe=false, each as a ratio to that holder's
#             start-up; then the resident set size (VmRSS) of a hot standby
#             (--forward.lock.standby=true) and of a cold one (with acquire-early) once
#             each is blocked on the lock, and their ratio
#   jdbc-takeover  the JDBC backend on embedded PostgreSQL: SIGKILL of a lease holder
#             until a standby holds the lock (JdbcTakeoverMeasurement in benchmarks.jar;
#             stale timeout 4s, heartbeat 1s, standby polling every 1s)
#
# Usage:
#   ./mvnw -B -q package -DskipTests    # builds sample-app.jar and benchmarks.jar
#   benchmarks/measure.sh                 # everything, 10 runs each (about 10 minutes on 2 cores)
#   benchmarks/measure.sh --runs 20 --only startup
#
# Options:
#   --runs N          runs per measurement (default 10; startup runs N times each variant)
#   --only LIST       comma-separated subset of: startup,takeover,refusal,early,jdbc-takeover
#                     (default: all of them)
#   --jar PATH        sample app jar (default: <repo>/sample-app/target/sample-app.jar)
#   --benchmarks-jar PATH  (default: <repo>/benchmarks/target/benchmarks.jar)
#   --timeout SEC     deadline for any single wait, such as one startup (default 60)
#   --out DIR         where summary.json, runs.csv and the logs go
#                     (default: <repo>/benchmarks/target/measure)
#   --java-opt OPT    extra JVM option for every launched app (repeatable)
#   -h, --help        this text
#
# Needs a JDK 17 (java on PATH or JAVA_HOME), curl, bash 5, and coreutils/awk.
# Linux only: it reads /proc/locks to tell when a standby is blocked on the lock.
#
# Every application it starts listens on a loopback port that the kernel picks (port 0,
# read back from its log) and uses its own temporary lock directory. Everything it started is killed on exit, also on Ctrl-C
# (during jdbc-takeover the interrupt waits for the current step of that tool, at most 60 s).
# Exit status: 0 when every measurement completed, 1 on a failed run, 2 on bad usage.

set -euo pipefail
export LC_ALL=C

readonly REFUSAL_EXIT_CODE=75
readonly APPLICATION_NAME=forward-mcp

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

runs=10
only=startup,takeover,refusal,early,jdbc-takeover
jar="$repo_dir/sample-app/target/sample-app.jar"
benchmarks_jar="$repo_dir/benchmarks/target/benchmarks.jar"
timeout_seconds=60
out_dir="$repo_dir/benchmarks/target/measure"
java_opts=()

usage() {
	sed -n '3,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

fail_usage() {
	echo "measure.sh: $1" >&2
	echo "Run 'benchmarks/measure.sh --help' for usage." >&2
	exit 2
}

while (($#)); do
	case "$1" in
	--runs) runs=${2:-}; shift 2 || fail_usage "--runs needs a number" ;;
	--only) only=${2:-}; shift 2 || fail_usage "--only needs a list" ;;
	--jar) jar=${2:-}; shift 2 || fail_usage "--jar needs a path" ;;
	--benchmarks-jar) benchmarks_jar=${2:-}; shift 2 || fail_usage "--benchmarks-jar needs a path" ;;
	--timeout) timeout_seconds=${2:-}; shift 2 || fail_usage "--timeout needs seconds" ;;
	--out) out_dir=${2:-}; shift 2 || fail_usage "--out needs a directory" ;;
	--java-opt) java_opts+=("${2:-}"); shift 2 || fail_usage "--java-opt needs an option" ;;
	-h | --help) usage; exit 0 ;;
	*) fail_usage "unknown argument '$1'" ;;
	esac
done

[[ $runs =~ ^[1-9][0-9]*$ ]] || fail_usage "--runs must be a positive integer, got '$runs'"
[[ $timeout_seconds =~ ^[1-9][0-9]*$ ]] || fail_usage "--timeout must be a positive integer, got '$timeout_seconds'"
for part in ${only//,/ }; do
	[[ $part =~ ^(startup|takeover|refusal|early|jdbc-takeover)$ ]] ||
		fail_usage "--only accepts startup, takeover, refusal, early and jdbc-takeover, got '$part'"
done
needs_sample_app=false
[[ ,$only, =~ ,(startup|takeover|refusal|early), ]] && needs_sample_app=true
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
	java_bin=$JAVA_HOME/bin/java
else
	java_bin=$(command -v java) || fail_usage "no java found: put a JDK 17 on PATH or set JAVA_HOME"
fi
if $needs_sample_app; then
	command -v curl >/dev/null || fail_usage "curl is required to poll /actuator/health"
	[[ -f $jar ]] || fail_usage "no sample app jar at $jar; build it with: ./mvnw -B -q -pl sample-app -am package -DskipTests"
fi
if [[ ,$only, == *,jdbc-takeover,* ]]; then
	[[ -f $benchmarks_jar ]] ||
		fail_usage "no benchmarks jar at $benchmarks_jar; build it with: ./mvnw -B -q -pl benchmarks -am package -DskipTests"
fi
[[ -r /proc/locks ]] || fail_usage "/proc/locks is not readable: this script needs Linux"

mkdir -p "$out_dir"
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/forward-lock-measure.XXXXXX")
log_dir="$out_dir/logs"
mkdir -p "$log_dir"
rm -f "$log_dir"/*.log

# ---------------------------------------------------------------------------------------
# Process bookkeeping: every launched JVM is remembered and killed on exit.

started_pids=()

cleanup() {
	local pid
	for pid in "${started_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${started_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A FIFO that nobody writes to: 'read -t' on it is a sub-millisecond sleep without a fork.
mkfifo "$work_dir/tick"
exec {tick_fd}<>"$work_dir/tick"

pause() {
	read -r -t "$1" -u "$tick_fd" _ || true
}

# Microseconds since the epoch, without a fork.
now_us() {
	local t=$EPOCHREALTIME
	echo $((10#${t/./}))
}

elapsed_ms() {
	awk -v from="$1" -v to="$2" 'BEGIN { printf "%.1f", (to - from) / 1000 }'
}

die() {
	echo "measure.sh: $1" >&2
	if [[ -n ${2:-} && -f $2 ]]; then
		echo "---- last lines of $2 ----" >&2
		tail -n 40 "$2" >&2
	fi
	exit 1
}

# launch NAME LOCK_DIR [ARG...]: starts the sample app in the background and sets
# launched_pid and launched_at (microseconds). Its output goes to $log_dir/NAME.log. It
# listens on a port the kernel picks when it binds (port 0), so that no other process on
# this shared machine can take the port between a choice and the bind; wait_port reads
# which one from the log.
launch() {
	local name=$1 lock_dir=$2
	shift 2
	local log="$log_dir/$name.log"
	# Created here, not by the background job's redirection, so that wait_port can read it
	# at once
	: >"$log"
	launched_at=$(now_us)
	"$java_bin" "${java_opts[@]}" -jar "$jar" --server.port=0 --server.address=127.0.0.1 \
		--forward.lock.dir="$lock_dir" "$@" >"$log" 2>&1 &
	launched_pid=$!
	started_pids+=("$launched_pid")
}

forget() {
	local pid=$1 kept=() p
	for p in "${started_pids[@]}"; do
		[[ $p == "$pid" ]] || kept+=("$p")
	done
	started_pids=("${kept[@]}")
}

is_running() {
	kill -0 "$1" 2>/dev/null
}

# wait_exit PID SECONDS: waits until PID has exited (polling every millisecond, so that
# exited_at is precise), sets exit_code and exited_at; SIGKILLs it after the deadline.
wait_exit() {
	local pid=$1 deadline
	deadline=$(($(now_us) + $2 * 1000000))
	while is_running "$pid"; do
		if (($(now_us) >= deadline)); then
			echo "measure.sh: PID $pid still running after $2 s, killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		pause 0.001
	done
	exited_at=$(now_us)
	exit_code=0
	wait "$pid" 2>/dev/null || exit_code=$?
	forget "$pid"
}

# stop PID: SIGTERM (graceful shutdown releases the lock), SIGKILL after the deadline.
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || true
	wait_exit "$pid" "$timeout_seconds"
}

# wait_port NAME PID: waits until the web server of PID says in its log on which port it
# listens ("Tomcat started on port 41234"); sets port. Polls the log without a fork.
wait_port() {
	local name=$1 pid=$2 log="$log_dir/$1.log" deadline line
	deadline=$(($(now_us) + timeout_seconds * 1000000))
	port=
	while [[ -z $port ]]; do
		while IFS= read -r line; do
			if [[ $line =~ started\ on\ port\ ([0-9]+) ]]; then
				port=${BASH_REMATCH[1]}
				break
			fi
		done <"$log"
		[[ -n $port ]] && break
		is_running "$pid" || die "$name exited before its web server started" "$log"
		(($(now_us) < deadline)) || die "$name: web server not started within ${timeout_seconds}s" "$log"
		pause 0.005
	done
}

health_is_up() {
	local body
	body=$(curl -s --max-time 2 -w '\n%{http_code}' "http://127.0.0.1:$1/actuator/health" 2>/dev/null) || return 1
	[[ ${body##*$'\n'} == 200 && $body == *'"status":"UP"'* ]]
}

readonly clock_ticks_per_second=$(getconf CLK_TCK)

# CPU time (user + system, all threads) that PID has used so far, in ms. Less sensitive
# than wall-clock time to other load on the machine.
cpu_ms() {
	local fields
	read -r -a fields <"/proc/$1/stat"
	# fields 14 and 15 (utime, stime); the command name in field 2 is "(java)", no spaces
	echo $(((fields[13] + fields[14]) * 1000 / clock_ticks_per_second))
}

# wait_health_up PID NAME: finds the port of PID (wait_port), then polls health every
# 5 ms until UP; sets port and up_at.
wait_health_up() {
	local pid=$1 name=$2 deadline
	wait_port "$name" "$pid"
	deadline=$(($(now_us) + timeout_seconds * 1000000))
	until health_is_up "$port"; do
		is_running "$pid" || die "$name exited before its health was UP" "$log_dir/$name.log"
		(($(now_us) < deadline)) || die "$name: health not UP within ${timeout_seconds}s" "$log_dir/$name.log"
		pause 0.005
	done
	up_at=$(now_us)
}

# PID recorded in a lock file, or empty. The file starts with the PID (plain PID file format) or
# carries it as a "pid" field.
lock_file_pid() {
	local lines content
	[[ -f $1 ]] || return 0
	mapfile -t lines <"$1" 2>/dev/null || return 0
	content="${lines[*]}"
	if [[ $content =~ ^[[:space:]]*([0-9]+)([^0-9.:-]|$) ]]; then
		echo "${BASH_REMATCH[1]}"
	elif [[ $content =~ [Pp][Ii][Dd][\"\']?[[:space:]]*[:=][[:space:]]*[\"\']?([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	fi
}

# wait_lock_holder FILE PID NAME INTERVAL: polls the lock file every INTERVAL seconds
# until it names PID; sets held_at.
wait_lock_holder() {
	local file=$1 pid=$2 name=$3 interval=$4 deadline
	deadline=$(($(now_us) + timeout_seconds * 1000000))
	until [[ $(lock_file_pid "$file") == "$pid" ]]; do
		is_running "$pid" || die "$name exited before its PID was in $file" "$log_dir/$name.log"
		(($(now_us) < deadline)) || die "$name: $file did not show PID $pid within ${timeout_seconds}s" "$log_dir/$name.log"
		pause "$interval"
	done
	held_at=$(now_us)
}

# wait_blocked_on_lock PID NAME: waits until PID is queued for an OS lock ('->' entries in
# /proc/locks), so that the kill that follows measures a real takeover rather than the
# standby's own startup.
wait_blocked_on_lock() {
	local pid=$1 name=$2 deadline
	deadline=$(($(now_us) + timeout_seconds * 1000000))
	until awk -v pid="$pid" '$2 == "->" && $6 == pid { found = 1 } END { exit !found }' /proc/locks; do
		is_running "$pid" || die "$name exited while it should wait on standby" "$log_dir/$name.log"
		(($(now_us) < deadline)) || die "$name was not blocked on the lock within ${timeout_seconds}s" "$log_dir/$name.log"
		pause 0.005
	done
}

# ---------------------------------------------------------------------------------------
# Results: one line per sample in runs.csv, statistics computed with awk.

runs_csv="$out_dir/runs.csv"
echo "metric,run,value_ms" >"$runs_csv"

record() {
	echo "$1,$2,$3" >>"$runs_csv"
}

# stats METRIC [DECIMALS]: prints "n median min max" of a metric's samples.
stats() {
	awk -F, -v metric="$1" '$1 == metric { print $3 }' "$runs_csv" | sort -g | awk -v decimals="${2:-1}" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "0 - - -"; exit }
			median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			format = "%d %." decimals "f %." decimals "f %." decimals "f\n"
			printf format, NR, median, v[1], v[NR]
		}'
}

progress() {
	printf '%s\n' "$*" >&2
}

# ---------------------------------------------------------------------------------------
# Measurements

measure_startup() {
	local run variant lock_dir args
	for run in $(seq 1 "$runs"); do
		# Alternate which variant goes first, so that drift on the machine hits both.
		local order=(enabled disabled)
		((run % 2)) || order=(disabled enabled)
		for variant in "${order[@]}"; do
			lock_dir="$work_dir/startup-$variant-$run"
			mkdir -p "$lock_dir"
			args=()
			[[ $variant == disabled ]] && args=(--forward.lock.enabled=false)
			launch "startup-$variant-$run" "$lock_dir" "${args[@]}"
			wait_health_up "$launched_pid" "startup-$variant-$run"
			record "startup.$variant" "$run" "$(elapsed_ms "$launched_at" "$up_at")"
			record "startup.cpu.$variant" "$run" "$(cpu_ms "$launched_pid")"
			stop "$launched_pid"
		done
		progress "startup run $run/$runs done"
	done
	# Ratio of each pair, enabled over disabled, of wall-clock and of CPU time.
	awk -F, '$1 == "startup.enabled" { e[$2] = $3 } $1 == "startup.disabled" { d[$2] = $3 }
		$1 == "startup.cpu.enabled" { ce[$2] = $3 } $1 == "startup.cpu.disabled" { cd[$2] = $3 }
		END {
			for (r in e) if (r in d && d[r] > 0) printf "startup.ratio,%s,%.4f\n", r, e[r] / d[r]
			for (r in ce) if (r in cd && cd[r] > 0) printf "startup.cpu.ratio,%s,%.4f\n", r, ce[r] / cd[r]
		}' "$runs_csv" >>"$runs_csv"
}

# start_holder NAME LOCK_DIR: starts an instance, waits until it holds the lock and is UP.
start_holder() {
	local name=$1 lock_dir=$2
	launch "$name" "$lock_dir"
	holder_pid=$launched_pid
	wait_lock_holder "$lock_dir/$APPLICATION_NAME.lock" "$holder_pid" "$name" 0.01
	wait_health_up "$holder_pid" "$name"
}

measure_takeover() {
	local run lock_dir standby_pid killed_at
	for run in $(seq 1 "$runs"); do
		lock_dir="$work_dir/takeover-$run"
		mkdir -p "$lock_dir"
		start_holder "takeover-holder-$run" "$lock_dir"
		launch "takeover-standby-$run" "$lock_dir" --forward.lock.standby=true
		standby_pid=$launched_pid
		wait_blocked_on_lock "$standby_pid" "takeover-standby-$run"
		# Its status is of no interest, and a disowned job is killed without a job report.
		disown "$holder_pid"
		killed_at=$(now_us)
		kill -KILL "$holder_pid"
		# The fine poll (0.2 ms) is the resolution of the takeover time.
		wait_lock_holder "$lock_dir/$APPLICATION_NAME.lock" "$standby_pid" "takeover-standby-$run" 0.0002
		record takeover.lock "$run" "$(elapsed_ms "$killed_at" "$held_at")"
		wait_health_up "$standby_pid" "takeover-standby-$run"
		record takeover.health "$run" "$(elapsed_ms "$killed_at" "$up_at")"
		wait_exit "$holder_pid" "$timeout_seconds"
		stop "$standby_pid"
		progress "takeover run $run/$runs done"
	done
}

# refusal_runs METRIC [ARG...]: with a holder running, launches a second instance with
# the given arguments, runs times, and records the time until it exits with 75.
refusal_runs() {
	local metric=$1 run lock_dir holder name
	shift
	lock_dir="$work_dir/$metric"
	mkdir -p "$lock_dir"
	start_holder "$metric-holder" "$lock_dir"
	holder=$holder_pid
	for run in $(seq 1 "$runs"); do
		name="$metric-second-$run"
		launch "$name" "$lock_dir" "$@"
		wait_exit "$launched_pid" "$timeout_seconds"
		((exit_code == REFUSAL_EXIT_CODE)) ||
			die "$name exited with $exit_code, expected $REFUSAL_EXIT_CODE" "$log_dir/$name.log"
		record "$metric" "$run" "$(elapsed_ms "$launched_at" "$exited_at")"
		progress "$metric run $run/$runs done"
	done
	is_running "$holder" || die "the holder died during the refusal runs" "$log_dir/$metric-holder.log"
	stop "$holder"
}

measure_refusal() {
	refusal_runs refusal
	# The lock taken before any singleton is created: the refused instance does less work.
	refusal_runs refusal.early --forward.lock.acquire-early=true
}

# rss_kb PID: resident set size of PID in KiB (VmRSS).
rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

# duplicate_run METRIC RUN LOCK_DIR [ARG...]: launches a duplicate, records launch to
# exit 75.
duplicate_run() {
	local metric=$1 run=$2 lock_dir=$3 name
	shift 3
	name="$metric-$run"
	launch "$name" "$lock_dir" "$@"
	wait_exit "$launched_pid" "$timeout_seconds"
	((exit_code == REFUSAL_EXIT_CODE)) ||
		die "$name exited with $exit_code, expected $REFUSAL_EXIT_CODE" "$log_dir/$name.log"
	record "$metric" "$run" "$(elapsed_ms "$launched_at" "$exited_at")"
}

# standby_rss METRIC RUN LOCK_DIR [ARG...]: launches a standby, waits until it is blocked
# on the lock and has settled for a second, records its resident set size, kills it.
standby_rss() {
	local metric=$1 run=$2 lock_dir=$3 name pid
	shift 3
	name="$metric-$run"
	launch "$name" "$lock_dir" --forward.lock.standby=true "$@"
	pid=$launched_pid
	wait_blocked_on_lock "$pid" "$name"
	# Not a synchronization: the standby does nothing more while blocked, this only lets
	# the allocations of its start-up settle before the sample
	pause 1
	is_running "$pid" || die "$name exited while it should wait on standby" "$log_dir/$name.log"
	record "$metric" "$run" "$(rss_kb "$pid")"
	disown "$pid"
	kill -KILL "$pid"
	wait_exit "$pid" "$timeout_seconds"
}

measure_early() {
	local run lock_dir holder
	for run in $(seq 1 "$runs"); do
		lock_dir="$work_dir/early-$run"
		mkdir -p "$lock_dir"
		launch "early-holder-$run" "$lock_dir"
		holder=$launched_pid
		wait_health_up "$holder" "early-holder-$run"
		record early.holder "$run" "$(elapsed_ms "$launched_at" "$up_at")"
		duplicate_run early.refusal "$run" "$lock_dir"
		duplicate_run early.refusal.acquire-early "$run" "$lock_dir" --forward.lock.acquire-early=true
		duplicate_run early.refusal.probe-off "$run" "$lock_dir" --forward.lock.early-probe=false
		standby_rss early.rss.hot "$run" "$lock_dir"
		standby_rss early.rss.cold "$run" "$lock_dir" --forward.lock.acquire-early=true
		is_running "$holder" || die "the holder died during the early runs" "$log_dir/early-holder-$run.log"
		stop "$holder"
		progress "early run $run/$runs done"
	done
	awk -F, '$1 == "early.holder" { h[$2] = $3 } $1 == "early.refusal" { d[$2] = $3 }
		$1 == "early.refusal.acquire-early" { a[$2] = $3 } $1 == "early.refusal.probe-off" { o[$2] = $3 }
		$1 == "early.rss.hot" { hot[$2] = $3 } $1 == "early.rss.cold" { cold[$2] = $3 }
		END {
			for (r in d) if (h[r] > 0) printf "early.refusal.ratio,%s,%.4f\n", r, d[r] / h[r]
			for (r in a) if (h[r] > 0) printf "early.refusal.acquire-early.ratio,%s,%.4f\n", r, a[r] / h[r]
			for (r in o) if (h[r] > 0) printf "early.refusal.probe-off.ratio,%s,%.4f\n", r, o[r] / h[r]
			for (r in cold) if (hot[r] > 0) printf "early.rss.ratio,%s,%.4f\n", r, cold[r] / hot[r]
		}' "$runs_csv" >>"$runs_csv"
}

measure_jdbc-takeover() {
	# The tool starts its own PostgreSQL and lease holders and cleans up after itself;
	# it is bounded by 60 s per step.
	"$java_bin" "${java_opts[@]}" -cp "$benchmarks_jar" io.forwardlock.benchmarks.JdbcTakeoverMeasurement "$runs" \
		2> >(grep -v '^SLF4J' >&2) | grep '^takeover\.jdbc,' >>"$runs_csv" ||
		die "the JDBC takeover measurement failed"
}

# ---------------------------------------------------------------------------------------
# Report

machine_cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
machine_cores=$(nproc)
machine_fs=$(df -PT "$work_dir" | awk 'NR == 2 { print $2 " on " $1 }')
java_version=$("$java_bin" -version 2>&1 | head -n 1)
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)

progress "forward-lock measure: $runs runs of {$only}, jar $jar, logs in $log_dir"
for part in ${only//,/ }; do
	"measure_$part"
done

json_escape() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '%s' "$s"
}

metrics=(startup.enabled startup.disabled startup.ratio startup.cpu.enabled startup.cpu.disabled startup.cpu.ratio
	takeover.lock takeover.health refusal refusal.early
	early.holder early.refusal early.refusal.ratio early.refusal.acquire-early early.refusal.acquire-early.ratio
	early.refusal.probe-off early.refusal.probe-off.ratio early.rss.hot early.rss.cold early.rss.ratio
	takeover.jdbc)
descriptions=(
	"launch to health UP, starter enabled (ms)"
	"launch to health UP, --forward.lock.enabled=false (ms)"
	"startup ratio enabled/disabled, per pair"
	"CPU time until health UP, starter enabled (ms)"
	"CPU time until health UP, --forward.lock.enabled=false (ms)"
	"startup CPU ratio enabled/disabled, per pair"
	"SIGKILL of holder to standby PID in lock file (ms)"
	"SIGKILL of holder to standby health UP (ms)"
	"launch of second instance to exit $REFUSAL_EXIT_CODE (ms)"
	"same, with --forward.lock.acquire-early=true (ms)"
	"early: holder launch to health UP (ms)"
	"early: duplicate launch to exit $REFUSAL_EXIT_CODE, default (ms)"
	"early: default duplicate / holder start-up, per run"
	"early: duplicate launch to exit, acquire-early (ms)"
	"early: acquire-early duplicate / holder start-up, per run"
	"early: duplicate launch to exit, early-probe=false (ms)"
	"early: probe-off duplicate / holder start-up, per run"
	"early: RSS of a hot standby, blocked on the lock (KiB)"
	"early: RSS of a cold standby (acquire-early) (KiB)"
	"early: RSS cold / hot standby, per run"
	"JDBC: SIGKILL of lease holder to standby holding (ms)"
)

printf '\n%-62s %4s %10s %10s %10s\n' "measurement" "n" "median" "min" "max"
summary="$out_dir/summary.json"
{
	printf '{\n  "startedAt": "%s",\n' "$started_at"
	printf '  "machine": {"cpu": "%s", "cores": %s, "fileSystem": "%s", "java": "%s"},\n' \
		"$(json_escape "$machine_cpu")" "$machine_cores" "$(json_escape "$machine_fs")" "$(json_escape "$java_version")"
	printf '  "runs": %s,\n  "metrics": {' "$runs"
	separator=""
	for i in "${!metrics[@]}"; do
		decimals=1
		[[ ${metrics[$i]} == *ratio ]] && decimals=3
		read -r n median min max <<<"$(stats "${metrics[$i]}" "$decimals")"
		((n > 0)) || continue
		printf '%-62s %4s %10s %10s %10s\n' "${descriptions[$i]}" "$n" "$median" "$min" "$max" >&3
		printf '%s\n    "%s": {"n": %s, "median": %s, "min": %s, "max": %s}' \
			"$separator" "${metrics[$i]}" "$n" "$median" "$min" "$max"
		separator=","
	done
	printf '\n  },\n  "targets": {'
	# target NAME METRIC FIELD OPERATOR LIMIT: reported, never enforced.
	separator=""
	target() {
		local n median min max value met
		read -r n median min max <<<"$(stats "$2" 3)"
		((n > 0)) || return 0
		case $3 in median) value=$median ;; max) value=$max ;; esac
		met=$(awk -v v="$value" -v limit="$5" -v op="$4" 'BEGIN { print ((op == "<" ? v < limit : v <= limit) ? "true" : "false") }')
		printf '%-62s %10s %2s %-6s %-8s (runs: %s..%s)\n' "$1" "$value" "$4" "$5" \
			"$([[ $met == true ]] && echo met || echo NOT MET)" "$min" "$max" >&3
		printf '%s\n    "%s": {"metric": "%s", "statistic": "%s", "value": %s, "limit": "%s %s", "met": %s, "min": %s, "max": %s}' \
			"$separator" "$1" "$2" "$3" "$value" "$4" "$5" "$met" "$min" "$max"
		separator=","
	}
	printf '\n%-62s %10s    %-8s\n' "target (reported, not asserted)" "value" "limit" >&3
	target "starter adds at most 3% to startup (median ratio)" startup.ratio median "<=" 1.03
	target "starter adds at most 3% to startup CPU (median ratio)" startup.cpu.ratio median "<=" 1.03
	target "file standby takeover median under 100 ms" takeover.lock median "<" 100
	target "default duplicate refused within 0.35x start-up (median ratio)" early.refusal.ratio median "<=" 0.35
	target "cold standby at most half a hot standby's RSS (median ratio)" early.rss.ratio median "<=" 0.5
	target "JDBC takeover max within stale-timeout + heartbeat" takeover.jdbc max "<=" 5000
	printf '\n  }\n}\n'
} 3>&1 >"$summary"
echo
echo "summary: $summary"
echo "samples: $runs_csv"
