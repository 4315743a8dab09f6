package casework_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

const claimCSV = `claim,url,rating,publisher,review_date,language
"An image shows Imran Khan casting his vote inside Adiala Jail",https://factcheck.example.org/adiala,False,Example Fact Check,2024-02-08,en
`

// TestClaimSets: a claim set belongs to the organisation of its first
// importer, only that organisation imports into it again and reads it,
// every import is one custody-log entry with the files' and the set's
// SHA-256, and a set changed outside tahqiq is refused.
func TestClaimSets(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	s := f.s
	root := filepath.Join(f.dir, "claimsets")
	files := []casework.ClaimFile{{Name: "adiala.csv", Data: []byte(claimCSV)}}
	_, before := logTail(t, f)
	res, err := s.ImportClaims(ctx, f.admin, root, "pk2024", files)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Added != 1 || res.Claims != 1 || res.OrgID != f.admin.OrgID || res.Verdicts["false"] != 1 {
		t.Errorf("first import = %+v", res)
	}
	e, after := logTail(t, f)
	if after != before+1 || e.Action != "claims.import" || e.Actor != f.admin.ID || !strings.Contains(e.Details, `claim set "pk2024"`) {
		t.Errorf("log grew %d -> %d, last entry %+v: want one claims.import entry", before, after, e)
	}
	if len(e.Hashes) != 2 || e.Hashes[1] != "sha256:"+res.SHA256 {
		t.Errorf("entry hashes %v: want the file's and the set's (%s)", e.Hashes, res.SHA256)
	}
	// again: the review is replaced, not added
	res, err = s.ImportClaims(ctx, f.admin, root, "pk2024", files)
	if err != nil || res.Added != 0 || res.Updated != 1 || res.Claims != 1 {
		t.Errorf("second import = %+v, %v", res, err)
	}
	// a partner organisation: the name is taken, the set does not exist for it
	if _, err := s.AddOrg(ctx, tahqiq.System, "Partner"); err != nil {
		t.Fatal(err)
	}
	partner, err := s.AddUser(ctx, tahqiq.System, "Partner", "omar", tahqiq.RoleInvestigator, "")
	if err != nil {
		t.Fatal(err)
	}
	_, n := logTail(t, f)
	if _, err := s.ImportClaims(ctx, partner, root, "pk2024", files); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("partner import into pk2024: %v, want ECONFLICT", err)
	}
	if _, _, err := s.ReadClaimSet(ctx, partner, root, "pk2024"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("partner read of pk2024: %v, want ENOTFOUND", err)
	}
	if sets, err := s.ClaimSets(ctx, partner, root); err != nil || len(sets) != 0 {
		t.Errorf("partner lists %v, %v; want none", sets, err)
	}
	if _, m := logTail(t, f); m != n {
		t.Errorf("the partner's refused import and reads logged %d entries", m-n)
	}
	// the partner's own set is its own
	if _, err := s.ImportClaims(ctx, partner, root, "partner-set", files); err != nil {
		t.Fatal(err)
	}
	if sets, _ := s.ClaimSets(ctx, f.admin, root); len(sets) != 1 || sets[0].Name != "pk2024" {
		t.Errorf("admin lists %v, want only pk2024", sets)
	}
	// a viewer may not import; a refusal logs nothing
	viewer, err := s.AddUser(ctx, tahqiq.System, "Team", "vera", tahqiq.RoleViewer, "")
	if err != nil {
		t.Fatal(err)
	}
	_, n = logTail(t, f)
	if _, err := s.ImportClaims(ctx, viewer, root, "pk2024", files); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Errorf("viewer import: %v, want EFORBIDDEN", err)
	}
	if _, m := logTail(t, f); m != n {
		t.Errorf("a refused import logged %d entries", m-n)
	}
	if _, cs, err := s.ReadClaimSet(ctx, viewer, root, "pk2024"); err != nil || len(cs) != 1 {
		t.Errorf("viewer of the owning organisation reads %d claims, %v", len(cs), err)
	}
	// nothing to import is an error, not an empty set
	if _, err := s.ImportClaims(ctx, f.admin, root, "empty", []casework.ClaimFile{{Name: "x.csv", Data: []byte("claim,url\n")}}); tahqiq.ErrorCode(err) != tahqiq.EINVALID {
		t.Errorf("empty import: %v, want EINVALID", err)
	}
	if _, err := os.Stat(filepath.Join(root, "empty")); !os.IsNotExist(err) {
		t.Errorf("a refused import left its set directory: %v", err)
	}
	// a set changed outside tahqiq is refused
	p := filepath.Join(root, "pk2024", "claims.jsonl")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append(b, '\n'), 0o600)
	if _, _, err := s.ReadClaimSet(ctx, f.admin, root, "pk2024"); tahqiq.ErrorCode(err) != tahqiq.EVERIFY {
		t.Errorf("tampered set: %v, want EVERIFY", err)
	}
	// the imported bytes are kept by SHA-256
	if ents, _ := os.ReadDir(filepath.Join(root, "pk2024", "sources")); len(ents) != 1 {
		t.Errorf("sources: %d files, want 1", len(ents))
	}
}
