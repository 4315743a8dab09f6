#!/usr/bin/env bash
# Whole-process imports, two binaries alternating (e.g. main's and a
# branch's), each into a fresh store: prints wall and CPU time, peak memory
# and the load average at the start of each run (docs/benchmarks.md, "Raw
# records in blocks"). With a PostgreSQL URL (a server whose superuser may
# create databases), each run imports into a fresh database DB_bench_N and
# also prints the WAL the import wrote (pg_stat_wal, reset before) and the
# database's size after.
#
#   go build -o /tmp/before ./cmd/tahqiq   # in a tree of the code to compare with
#   go build -o /tmp/after ./cmd/tahqiq
#   /tmp/after synth --posts 1000000 --out /tmp/synth1m.csv
#   bench/import.sh /tmp/before /tmp/after /tmp/synth1m.csv 3
#   bench/import.sh /tmp/before /tmp/after /tmp/synth1m.csv 1 postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
set -euo pipefail
a=$1 b=$2 input=$3 runs=${4:-3} pg=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$runs"); do
	n=0
	for bin in "$a" "$b"; do
		n=$((n + 1))
		load=$(cut -d' ' -f1 /proc/loadavg)
		if [ -z "$pg" ]; then
			rm -rf "$tmp/data"
			/usr/bin/time -f "$bin $(basename "$input") wall %e s user %U s sys %S s maxrss %M KiB load $load" \
				"$bin" --data "$tmp/data" -q import --dataset s "$input" >/dev/null
			ls -l "$tmp/data/tahqiq.db" | awk '{print "  store " $5 " bytes"}'
			continue
		fi
		db=tahqiq_bench_$n
		psql -q "$pg" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
		url=${pg%%\?*}
		url=${url%/*}/$db
		case $pg in *\?*) url="$url?${pg#*\?}" ;; esac
		"$bin" --db "$url" -q datasets >/dev/null # the migrations, before the clock
		psql -qAt "$pg" -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
		/usr/bin/time -f "$bin $(basename "$input") postgres wall %e s user %U s sys %S s maxrss %M KiB load $load" \
			"$bin" --db "$url" -q import --dataset s "$input" >/dev/null
		echo "  WAL $(psql -qAt "$pg" -c "SELECT pg_size_pretty(wal_bytes) || ', WAL buffers full ' || wal_buffers_full FROM pg_stat_wal"), database $(psql -qAt "$pg" -c "SELECT pg_size_pretty(pg_database_size('$db'))")"
	done
done
