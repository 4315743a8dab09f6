package ingest

import (
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// DerivationVersion is the version of what the importers and the pipeline
// derive from raw records: posts, accounts, shares, record kinds and the
// rejects the store finds. Raise it with every change of those rules;
// datasets imported before are re-derived (Rederive) before use. Version
// 2: Telegram service messages are no posts, CSV header lines are records
// of kind header, a post id of two accounts is a conflict, spreadsheet
// ids are rejected in events and CooRTweet tables, posts may have no
// time. Version 3: a post keeps its client (X source, IO
// tweet_client_name) and what its record says of its author (handle,
// name, counts: Post.Author), for the account signals. Version 4: the
// pictures an import finds in a media folder are hashed, and a hashed
// picture's image share has the object of its group (docs/images.md) in
// place of its media key. Version 1 is every import before versions were
// recorded.
const DerivationVersion = "4"

// Derivation names the current rules: the pipeline's version and the text
// normaliser's (text hashes, URLs, hashtags depend on it). It is recorded
// with every dataset.
const Derivation = "ingest-" + DerivationVersion + "+textnorm-" + textnorm.Version

// CheckDerivation refuses a dataset whose posts, accounts and shares were
// derived by other rules than the current ones: reading them beside new
// ones would mix two derivations silently. The message names the command
// that re-derives it.
func CheckDerivation(d tahqiq.Dataset) error {
	if d.Derivation == Derivation {
		return nil
	}
	return tahqiq.Errorf(tahqiq.ECONFLICT, "dataset %q was derived by %s, and this tahqiq derives by %s: re-derive it from its raw records first (tahqiq datasets rederive %s; it prints what changes, --dry-run changes nothing)",
		d.Name, derivationName(d.Derivation), Derivation, d.Name)
}

// derivationName is how a recorded derivation is named in messages.
func derivationName(v string) string {
	if v == "" {
		return "an earlier tahqiq (before derivations were recorded)"
	}
	return v
}
