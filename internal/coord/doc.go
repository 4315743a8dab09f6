// Package coord finds accounts that act together: pairs of accounts whose
// posts share the same object (a retweeted post, a URL, a domain, a
// hashtag, a mention, a reply target, a text, an image) within a time
// window, weighted as the published tools weigh them (CooRTweet, the
// coordination-network-toolkit, CooRnet, Pacheco et al., Luceri et al.; see
// ../shared/docs/coordination.md), with the evidence of every link.
//
// The kernel sorts each object's shares by time and walks them with two
// pointers, streaming the in-window pairs straight into per-account-pair
// aggregates; it never builds all same-object pairs. Objects are split
// among workers; results do not depend on the input order or the number
// of workers.
//
// The package takes plain inputs (tahqiq.Share values) and knows nothing of
// files or stores.
package coord
