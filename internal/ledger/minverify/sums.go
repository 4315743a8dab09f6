package minverify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// SumsFile is the name of a directory's digest file: "<64 hex>  <path>\n"
// for every other file, sorted by path (bundle.md, the layout).
const SumsFile = "SHA256SUMS"

// safePath reports whether p is a relative slash path that stays inside
// the directory: not empty, no leading "/", no "." or ".." element, no
// empty element, no backslash.
func safePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return false
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}

// files lists every regular file under dir as slash paths, and names
// anything else (a link, a device) as a problem.
func files(dir string) (map[string]bool, []Problem) {
	out := map[string]bool{}
	var ps []Problem
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ps = append(ps, problem("file-unreadable", -1, "%s: %v", p, err))
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			ps = append(ps, problem("unsafe-path", -1, "%s: not a regular file", rel))
			return nil
		}
		out[rel] = true
		return nil
	})
	return out, ps
}

// CheckSums checks dir against its SHA256SUMS: every path listed must be
// a safe path that exists (else file-removed) and hashes as listed (else
// file-changed); every other file but SHA256SUMS itself is file-added.
func CheckSums(dir string) []Problem {
	have, ps := files(dir)
	sums, err := os.ReadFile(filepath.Join(dir, SumsFile))
	if err != nil {
		return append(ps, problem("file-removed", -1, "%s: %v", SumsFile, err))
	}
	listed := map[string]bool{SumsFile: true}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		line := sc.Text()
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			ps = append(ps, problem("file-changed", -1, "%s: bad line %q", SumsFile, line))
			continue
		}
		if !safePath(name) {
			ps = append(ps, problem("unsafe-path", -1, "%s lists %q: not a path inside the directory; not read", SumsFile, name))
			continue
		}
		listed[name] = true
		if !have[name] {
			ps = append(ps, problem("file-removed", -1, "%s: listed in %s, absent", name, SumsFile))
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			ps = append(ps, problem("file-changed", -1, "%s: %v", name, err))
			continue
		}
		if h := sha256.Sum256(b); hex.EncodeToString(h[:]) != sum {
			ps = append(ps, problem("file-changed", -1, "%s: its SHA-256 is not the one %s lists", name, SumsFile))
		}
	}
	var added []string
	for name := range have {
		if !listed[name] {
			added = append(added, name)
		}
	}
	sort.Strings(added)
	for _, name := range added {
		ps = append(ps, problem("file-added", -1, "%s: not listed in %s", name, SumsFile))
	}
	return ps
}

// WriteSums writes dir's SHA256SUMS over every other file in it (used for
// the test vectors' own digest file, docs/format/testdata/SHA256SUMS).
func WriteSums(dir string) error {
	have, ps := files(dir)
	if len(ps) > 0 {
		return fmt.Errorf("%s: %s", dir, ps[0])
	}
	var names []string
	for name := range have {
		if name != SumsFile {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		fmt.Fprintf(&buf, "%s  %s\n", hex.EncodeToString(h[:]), path.Clean(name))
	}
	return os.WriteFile(filepath.Join(dir, SumsFile), buf.Bytes(), 0o644)
}
