#!/usr/bin/env bash
# Partitioned outputs (tahqiq coord --parts) against one process, on one
# machine: the same events CSV through
#   one       tahqiq coord (one process)
#   reduce    tahqiq coord --nats embedded (the reduce path: edges gathered by the run)
#   parts     tahqiq coord --nats embedded --parts (one process: server, two workers, run)
#   procs     tahqiq coord --nats URL --parts with a nats-server and WORKERS tahqiq worker
#             processes (each process measured apart)
# and tahqiq coord merge of the parts, checked equal to one's files (SHA-256;
# each mode's outputs are removed once checked, to spare the disk).
# Each process is run under /usr/bin/time -v: wall, user+sys CPU, peak RSS.
#
#   go build -o /tmp/tahqiq ./cmd/tahqiq
#   go build -o /tmp/nats-server github.com/nats-io/nats-server/v2   # the module's server
#   tahqiq synth --posts 1000000 --out /tmp/synth1m.csv
#   bench/parts.sh /tmp/tahqiq /tmp/nats-server /tmp/synth1m.csv [WORKERS]
#
# FLAGS overrides the run's flags (default: retweet, URL and hashtag, 60 s,
# messages weight, min-participation 1, graph and evidence off); MODES
# the modes run (default "one reduce parts procs"); WORKER_FLAGS adds
# flags to each tahqiq worker (e.g. --mem 1GB); REDUCES sets
# --reduce-partitions (default 4); NATS_GOMEMLIMIT sets the nats-server's
# GOMEMLIMIT (e.g. 256MiB: its file store's caches are garbage it frees
# under a limit); NOMERGE=1 skips procs' merge (the
# parts' size is reported; at 10M the merged files would not fit beside
# them); LOGS=DIR keeps every process's log and time -v report there.
set -euo pipefail
tahqiq=$1 natsd=$2 input=$3 workers=${4:-2}
flags=${FLAGS:---by retweet,url,hashtag --window 60s --weight messages --min-participation 1 --graph=false --evidence=false}
modes=${MODES:-one reduce parts procs}
work=$(mktemp -d "${TMPDIR:-/tmp}/tahqiq-parts.XXXXXX")
pids=()
cleanup() {
	# each pid is time -v's: its child is the worker (left running, it would
	# serve the next run on the same port)
	for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${LOGS:-}" ]; then mkdir -p "$LOGS" && cp "$work"/*.log "$work"/*.time "$LOGS"/ 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# measured CMD...: runs CMD under time -v into $work/NAME.time
measured() {
	local name=$1
	shift
	/usr/bin/time -v -o "$work/$name.time" "$@"
}
report() { # NAME: wall s, CPU s, peak RSS MiB
	awk -v n="$1" -F': ' '
		/Elapsed \(wall clock\)/ { split($2, t, ":"); w = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident set size/ { r = $2 / 1024 }
		END { printf "%-14s wall %7.1f s  cpu %7.1f s  peak %6.0f MiB\n", n, w, u + s, r }' "$work/$1.time"
}
echo "input $input ($(wc -l <"$input") lines), flags: $flags; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
for mode in $modes; do
	case $mode in
	one)
		measured one "$tahqiq" --data "$work/data" --quiet coord --input "$input" $flags --out "$work/one" >"$work/one.log"
		report one
		(cd "$work/one" && sha256sum edges*.csv evidence.csv.gz 2>/dev/null >"$work/one.sha256" || true)
		rm -rf "$work/one" ;;
	reduce)
		measured reduce "$tahqiq" --data "$work/data" --quiet coord --input "$input" $flags --nats embedded --partitions 16 --stream-workers 2 --reduce-partitions 4 --out "$work/reduce" >"$work/reduce.log"
		report reduce
		[ -s "$work/one.sha256" ] && (cd "$work/reduce" && sha256sum -c --quiet "$work/one.sha256") && echo "  reduce: files equal to one's"
		rm -rf "$work/reduce" ;;
	parts)
		measured parts "$tahqiq" --data "$work/data" --quiet coord --input "$input" $flags --nats embedded --partitions 16 --stream-workers 2 --reduce-partitions 4 --parts --out "$work/parts" >"$work/parts.log"
		report parts
		measured merge "$tahqiq" coord merge "$work/parts" --out "$work/parts.merged" >/dev/null
		report merge
		[ -s "$work/one.sha256" ] && (cd "$work/parts.merged" && sha256sum -c --quiet "$work/one.sha256") && echo "  parts: merged files equal to one's"
		rm -rf "$work/parts" "$work/parts.merged" ;;
	procs)
		GOMEMLIMIT=${NATS_GOMEMLIMIT:-} "$natsd" -js -sd "$work/nats" -a 127.0.0.1 -p 15222 -m 15822 >"$work/nats.log" 2>&1 &
		npid=$!
		pids+=($npid)
		until curl -sf http://127.0.0.1:15822/healthz >/dev/null; do sleep 0.2; done
		url=nats://127.0.0.1:15222
		wp=()
		for k in $(seq "$workers"); do
			# shellcheck disable=SC2086
			measured "worker$k" "$tahqiq" --data "$work/w$k" --quiet worker --nats "$url" --partitions 16 ${WORKER_FLAGS:-} 2>"$work/w$k.log" &
			wp+=($!)
			pids+=($!)
		done
		measured run "$tahqiq" --data "$work/data" --quiet coord --input "$input" $flags --nats "$url" --partitions 16 --reduce-partitions "${REDUCES:-4}" --parts --out "$work/procs" >"$work/procs.log"
		du -sh "$work/procs" | awk '{print "  parts on disk: " $1}'
		grep -h "spilled" "$work"/w*.log | head -3 || true
		echo "  map tasks folded in sub-passes (over the workers' budget): $(cat "$work"/w*.log | grep -c "folded in" || true)"
		grep -h "folded in" "$work"/w*.log | head -5 || true
		echo "  chunks refused or lost, sent again by the workers' puts: $(cat "$work"/w*.log | grep -c "sending it again" || true)"
		echo "  reduce tasks redone after failed puts: $(cat "$work"/w*.log | grep -c "the task is retried" || true)"
		srss=$(grep VmHWM "/proc/$npid/status" | awk '{print $2/1024}')
		scpu=$(awk '{print ($14 + $15) / 100}' "/proc/$npid/stat")
		for p in "${wp[@]}"; do # the worker under time, under the subshell
			for t in $(pgrep -P "$p"); do for c in $(pgrep -P "$t"); do kill -TERM "$c"; done; done
		done
		for p in "${wp[@]}"; do wait "$p" || true; done
		report run
		for k in $(seq "$workers"); do report "worker$k"; done
		printf "%-14s                  cpu %7.1f s  peak %6.0f MiB\n" nats-server "$scpu" "$srss"
		kill "$npid"
		wait "$npid" 2>/dev/null || true
		if [ -n "${NOMERGE:-}" ]; then
			rm -rf "$work/procs" "$work/nats"
			continue
		fi
		measured merge2 "$tahqiq" coord merge "$work/procs" --out "$work/procs.merged" >/dev/null
		report merge2
		[ -s "$work/one.sha256" ] && (cd "$work/procs.merged" && sha256sum -c --quiet "$work/one.sha256") && echo "  procs: merged files equal to one's"
		wc -l "$work/procs.merged/edges.csv" | awk '{print "  edges.csv lines: " $1}' 
		rm -rf "$work/procs" "$work/procs.merged" "$work/nats" ;;
	esac
done
