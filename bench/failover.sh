#!/usr/bin/env bash
# Failover run: tahqiq coord --nats --replicas 3 on a three-node nats-server
# cluster (three processes on this machine) with two tahqiq worker processes,
# once as is and once with one worker killed (SIGKILL) when half the map tasks
# are done (the objects stream, a work queue, holds half the most it held, as
# the servers' monitoring port says); prints the wall time of each run, the time from the kill to the
# end of the run, and checks that both runs wrote the same edges.csv.
#
#   go build -o /tmp/tahqiq ./cmd/tahqiq
#   go build -o /tmp/nats-server github.com/nats-io/nats-server/v2   # the module's server
#   tahqiq synth --posts 200000 --out /tmp/synth200k.csv
#   bench/failover.sh /tmp/tahqiq /tmp/nats-server /tmp/synth200k.csv [RUNS]
#
# The servers are stock but for JetStream (-js) and their cluster routes: the
# default max_payload (1 MB). NATS_ARGS adds server options (before this
# change a 1M run needed NATS_ARGS="-c FILE" with "max_payload: 8MB" in FILE: on a stock server it
# failed at once, "object 65693 has 127062 shares (3513261 bytes), more than
# the NATS server's max_payload allows").
set -euo pipefail
tahqiq=$1 natsd=$2 input=$3 runs=${4:-2}
work=$(mktemp -d /tmp/tahqiq-failover.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

routes=nats://127.0.0.1:16222,nats://127.0.0.1:16223,nats://127.0.0.1:16224
for i in 0 1 2; do
	# shellcheck disable=SC2086
	"$natsd" ${NATS_ARGS:-} -js -sd "$work/n$i" -a 127.0.0.1 -p $((14222 + i)) -m $((18222 + i)) -n "n$i" \
		--cluster_name tahqiq-bench --cluster nats://127.0.0.1:$((16222 + i)) --routes "$routes" \
		>"$work/n$i.log" 2>&1 &
	pids+=($!)
done
for i in 0 1 2; do # JetStream ready on every node (meta leader elected)
	until curl -sf "http://127.0.0.1:$((18222 + i))/healthz" >/dev/null; do sleep 0.2; done
done
url=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224
now() { date +%s.%N; }

# the worker's --replicas exists from this change on; before, workers had none
wflags=()
if "$tahqiq" worker --help 2>&1 | grep -q -- --replicas; then wflags=(--replicas 3); fi

for run in $(seq "$runs"); do
	for mode in whole kill; do
		w=()
		for k in 1 2; do
			"$tahqiq" --data "$work/w$k" --quiet worker --nats "$url" --partitions 16 "${wflags[@]}" 2>"$work/w$k.$mode.$run.log" &
			w+=($!)
			pids+=($!)
		done
		out="$work/out.$mode.$run"
		: >"$work/coord.$mode.$run.log"
		t0=$(now)
		"$tahqiq" --data "$work/data" coord --input "$input" --by retweet,url,hashtag --window 60s --min-participation 1 \
			--graph=false --evidence=false --nats "$url" --partitions 16 --replicas 3 --out "$out" >/dev/null 2>"$work/coord.$mode.$run.log" &
		coord=$!
		tkill=""
		if [ "$mode" = kill ]; then
			# kill worker 1 when half the map tasks are done: the objects
			# stream (a work queue) holds half the most it held
			peak=0
			while kill -0 "$coord" 2>/dev/null; do
				n=$(curl -s "http://127.0.0.1:18222/jsz?streams=true" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(s["state"]["messages"] for a in d.get("account_details", []) for s in a.get("stream_detail", []) if s["name"] == "TAHQIQ_OBJECTS"))' 2>/dev/null || echo 0)
				[ "$n" -gt "$peak" ] && peak=$n
				if [ "$peak" -gt 0 ] && [ $((n * 2)) -le "$peak" ]; then
					kill -9 "${w[0]}"
					tkill=$(now)
					break
				fi
				sleep 0.05
			done
		fi
		if ! wait "$coord"; then
			echo "run $run $mode: coord failed:" >&2
			tail -3 "$work/coord.$mode.$run.log" >&2
			exit 1
		fi
		t1=$(now)
		kill "${w[@]}" 2>/dev/null || true
		wait "${w[@]}" 2>/dev/null || true
		if [ "$mode" = kill ] && [ -n "$tkill" ]; then
			printf 'run %d %-5s wall %6.1f s, %5.1f s from the kill to the end\n' "$run" "$mode" "$(echo "$t1 - $t0" | bc)" "$(echo "$t1 - $tkill" | bc)"
		else
			printf 'run %d %-5s wall %6.1f s\n' "$run" "$mode" "$(echo "$t1 - $t0" | bc)"
		fi
	done
	cmp "$work/out.whole.$run/edges.csv" "$work/out.kill.$run/edges.csv" && echo "run $run: edges.csv identical with and without the kill ($(wc -l <"$work/out.kill.$run/edges.csv") lines)"
done
