package rundir_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/rundir"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadCommunities(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"tool":"tahqiq coord","inputs":[{"name":"a.csv","sha256":"aa","source":"file"}]}`)
	write(t, dir, "nodes.csv", "account,degree,community\nx:1,1,0\nx:2,1,0\nx:3,1,-1\nx:4,2,5\n")
	c, err := rundir.ReadCommunities(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Count != 2 || c.Accounts != 3 || c.Of["x:4"] != "5" || c.Of["x:3"] != "" {
		t.Errorf("communities = %+v", c)
	}
	if err := c.SameInputs([]rundir.Input{{Name: "b.csv", SHA256: "aa", Source: "file"}}); err != nil {
		t.Errorf("same SHA-256 under another name: %v", err)
	}
	if err := c.SameInputs([]rundir.Input{{Name: "a.csv", SHA256: "bb", Source: "file"}}); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("other contents: %v, want ECONFLICT", err)
	}
	write(t, dir, "manifest.json", `{"tool":"tahqiq narratives"}`)
	if _, err := rundir.ReadCommunities(dir); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("a narratives run taken for a coord run: %v", err)
	}
	if _, err := rundir.ReadCommunities(t.TempDir()); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("an empty directory: %v", err)
	}
}

func TestWriteCSV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.csv")
	err := rundir.WriteCSV(p, []string{"a", "b"}, func(w *csv.Writer) error { return w.Write([]string{"1", "x;y"}) })
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "a,b\n1,x;y\n" {
		t.Errorf("wrote %q", b)
	}
	if got := rundir.Time(0, false); got != "" {
		t.Errorf("Time(0, false) = %q", got)
	}
	if got := rundir.Time(1707390000, true); got != "2024-02-08T11:00:00Z" {
		t.Errorf("Time = %q", got)
	}
}
