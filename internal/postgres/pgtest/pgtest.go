// Package pgtest starts a throw-away PostgreSQL server for tests: Debian's
// binaries (/usr/lib/postgresql/*/bin), initdb + pg_ctl into a temporary
// directory, listening on a free 127.0.0.1 port, run as the postgres OS user
// when the test runs as root (initdb refuses root). When
// TAHQIQ_TEST_POSTGRES_URL is set that server is used instead. It is
// imported only from tests.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the URL of an existing server to use.
const EnvURL = "TAHQIQ_TEST_POSTGRES_URL"

// Server is a running PostgreSQL server.
type Server struct {
	URL string // of the maintenance database "postgres"

	mu sync.Mutex
	n  int
}

// Start returns a server for the test, started (and stopped at cleanup) or
// taken from TAHQIQ_TEST_POSTGRES_URL. It skips the test when no server can
// be had.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return &Server{URL: u}
	}
	bin := findBin()
	if bin == "" {
		tb.Skip("pgtest: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql) and TAHQIQ_TEST_POSTGRES_URL unset")
	}
	dir, err := os.MkdirTemp("", "tahqiq-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("pgtest: running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) error {
		argv := append(append([]string{}, asUser...), filepath.Join(bin, name))
		argv = append(argv, args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		tb.Skipf("pgtest: cannot initdb: %v", err)
	}
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir)
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		tb.Skipf("pgtest: cannot start server: %v\n%s", err, log)
	}
	tb.Cleanup(func() {
		if err := run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			tb.Logf("pgtest: stop: %v", err)
		}
	})
	return &Server{URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
}

// exec runs statements as the server's superuser; at cleanup it runs undo.
func (s *Server) exec(tb testing.TB, do, undo []string) {
	tb.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(s.URL)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, q := range do {
		if _, err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("pgtest: %s: %v", q, err)
		}
	}
	tb.Cleanup(func() {
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		for _, q := range undo {
			c.Exec(ctx, q)
		}
	})
}

// name returns a fresh object name with prefix.
func (s *Server) name(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), s.n)
}

// NewDatabase creates an empty database on the server and returns its URL.
// The database is dropped at cleanup.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := s.name("tahqiq_test")
	s.exec(tb, []string{"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name},
		[]string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"})
	return withDatabase(s.URL, name)
}

// NewAppDatabase is NewDatabase owned by a new ordinary role (no
// superuser, no BYPASSRLS), and returns a URL that connects as that role:
// the way a production server should connect, so that row-level security
// applies.
func (s *Server) NewAppDatabase(tb testing.TB) string {
	tb.Helper()
	name := s.name("tahqiq_app")
	s.exec(tb, []string{
		"DROP DATABASE IF EXISTS " + name, "DROP ROLE IF EXISTS " + name,
		"CREATE ROLE " + name + " LOGIN NOSUPERUSER NOBYPASSRLS", "CREATE DATABASE " + name + " OWNER " + name,
	}, []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "DROP ROLE IF EXISTS " + name})
	cfg, err := pgx.ParseConfig(s.URL)
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", name, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), name)
}

// withDatabase replaces the database of a postgres:// URL.
func withDatabase(u, name string) string {
	c, err := pgx.ParseConfig(u)
	if err != nil {
		return u
	}
	pw := ""
	if c.Password != "" {
		pw = ":" + c.Password
	}
	return fmt.Sprintf("postgres://%s%s@%s/%s?sslmode=disable", c.User, pw, net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), name)
}

func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
