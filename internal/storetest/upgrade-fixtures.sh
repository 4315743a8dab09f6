#!/bin/sh
# upgrade-fixtures.sh COMMIT writes the upgrade fixtures that
# TestUpgradeFromMain opens, testdata/main-store.db.gz (internal/sqlite),
# testdata/main-store.sql.gz (internal/postgres) and their main-dump.json,
# with the store engines of COMMIT (a commit of main, before the engines
# became internal/sqlstore's): it exports COMMIT into a temporary
# directory, puts this tree's internal/storetest (Fill, Dump) and the two
# engines' upgrade_test.go in place of that commit's tests, runs them with
# TAHQIQ_WRITE_UPGRADE_FIXTURE=1 and copies what they wrote back here.
# Needs PostgreSQL's binaries (see internal/postgres/pgtest). After it,
# name COMMIT in storetest.UpgradeFixtures.
set -eu
commit=${1:?usage: internal/storetest/upgrade-fixtures.sh COMMIT}
top=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$top" archive "$commit" | tar -x -C "$tmp"
rm -rf "$tmp/internal/storetest"
cp -R "$top/internal/storetest" "$tmp/internal/storetest"
for e in sqlite postgres; do
	rm -f "$tmp/internal/$e/"*_test.go
	cp "$top/internal/$e/upgrade_test.go" "$tmp/internal/$e/"
	mkdir -p "$tmp/internal/$e/testdata"
done
(cd "$tmp" && TAHQIQ_WRITE_UPGRADE_FIXTURE=1 go test -count=1 -run '^TestUpgradeFromMain$' ./internal/sqlite ./internal/postgres)
for e in sqlite postgres; do
	cp "$tmp/internal/$e/testdata/main-"* "$top/internal/$e/testdata/"
done
