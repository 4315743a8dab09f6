package tahqiq_test

import (
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestResolveAccount: every form a person writes an account in, and what
// is refused: a reference naming several accounts lists them all.
func TestResolveAccount(t *testing.T) {
	accounts := []tahqiq.Account{
		{UID: "x:1014289465672716288", Handle: "stephy_wr", Name: "Stephy"},
		{UID: "telegram:user101", Name: "علی رضا"},
		{UID: "other:user101"},
		{UID: "other:5067ec2b1c"},
		{UID: "x:42", Handle: "ali_raza", Name: "علی رضا"},
		{UID: "telegram:99", Handle: "Stephy_WR"}, // the same handle on another platform
		{UID: "x:7", Handle: "user101"},           // a handle that is another account's id
	}
	tests := []struct {
		ref, want string
		code      string // error code; "" for none
		in        []string
	}{
		{"x:1014289465672716288", "x:1014289465672716288", "", nil},
		{"1014289465672716288", "x:1014289465672716288", "", nil},
		{" 5067ec2b1c ", "other:5067ec2b1c", "", nil},
		{"@ali_raza", "x:42", "", nil},
		{"ALI_RAZA", "x:42", "", nil},
		{"telegram:user101", "telegram:user101", "", nil},
		{"Stephy", "x:1014289465672716288", "", nil}, // a name, nothing else matches
		{"stephy_wr", "", tahqiq.EINVALID, []string{`"stephy_wr" names 2 accounts in run R`, "telegram:99 (@Stephy_WR)", "x:1014289465672716288 (@stephy_wr, Stephy)", "give its UID"}},
		{"user101", "", tahqiq.EINVALID, []string{"names 3 accounts", "other:user101; telegram:user101 (علی رضا); x:7 (@user101)"}},
		{"علی رضا", "", tahqiq.EINVALID, []string{"names 2 accounts", "telegram:user101 (علی رضا); x:42 (@ali_raza, علی رضا)"}},
		{"nobody", "", tahqiq.ENOTFOUND, []string{`no account "nobody" in run R`}},
		{"x:", "", tahqiq.ENOTFOUND, nil},
		{"@", "", tahqiq.ENOTFOUND, nil},
		{"  ", "", tahqiq.EINVALID, []string{"no account given"}},
	}
	for _, tc := range tests {
		got, err := tahqiq.ResolveAccount(tc.ref, "run R", accounts)
		if tc.code == "" {
			if err != nil || got.UID != tc.want {
				t.Errorf("ResolveAccount(%q) = %q, %v; want %q", tc.ref, got.UID, err, tc.want)
			}
			continue
		}
		if err == nil || tahqiq.ErrorCode(err) != tc.code {
			t.Errorf("ResolveAccount(%q) = %q, %v; want a %s error", tc.ref, got.UID, err, tc.code)
			continue
		}
		for _, s := range tc.in {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("ResolveAccount(%q): %v; want it to say %q", tc.ref, err, s)
			}
		}
	}
}
