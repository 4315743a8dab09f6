package sqlstore

import "github.com/tahqiq/tahqiq"

// SetCacheLimit sets the bound of the import caches, returning the undo.
func SetCacheLimit(n int) func() {
	old := cacheLimit
	cacheLimit = n
	return func() { cacheLimit = old }
}

// Lookups returns the database lookups of posts, accounts and shares of
// an import so far.
func Lookups(tx tahqiq.ImportTx) int64 { return tx.(*importTx).lookups }

// AppendPostJSON is appendPostJSON, for the tests of package sqlstore_test.
var AppendPostJSON = appendPostJSON

// SetMissedFirst sets how many new posts an import into a dataset that
// held posts looks up before it reads their UIDs, returning the undo.
func SetMissedFirst(n int64) func() {
	old := missedFirst
	missedFirst = n
	return func() { missedFirst = old }
}
