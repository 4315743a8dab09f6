package runs

import (
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// Accounts is what a coordination run reads of the accounts, by one rule
// for a stored dataset and for files read straight from disk: their
// signals (nodes.csv) and their reach (communities.csv), both from one
// signals.Builder. An account's followers are those of the first record
// that names it, which is the account a dataset keeps (unknown when that
// record named it only as a post's author); its engagements are summed
// over its posts, each once, as first seen (an X repost's counts are its
// original's, so it adds none). Feed it every account as a record
// describes it (Account; Author for an account a record names only as a
// post's author) and every post as first seen (Post), in any order; Fill
// puts the result in a run's data.
type Accounts struct {
	signals.Builder
}

// Fill sets d's accounts.
func (a *Accounts) Fill(d *coord.Data) { d.Accounts = &a.Builder }

var _ AccountSink = (*Accounts)(nil)
