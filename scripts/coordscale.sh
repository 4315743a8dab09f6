#!/bin/sh
# coordscale.sh: the single-machine scaling table of docs/benchmarks.md
# (issue 18). For each size it writes the synthetic set (tahqiq synth:
# retweet + URL + hashtag), sorts the same file with GNU sort, and runs
# tahqiq coord lean (evidence and graph off) and with the defaults
# (evidence and graph step on), 60 s window, messages weight,
# min-participation 1; each under /usr/bin/time for wall, CPU and peak
# RSS. The machine's load average is recorded with every row, since the
# figures mean something only relative to sort measured in the same run.
# spilled_mib is what the run spilled over its memory budget (--mem; 0:
# it fit), from its manifest. With -m SIZE a third run, lean under
# --mem SIZE, is added per size (the row "lean-mem"). With -c CNT_DIR the
# coordination-network-toolkit runs on the same file through
# scripts/toolkit.sh (the row "toolkit": preprocess and compute together,
# peak RSS of the larger; its edges column counts directed edges, checked
# equal to tahqiq's edges_directed.csv),
# up to the first size it does not finish within -t SECONDS (default 1200,
# the issue's 20 minutes); larger sizes get no toolkit row. With -m the
# toolkit leg's tahqiq run is under --mem SIZE too.
#
# usage: scripts/coordscale.sh [-b TAHQIQ] [-d WORKDIR] [-o OUT.tsv] [-m SIZE] [-c CNT_DIR [-t SECONDS]] SIZE...
#        scripts/coordscale.sh -r [-o OUT.tsv]   (redraw OUT.svg from OUT.tsv only)
#   e.g. scripts/coordscale.sh 100000 1000000 3000000
# Writes OUT.tsv (default coordscale.tsv) and, beside it, OUT.svg: CPU
# seconds per size, log-log, tahqiq lean and default against sort.
set -eu
bin=tahqiq
work=${TMPDIR:-/tmp}/coordscale
out=coordscale.tsv
mem=
redraw=
cnt=
limit=1200
usage="usage: $0 [-b TAHQIQ] [-d WORKDIR] [-o OUT.tsv] [-m SIZE] [-c CNT_DIR [-t SECONDS]] SIZE... | $0 -r [-o OUT.tsv]"
while getopts b:d:o:m:c:t:r f; do
	case $f in
	r) redraw=1 ;;
	b) bin=$OPTARG ;;
	d) work=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cnt=$OPTARG ;;
	t) limit=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$redraw" ] || [ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
[ -z "$redraw" ] || [ -s "$out" ] || { echo "$0 -r: no $out to redraw" >&2; exit 2; }
[ -n "$redraw" ] || mkdir -p "$work"
[ -n "$redraw" ] || printf 'posts\trun\twall_s\tcpu_s\tpeak_rss_mib\tedges\tload1\tspilled_mib\n' >"$out"

# measure NAME POSTS OUTDIR CMD...: one row of the table (OUTDIR: where
# the command writes its manifest.json, "-" for none)
measure() {
	name=$1 posts=$2 dir=$3
	shift 3
	load=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || {
		echo "$name at $posts failed:" >&2
		cat "$work/stderr" >&2
		return 1
	}
	edges=$(sed -n 's/.* -> \([0-9]*\) edges between.*/\1/p' "$work/stdout")
	spilled=
	if [ "$dir" != - ]; then
		spilled=$(sed -n 's/.*"spilled_bytes": \([0-9]*\).*/\1/p' "$dir/manifest.json")
		spilled=${spilled:-0}
	fi
	awk -v n="$posts" -v r="$name" -v e="${edges:-}" -v l="$load" -v s="$spilled" \
		'{printf "%s\t%s\t%.2f\t%.2f\t%.0f\t%s\t%s\t%s\n", n, r, $1, $2 + $3, $4 / 1024, e, l, (s == "" ? "" : sprintf("%.1f", s / 1048576))}' "$work/time" >>"$out"
	tail -n 1 "$out"
}

B="--window 60s --weight messages --min-participation 1 -q"
[ -z "$redraw" ] || set --
for n in "$@"; do
	f=$work/synth$n.csv
	[ -s "$f" ] || "$bin" synth --posts "$n" --out "$f" -q >/dev/null
	measure sort "$n" - sort -o "$work/sorted.csv" "$f"
	rm -f "$work/sorted.csv"
	rm -rf "$work/lean" "$work/full"
	measure lean "$n" "$work/lean" "$bin" coord --input "$f" --out "$work/lean" $B --evidence=false --graph=false
	measure default "$n" "$work/full" "$bin" coord --input "$f" --out "$work/full" $B
	rm -rf "$work/lean" "$work/full"
	if [ -n "$mem" ]; then
		measure lean-mem "$n" "$work/lean" "$bin" coord --input "$f" --out "$work/lean" $B --evidence=false --graph=false --mem "$mem"
		rm -rf "$work/lean"
	fi
	if [ -n "$cnt" ]; then
		load=$(cut -d' ' -f1 /proc/loadavg)
		st=0
		"$(dirname "$0")/toolkit.sh" -c "$cnt" -b "$bin" -d "$work/toolkit" -t "$limit" ${mem:+-m "$mem"} "$f" >"$work/toolkit.tsv" 2>"$work/stderr" || st=$?
		case $st in
		0)
			# rows, pre wall/cpu/mib, compute wall/cpu/mib, tahqiq x3, cnt edges, tahqiq edges, equal, load
			awk -F'\t' -v n="$n" -v l="$load" 'NR == 2 {
				printf "%s\ttoolkit\t%.2f\t%.2f\t%.0f\t%s\t%s\t\n", n, $2 + $5, $3 + $6, ($4 > $7 ? $4 : $7), $11, l
			}' "$work/toolkit.tsv" >>"$out"
			tail -n 1 "$out"
			;;
		3)
			echo "toolkit at $n: did not finish within $limit s; no toolkit row for this size or larger ones" >&2
			cnt=
			;;
		*)
			echo "toolkit at $n failed:" >&2
			cat "$work/stderr" >&2
			exit 1
			;;
		esac
		rm -rf "$work/toolkit"
	fi
done

# the plot: CPU seconds against posts, log-log, one line per run
awk -F'\t' '
NR == 1 { next }
{
	x = log($1) / log(10); y = log($4 > 0.01 ? $4 : 0.01) / log(10)
	k = $2; n[k]++; px[k, n[k]] = x; py[k, n[k]] = y; lab[k, n[k]] = $4
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	if (minx == "" || x < minx) minx = x; if (maxx == "" || x > maxx) maxx = x
	if (miny == "" || y < miny) miny = y; if (maxy == "" || y > maxy) maxy = y
}
END {
	W = 640; H = 400; L = 70; R = 150; T = 30; B = 50
	if (maxx == minx) maxx = minx + 1
	miny = int(miny) - (miny < 0); maxy = int(maxy) + 1
	color["sort"] = "#555555"; color["lean"] = "#1f77b4"; color["default"] = "#d62728"; color["lean-mem"] = "#2ca02c"; color["toolkit"] = "#9467bd"
	split("#8c564b #e377c2 #bcbd22 #17becf", spare, " ")
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
	printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
	printf "<text x=\"%d\" y=\"18\">CPU seconds (user+sys) by posts, log-log: tahqiq coord against GNU sort and the toolkit</text>\n", L
	for (d = miny; d <= maxy; d++) {
		yy = T + (H - T - B) * (maxy - d) / (maxy - miny)
		printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g s</text>\n", L, W - R, yy, yy, L - 6, yy + 4, 10 ^ d
	}
	for (k = 1; k <= nk; k++) {
		name = order[k]; pts = ""
		if (!(name in color)) color[name] = spare[++ns]
		for (i = 1; i <= n[name]; i++) {
			xx = L + (W - L - R) * (px[name, i] - minx) / (maxx - minx)
			yy = T + (H - T - B) * (maxy - py[name, i]) / (maxy - miny)
			pts = pts sprintf("%.1f,%.1f ", xx, yy)
			printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", xx, yy, color[name]
			if (k == 1) printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>\n", xx, H - B + 18, 10 ^ px[name, i]
		}
		printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, color[name]
		printf "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", W - R + 10, T + 20 * k, color[name], name
	}
	printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">posts</text>\n", (L + W - R) / 2, H - 10
	printf "</svg>\n"
}' "$out" >"${out%.tsv}.svg"
echo "wrote $out and ${out%.tsv}.svg" >&2
