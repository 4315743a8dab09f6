#!/usr/bin/env bash
# Load benchmark of tahqiq serve (issue 6; figures in docs/benchmarks.md):
#  1. a 1M-post synthetic dataset imported into a fresh embedded store,
#     and a coordination run on it;
#  2. wrk at a paced 200 requests/s for 60 s against the dataset summary and
#     against edge evidence (each evidence read is also a custody-log append);
#  3. 20 uploads at once, each checked byte for byte (sha256) afterwards.
# Needs: go, wrk (Debian package), curl, jq. Usage:
#   bench/serve-load.sh [POSTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-1000000}
secs=${2:-60}
work=$(mktemp -d /tmp/tahqiq-load.XXXXXX)
port=${PORT:-18080}
base=http://127.0.0.1:$port/api/v1
echo "work directory $work" >&2

go build -o "$work/tahqiq" ./cmd/tahqiq
t="$work/tahqiq"
"$t" synth --posts "$posts" --out "$work/synth.csv" -q
"$t" import --data "$work/data" --dataset synth -q "$work/synth.csv" >/dev/null

"$t" serve --data "$work/data" --addr 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/setup" >/dev/null && break; sleep 0.1; done

jar="$work/cookies"
csrf=$(curl -fs -c "$jar" -H 'Content-Type: application/json' \
	-d '{"org":"Load test","name":"admin","password":"load-test-password"}' "$base/setup" | jq -r .csrf_token)
token=$(curl -fs -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d '{"name":"wrk"}' "$base/tokens" | jq -r .token)
auth=(-H "Authorization: Bearer $token")

job() { # poll a job until it ends; print its final JSON
	local id=$1 j
	while :; do
		j=$(curl -fs "${auth[@]}" "$base/jobs/$id")
		case $(jq -r .state <<<"$j") in queued | running) sleep 0.5 ;; *) echo "$j"; return ;; esac
	done
}

start=$(date +%s%N)
j=$(curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
	-d '{"dataset":"synth","by":["retweet","url","hashtag"],"window":"60s"}' "$base/coord/runs" | jq -r .job.id)
run=$(job "$j" | jq -r .result.run)
echo "coordination run $run in $((($(date +%s%N) - start) / 1000000)) ms" >&2
edge=$(curl -fs "${auth[@]}" "$base/coord/runs/$run/graph?limit=50" | jq -r '.edges[25] | "a=\(.source)&b=\(.target)"')
curl -fs "${auth[@]}" "$base/datasets/synth" | jq -c .dataset >&2

rate() { # name, paths...
	local name=$1
	shift
	echo "== $name: paced at about 200 req/s (10 connections, 49 ms between a response and the next request) for ${secs}s"
	PACE_MS=49 PATHS="$*" TOKEN="$token" wrk -t2 -c10 -d"${secs}s" --latency -s bench/paced.lua "http://127.0.0.1:$port" 2>&1
}
rate summary "/api/v1/datasets/synth"
rate evidence "/api/v1/coord/runs/$run/evidence?$edge"

echo "== 20 concurrent uploads" >&2
for i in $(seq -w 1 20); do
	head -c $((20 + 10#$i))M "$work/synth.csv" >"$work/up$i.csv"
done
start=$(date +%s%N)
pids=()
for i in $(seq -w 1 20); do
	(
		f="$work/up$i.csv"
		size=$(stat -c %s "$f")
		curl -fs "${auth[@]}" -H "Upload-Length: $size" --data-binary @"$f" "$base/uploads?name=up$i.csv" >"$work/up$i.json"
	) &
	pids+=($!)
done
wait "${pids[@]}"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
ok=0
for i in $(seq -w 1 20); do
	id=$(jq -r .id "$work/up$i.json")
	got=$(curl -fs "${auth[@]}" "$base/uploads/$id" | jq -r .sha256)
	want=$(sha256sum "$work/up$i.csv" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then ok=$((ok + 1)); else echo "upload $i: sha256 $got, want $want" >&2; fi
done
total=$(du -cb "$work"/up*.csv | tail -1 | cut -f1)
echo "uploads: $ok of 20 complete and identical, $((total / 1048576)) MiB in ${elapsed_ms} ms"
curl -fs -b "$jar" "${auth[@]}" "$base/log?limit=1" | jq -c '{log_size: .size}'
