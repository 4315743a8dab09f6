// Package signals computes what the data says of each account, by
// written definitions (docs/signals.md): its creation date and age at its
// posts, how much and when it posts (posts per active day, the most in an
// hour and a day, the hour-of-day profile and its entropy, burstiness),
// what it posts (shares of reposts, replies, quotes, posts with links),
// the clients it posts with, its handle's pattern, its followers and
// following, and the handles and names the records give it over time.
//
// A Builder is fed what a coordination run or a text analysis reads, by
// one rule whoever reads it (a stored dataset or files): every post once,
// as first seen (Post), and every account as the first record naming it
// describes it (Account; Author for an account named only as a post's
// author), which is the account a dataset keeps. The result does not
// depend on the order it is fed in. Rows are columns of nodes.csv, of
// tahqiq accounts and of the API; Where filters them.
//
// There is no score and no verdict: each signal is a measurement with its
// definition, and none of them, alone or together, says who runs an
// account. The package reads nothing and writes nothing.
package signals
