package tahqiq_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/tahqiq/tahqiq"

// layers gives every package of the module its level in the dependency rule
// of docs/architecture.md: a package may import only packages of a lower
// level (and the exceptions below). A new package must be added here, which
// is the moment to place it in docs/architecture.md too.
var layers = map[string]int{
	"":                               1, // the root package: the domain vocabulary
	"internal/textnorm":              2,
	"internal/textkey":               3, // imports textnorm
	"internal/signals":               3, // imports textnorm
	"internal/rundir":                3, // imports atomicfile
	"internal/narrative":             4, // imports textkey, rundir
	"internal/claims":                4, // imports textkey, rundir
	"internal/claims/evalset":        2, // test-only, see testOnly
	"internal/targets":               5, // imports narrative
	"internal/progress":              2,
	"internal/cputime":               2, // test-only, see testOnly
	"internal/atomicfile":            2,
	"internal/filelock":              2,
	"internal/decompress":            2,
	"internal/storeimport":           2,
	"internal/storetest":             2, // test-only, see testOnly
	"internal/ingest/csvrow":         2,
	"internal/ingest/jsonstream":     2,
	"internal/ingest/textent":        2,
	"internal/ingest/xtext":          2,
	"internal/ingest/jsonlex":        2,
	"internal/ingest/parsetest":      2, // test-only, see testOnly
	"internal/ingest/xv2":            3,
	"internal/ingest/xv1":            3,
	"internal/ingest/events":         3,
	"internal/ingest/twitterio":      3,
	"internal/ingest/ira538":         3,
	"internal/ingest/telegram":       3,
	"internal/ingest/crowdtangle":    3,
	"internal/ingest/genericcsv":     3,
	"internal/ingest":                4,
	"internal/sqlstore":              3, // the SQL of both store engines
	"internal/sqlstore/sqlstoretest": 4, // test-only, see testOnly
	"internal/sqlite":                4,
	"internal/postgres":              4,
	"internal/postgres/pgtest":       2, // test-only, see testOnly
	"internal/demo":                  2,
	"internal/stats":                 2,
	"internal/plot":                  2,
	"internal/audit":                 3,
	"internal/graph":                 2,
	"internal/partcomm":              3, // imports graph
	"internal/layout":                2,
	"internal/synth":                 2,
	"internal/coord":                 5,
	"internal/ledger":                2,
	"internal/ledger/minverify":      2, // test-only, see testOnly
	"internal/witness":               3,
	"internal/blob":                  3, // imports imagehash
	"internal/imagehash":             2,
	"internal/imagegroup":            5, // imports ingest (the derivation check)
	"internal/taxonomy":              2,
	"internal/capture":               3, // imports internal/chromium
	"internal/chromium":              2,
	"internal/keyfile":               3, // imports ledger
	"internal/report":                2, // the HTML report of a case, laid out
	"internal/casework":              6,
	"internal/bundle":                7, // verifies bundles; imports casework (Report, View, the fold's records)
	"internal/runs":                  6,
	"internal/live":                  6,
	"internal/natsbus":               7, // imports internal/live
	"internal/natsbus/natstest":      8, // test-only, see testOnly; imports natsbus (EmbeddedBus)
	"internal/coord/coordtest":       6, // test-only, see testOnly
	"internal/auth":                  2,
	"internal/jobs":                  3, // uses atomicfile
	"internal/webui":                 2,
	"internal/httpapi":               8, // imports bundle
	"internal/storecopy":             5,
	"internal/busrun":                8, // imports natsbus: the bus run in a tahqiq process
	"internal/cli":                   9,
	"cmd/tahqiq":                     10,
}

// thirdParty lists the modules outside the standard library each package
// may import (by module path): a dependency is a decision made for a
// package, in a commit that justifies it, not something any package picks
// up. Packages not listed may import only the standard library and this
// module.
var thirdParty = map[string][]string{
	"internal/auth":             {"golang.org/x/crypto"},                          // argon2id
	"internal/ledger":           {"golang.org/x/mod"},                             // sumdb tlog and note: the log's tree and signed notes
	"internal/witness":          {"golang.org/x/mod"},                             // signed notes
	"internal/casework":         {"golang.org/x/mod"},                             // tlog hashes and note keys of the log it appends
	"internal/bundle":           {"golang.org/x/mod"},                             // tlog: the tree of a bundle's checkpoint
	"internal/keyfile":          {"golang.org/x/mod"},                             // note keys: the store's signing key pair
	"internal/textnorm":         {"golang.org/x/text"},                            // Unicode normalisation
	"internal/textkey":          {"golang.org/x/text"},                            // Unicode normalisation
	"internal/imagehash":        {"golang.org/x/image"},                           // the WebP decoder (image/jpeg, image/png are the standard library's)
	"internal/chromium":         {"github.com/chromedp"},                          // the DevTools protocol (captures, browser tests)
	"internal/cli":              {"github.com/spf13"},                             // cobra and pflag
	"internal/natsbus/natstest": {"github.com/nats-io"},                           // test-only: a cluster of NATS servers for the failover tests
	"internal/natsbus":          {"github.com/nats-io"},                           // NATS JetStream, the embedded server, NKeys
	"internal/postgres":         {"github.com/jackc/pgx/v5"},                      // PostgreSQL driver, COPY
	"internal/filelock":         {"golang.org/x/sys"},                             // LockFileEx on Windows
	"internal/progress":         {"golang.org/x/sys"},                             // is stderr a terminal, how wide (TIOCGWINSZ; GetConsoleMode on Windows)
	"internal/postgres/pgtest":  {"github.com/jackc/pgx/v5"},                      // test-only
	"internal/storecopy":        {"github.com/jackc/pgx/v5"},                      // COPY into PostgreSQL
	"internal/sqlite":           {"modernc.org/sqlite"},                           // the embedded store, pure Go
	"internal/storetest":        {"github.com/google/go-cmp", "golang.org/x/mod"}, // test-only
	"internal/coord":            {"github.com/klauspost/compress"},                // gzip of evidence.csv.gz, 2.2-2.5x compress/flate's BestSpeed (already nats-server's)
}

// sameLevel lists allowed imports between packages of one level.
var sameLevel = map[string][]string{}

// testOnly packages may be imported only from tests (and from each other).
var testOnly = map[string]bool{"internal/storetest": true, "internal/ingest/parsetest": true, "internal/postgres/pgtest": true, "internal/coord/coordtest": true, "internal/ledger/minverify": true, "internal/claims/evalset": true, "internal/natsbus/natstest": true, "internal/sqlstore/sqlstoretest": true, "internal/cputime": true}

func TestDependencyRule(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found; the dependency rule is checked where the toolchain is installed")
	}
	out, err := exec.Command(gobin, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg := rel(fields[0])
		level, ok := layers[pkg]
		if !ok {
			t.Errorf("package %q has no level: add it to layers in architecture_test.go and to docs/architecture.md", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !thirdPartyAllowed(pkg, imp) {
					t.Errorf("%s imports %s, a module not on its list: add it to thirdParty in architecture_test.go with the reason, in the commit that adds the dependency", show(pkg), imp)
				}
				continue
			}
			dep := rel(imp)
			if testOnly[dep] && !testOnly[pkg] { // test helpers may build on each other
				t.Errorf("%s imports %s, which may be imported only from tests", show(pkg), show(dep))
			}
			dl, ok := layers[dep]
			if !ok {
				continue // reported as its own package above
			}
			if dl < level || allowed(pkg, dep) {
				continue
			}
			t.Errorf("forbidden import %s -> %s (level %d may import only lower levels; see docs/architecture.md)", show(pkg), show(dep), level)
		}
	}
}

// Every package says what it is for (Tailscale's pkgdoc test).
func TestPackageDocs(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-f", "{{.ImportPath}}\t{{.Doc}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, doc, _ := strings.Cut(line, "\t")
		if strings.TrimSpace(doc) == "" {
			t.Errorf("package %s has no package doc comment", pkg)
		}
	}
}

// thirdPartyAllowed reports whether pkg may import imp, a package outside
// the standard library and this module.
func thirdPartyAllowed(pkg, imp string) bool {
	for _, m := range thirdParty[pkg] {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return true
		}
	}
	return false
}

func allowed(pkg, dep string) bool {
	for _, d := range sameLevel[pkg] {
		if d == dep {
			return true
		}
	}
	return false
}

func rel(importPath string) string {
	if importPath == module {
		return ""
	}
	return strings.TrimPrefix(importPath, module+"/")
}

func show(pkg string) string {
	if pkg == "" {
		return "tahqiq"
	}
	return path.Base(pkg)
}
