package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/claims"
)

// Claim sets (fact-checks, internal/claims) are files under the claim
// sets root (DATA/claimsets), not store tables. The rule, which mirrors
// the datasets' (datasets.go) without their table:
//
//   - A set belongs to the organisation of the user who first imports it,
//     recorded in its set.json and in the custody-log entry of that
//     import. On a store without organisations the system administrator
//     imports, and the set has no owner.
//   - Only users of the owning organisation who may write (admins and
//     investigators) import into it again; for anyone else the name is
//     taken (ECONFLICT). Nobody imports into a set without an owner once
//     the store has organisations.
//   - Members of the owning organisation read it (claims match, the list);
//     a set without an owner is read by every organisation; another
//     organisation's set does not exist for a reader (ENOTFOUND).
//   - Every import is one custody-log entry, "claims.import", naming the
//     set, its organisation and counts, with the SHA-256 of every file read
//     and of the set's claims after the import. The files are staged, the
//     entry is appended, then the staged files are put in place: a failed
//     entry changes nothing. A set whose claims do not have the SHA-256 of
//     its last import is refused when read (EVERIFY).
//
// Files under --data are as safe as the directory: anyone who can write
// there can change a set, which the SHA-256 check and the log make
// evident, not impossible.

// ClaimFile is one file to import into a claim set.
type ClaimFile struct {
	Name string
	Data []byte
}

// ClaimImport is what an import did.
type ClaimImport struct {
	Set       string           `json:"set"`
	OrgID     string           `json:"org_id"`
	Created   bool             `json:"created"`
	Files     []claims.SetFile `json:"files"`
	Added     int              `json:"added"`
	Updated   int              `json:"updated"`
	Claims    int              `json:"claims"` // in the set after the import
	Rejects   int              `json:"rejects"`
	Rejected  []tahqiq.Reject  `json:"rejected"`
	SHA256    string           `json:"sha256"` // of the set's claims after the import
	Verdicts  map[string]int   `json:"verdicts"`
	Languages map[string]int   `json:"languages"`
}

// ImportClaims reads fact-check files into the claim set name under root
// as actor, by the rule above.
func (s *Service) ImportClaims(ctx context.Context, actor tahqiq.User, root, name string, files []ClaimFile) (ClaimImport, error) {
	out := ClaimImport{Set: name, Rejected: []tahqiq.Reject{}, Verdicts: map[string]int{}, Languages: map[string]int{}}
	if err := claims.CheckSetName(name); err != nil {
		return out, err
	}
	if len(files) == 0 {
		return out, tahqiq.Errorf(tahqiq.EINVALID, "no file to import")
	}
	si, err := claims.ReadSetInfo(root, name)
	exists := err == nil
	if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		return out, err
	}
	org, err := s.mayImportClaims(ctx, actor, si, exists)
	if err != nil {
		return out, err
	}
	var prev []claims.Claim
	if exists {
		if _, prev, err = claims.ReadSet(root, name); err != nil {
			return out, err
		}
	} else {
		si = claims.SetInfo{Name: name, OrgID: org, Created: s.now()}
	}
	sources := map[string][]byte{}
	var read []claims.Claim
	imp := claims.SetImport{At: s.now(), By: actor.ID}
	hashes := []string{}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		hexSum := hex.EncodeToString(sum[:])
		cs, rejects, err := claims.Parse(f.Data, claims.Source{File: f.Name, SHA256: hexSum})
		if err != nil {
			return out, err
		}
		sources[hexSum] = f.Data
		hashes = append(hashes, "sha256:"+hexSum)
		format := ""
		if len(cs) > 0 {
			format = cs[0].Source.Format
		}
		imp.Files = append(imp.Files, claims.SetFile{Name: f.Name, SHA256: hexSum, Format: format, Claims: len(cs), Rejects: len(rejects)})
		read = append(read, cs...)
		out.Rejects += len(rejects)
		for _, r := range rejects {
			if len(out.Rejected) < 1000 {
				out.Rejected = append(out.Rejected, r)
			}
		}
	}
	if len(read) == 0 {
		reason := "no ClaimReview with a URL and a claim"
		if len(out.Rejected) > 0 {
			reason = out.Rejected[0].Reason
		}
		return out, tahqiq.Errorf(tahqiq.EINVALID, "nothing to import into claim set %q: %s", name, reason)
	}
	merged, added, updated := claims.Merge(prev, read)
	body, setSum, err := claims.EncodeSet(merged)
	if err != nil {
		return out, err
	}
	imp.Added, imp.Updated, imp.SHA256 = added, updated, setSum
	si.Imports = append(si.Imports, imp)
	si.Claims, si.SHA256 = len(merged), setSum
	if err := claims.StageSet(root, si, body, sources); err != nil {
		claims.AbortSet(root, name, !exists)
		return out, fmt.Errorf("casework: stage claim set %q: %w", name, err)
	}
	var names []string
	for _, f := range imp.Files {
		names = append(names, fmt.Sprintf("%s (%d claims, %d rejected)", f.Name, f.Claims, f.Rejects))
	}
	details := fmt.Sprintf("claim set %q (org %s): %d added, %d updated, %d in the set; files %s", name, orDash(si.OrgID), added, updated, len(merged), strings.Join(names, ", "))
	if err := s.Record(ctx, actor, "claims.import", details, append(hashes, "sha256:"+setSum)...); err != nil {
		claims.AbortSet(root, name, !exists)
		return out, err
	}
	if err := claims.CommitSet(root, name); err != nil {
		return out, fmt.Errorf("casework: claim set %q: the import is logged but its files could not be put in place (import again): %w", name, err)
	}
	out.OrgID, out.Created, out.Files = si.OrgID, !exists, imp.Files
	out.Added, out.Updated, out.Claims, out.SHA256 = added, updated, len(merged), setSum
	for _, c := range read {
		out.Verdicts[c.VerdictNorm]++
		out.Languages[c.Language]++
	}
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mayImportClaims applies the import rule and returns the owning
// organisation of the set after the import.
func (s *Service) mayImportClaims(ctx context.Context, actor tahqiq.User, si claims.SetInfo, exists bool) (string, error) {
	if actor.IsSystem() {
		has, err := s.HasOrganisations(ctx)
		if err != nil {
			return "", err
		}
		if has {
			return "", tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "this store has organisations: say who imports with --as USER (or TAHQIQ_USER)")
		}
		if exists && si.OrgID != "" {
			return "", tahqiq.Errorf(tahqiq.ECONFLICT, "the claim set name %q is taken: choose another name", si.Name)
		}
		return "", nil
	}
	if err := actor.Active(); err != nil {
		return "", err
	}
	if !actor.Role.CanWrite() {
		return "", tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not import", actor.Name, actor.Role)
	}
	switch {
	case !exists:
		return actor.OrgID, nil
	case si.OrgID == actor.OrgID:
		return si.OrgID, nil
	case si.OrgID == "":
		return "", tahqiq.Errorf(tahqiq.ECONFLICT, "claim set %q has no owning organisation (it was imported before organisations existed): nobody imports into it; import under another name", si.Name)
	}
	return "", tahqiq.Errorf(tahqiq.ECONFLICT, "the claim set name %q is taken: choose another name", si.Name)
}

// ClaimSetAccess reports whether actor may read a claim set: another
// organisation's does not exist for it.
func (s *Service) ClaimSetAccess(actor tahqiq.User, si claims.SetInfo) error {
	if actor.IsSystem() || si.OrgID == "" || si.OrgID == actor.OrgID {
		return nil
	}
	return tahqiq.Errorf(tahqiq.ENOTFOUND, "no claim set named %q", si.Name)
}

// ReadClaimSet reads a claim set actor may read.
func (s *Service) ReadClaimSet(ctx context.Context, actor tahqiq.User, root, name string) (claims.SetInfo, []claims.Claim, error) {
	si, err := claims.ReadSetInfo(root, name)
	if err != nil {
		return si, nil, err
	}
	if err := s.ClaimSetAccess(actor, si); err != nil {
		return si, nil, err
	}
	return claims.ReadSet(root, name)
}

// ClaimSets lists the claim sets actor may read.
func (s *Service) ClaimSets(ctx context.Context, actor tahqiq.User, root string) ([]claims.SetInfo, error) {
	all, err := claims.ListSets(root)
	if err != nil {
		return nil, err
	}
	var out []claims.SetInfo
	for _, si := range all {
		if s.ClaimSetAccess(actor, si) == nil {
			out = append(out, si)
		}
	}
	return out, nil
}
