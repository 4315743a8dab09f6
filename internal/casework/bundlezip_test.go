package casework_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// member is one zip member as rezip hands it to an edit.
type member struct {
	name string
	data []byte
}

// rezip rewrites the zip at path through edit, which returns the members
// to write in place of the given ones.
func rezip(t *testing.T, path string, edit func([]member) []member) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var ms []member
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, member{f.Name, b})
	}
	zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range edit(ms) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exportZip(t *testing.T, f *fixture) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "case.zip")
	if _, err := f.s.ExportZipFile(context.Background(), f.admin, f.c.ID, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestZipBundleRoundTrip(t *testing.T) {
	f := setup(t)
	out := exportZip(t, f)
	r, err := bundle.Verify(out, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	if r.Kind != "zip bundle" || r.Items != 2 || r.Blobs != 2 || len(r.Signers) == 0 {
		t.Errorf("report = %+v; want a zip bundle of 2 items, 2 blobs, signed", r)
	}
	// The zip holds exactly the directory layout: SHA256SUMS lists every
	// other member, and nothing else is there.
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	var sums []byte
	for _, m := range zr.File {
		names = append(names, m.Name)
		if m.Name == "SHA256SUMS" {
			rc, _ := m.Open()
			sums, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		_, name, _ := strings.Cut(sc.Text(), "  ")
		listed = append(listed, name)
	}
	listed = append(listed, "SHA256SUMS")
	sort.Strings(names)
	sort.Strings(listed)
	if strings.Join(names, " ") != strings.Join(listed, " ") {
		t.Errorf("zip members %v, SHA256SUMS lists %v", names, listed)
	}
	for _, want := range []string{"manifest.json", "log/entries.jsonl", "log/checkpoint", "keys/log.pub", "blobs/" + f.items[0].Blobs[0].SHA256} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("zip lacks %s: %v", want, names)
		}
	}
	// The export itself is logged.
	n, _ := f.db.LogSize(context.Background())
	raw, _ := f.db.LogEntries(context.Background(), n-1, n)
	if e, _ := ledger.DecodeEntry(raw[0]); e.Action != "case.export" {
		t.Errorf("last log entry %q, want case.export", e.Action)
	}
	// An existing file is not overwritten.
	if _, err := f.s.ExportZipFile(context.Background(), f.admin, f.c.ID, out); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("export over an existing zip: err = %v, want conflict", err)
	}
}

func TestZipBundleTamper(t *testing.T) {
	blobName := func(ms []member) int {
		for i, m := range ms {
			if strings.HasPrefix(m.name, "blobs/") {
				return i
			}
		}
		panic("no blob member")
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string)
		want   string
	}{
		{"intact", func(*testing.T, string) {}, ""},
		{"flipped byte inside a member", func(t *testing.T, path string) {
			zr, err := zip.OpenReader(path)
			if err != nil {
				t.Fatal(err)
			}
			var off int64 = -1
			var name string
			for _, m := range zr.File {
				if strings.HasPrefix(m.Name, "blobs/") {
					off, _ = m.DataOffset()
					name = m.Name
					break
				}
			}
			zr.Close()
			b, _ := os.ReadFile(path)
			b[off+2] ^= 0x10
			os.WriteFile(path, b, 0o644)
			t.Logf("flipped byte %d in %s", off+2, name)
		}, "blobs/"},
		{"flipped byte in a rezipped member", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				i := blobName(ms)
				ms[i].data[0] ^= 1
				return ms
			})
		}, "content differs from SHA256SUMS: file changed"},
		{"removed member", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				i := blobName(ms)
				return append(ms[:i], ms[i+1:]...)
			})
		}, "listed in SHA256SUMS but missing: file removed"},
		{"removed manifest", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				var out []member
				for _, m := range ms {
					if m.name != "manifest.json" {
						out = append(out, m)
					}
				}
				return out
			})
		}, "manifest.json: listed in SHA256SUMS but missing: file removed"},
		{"added member", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				return append(ms, member{"blobs/extra", []byte("planted")})
			})
		}, "blobs/extra: not listed in SHA256SUMS: file added"},
		{"duplicate member", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				return append(ms, member{"manifest.json", []byte("{}")})
			})
		}, `zip member "manifest.json": appears more than once`},
		{"zip-slip dotdot", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				return append(ms, member{"../../evil.sh", []byte("#!/bin/sh")})
			})
		}, `zip member "../../evil.sh": unsafe path`},
		{"zip-slip absolute", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				return append(ms, member{"/etc/cron.d/x", []byte("x")})
			})
		}, `zip member "/etc/cron.d/x": unsafe path`},
		{"zip-slip backslash", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				return append(ms, member{`..\evil`, []byte("x")})
			})
		}, `unsafe path`},
		{"unsafe path in SHA256SUMS", func(t *testing.T, path string) {
			rezip(t, path, func(ms []member) []member {
				for i := range ms {
					if ms[i].name == "SHA256SUMS" {
						ms[i].data = append(ms[i].data, []byte("0000000000000000000000000000000000000000000000000000000000000000  ../../etc/passwd\n")...)
					}
				}
				return ms
			})
		}, `SHA256SUMS: unsafe path "../../etc/passwd"`},
		{"not a zip", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("not a zip at all"), 0o644)
		}, "not a readable zip archive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			out := exportZip(t, f)
			tc.tamper(t, out)
			r, err := bundle.Verify(out, casework.VerifyOptions{})
			if r != nil {
				t.Logf("problems: %v", r.Problems)
			}
			wantProblem(t, r, err, tc.want)
		})
	}
}

func TestDirBundleRejectsUnsafeSums(t *testing.T) {
	f := setup(t)
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := f.s.Export(context.Background(), f.admin, f.c.ID, out); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(filepath.Dir(out), "secret")
	os.WriteFile(secret, []byte("outside"), 0o644)
	fh, _ := os.OpenFile(filepath.Join(out, "SHA256SUMS"), os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("0000000000000000000000000000000000000000000000000000000000000000  ../secret\n")
	fh.Close()
	r, err := bundle.Verify(out, casework.VerifyOptions{})
	wantProblem(t, r, err, `SHA256SUMS: unsafe path "../secret"`)
}

// FuzzVerifyBundleZip feeds arbitrary bytes, seeded with a real zip
// bundle, to the zip verifier: it must report, never panic, and the
// intact seed must verify.
func FuzzVerifyBundleZip(f *testing.F) {
	fx := setup(f)
	var buf bytes.Buffer
	if _, err := fx.s.ExportZip(context.Background(), fx.admin, fx.c.ID, &buf); err != nil {
		f.Fatal(err)
	}
	seed := buf.Bytes()
	f.Add(seed)
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bundle.VerifyZip(bytes.NewReader(b), int64(len(b)), "fuzz.zip", casework.VerifyOptions{})
		if bytes.Equal(b, seed) && !r.OK() {
			t.Fatalf("intact bundle: %v", r.Problems)
		}
		if !bytes.Equal(b, seed) && len(b) < len(seed)/2 && r.OK() {
			t.Fatalf("a zip of %d bytes (the bundle has %d) verifies", len(b), len(seed))
		}
	})
}
