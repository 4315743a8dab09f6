package tahqiq

import (
	"slices"
	"strings"
)

// ResolveAccount returns the account among candidates that ref names, as
// a person writes an account: its UID (x:1014289465672716288); the id as
// the user's file wrote it, without the platform prefix
// (1014289465672716288, 5067ec…, user1001); its handle, with or without
// "@" (stephy_wr, @stephy_wr; letter case aside, as platforms compare
// handles); or, when nothing else matches, its display name (علی رضا).
// A UID is unique; the other forms may name several accounts (the same
// id on two platforms, one handle on two), and then ref is ambiguous: an
// EINVALID error listing the candidates by UID, handle and name. where
// says where the accounts were looked for ("run 3f2a…", "dataset ru"),
// for the messages. Every command and API route that takes an account
// resolves it here, so that they all accept the same forms.
func ResolveAccount(ref, where string, candidates []Account) (Account, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Account{}, Errorf(EINVALID, "no account given: give its UID, its id or its handle")
	}
	for _, a := range candidates {
		if a.UID == ref {
			return a, nil
		}
	}
	var ids, names []Account
	for _, a := range candidates {
		switch {
		case AccountIDMatches(a, ref):
			ids = append(ids, a)
		case a.Name != "" && a.Name == ref:
			names = append(names, a)
		}
	}
	if len(ids) == 0 {
		ids = names
	}
	switch len(ids) {
	case 0:
		return Account{}, Errorf(ENOTFOUND, "no account %q in %s (give its UID, its id as the file wrote it, its handle or its name)", ref, where)
	case 1:
		return ids[0], nil
	}
	slices.SortFunc(ids, func(a, b Account) int { return strings.Compare(a.UID, b.UID) })
	list := make([]string, len(ids))
	for i, a := range ids {
		list[i] = AccountLabel(a)
	}
	return Account{}, Errorf(EINVALID, "%q names %d accounts in %s: %s; give its UID", ref, len(ids), where, strings.Join(list, "; "))
}

// AccountIDMatches reports whether ref is account a's id as its file wrote
// it (a's UID without the platform prefix) or its handle, with or without
// "@", letter case aside: the forms ResolveAccount takes besides the UID
// and the name. A store looking accounts up by ref narrows them to these.
func AccountIDMatches(a Account, ref string) bool {
	if _, id, ok := strings.Cut(a.UID, ":"); ok && id == ref {
		return true
	}
	h := strings.TrimPrefix(ref, "@")
	return a.Handle != "" && h != "" && strings.EqualFold(a.Handle, h)
}

// AccountLabel names an account for people, with its UID: "x:123 (@handle,
// Name)", "telegram:user101 (علی رضا)", or the UID alone when the data
// says nothing else of it.
func AccountLabel(a Account) string {
	var parts []string
	if a.Handle != "" {
		parts = append(parts, "@"+a.Handle)
	}
	if a.Name != "" {
		parts = append(parts, a.Name)
	}
	if len(parts) == 0 {
		return a.UID
	}
	return a.UID + " (" + strings.Join(parts, ", ") + ")"
}
