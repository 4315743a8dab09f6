// Package tahqiq is the domain vocabulary of the tahqiq investigation
// workbench: the records, posts, accounts and shares that importers produce,
// the datasets that hold them; election results as forms; cases, their
// evidence and the custody log; organisations, users and their access; the
// domain error type; and the small store interfaces that every storage
// engine implements. It knows nothing of storage, HTTP or the command line.
//
// Glossary of social-media data (coordination):
//
//   - A raw record is one input item kept byte for byte (a JSONL line, a CSV
//     row, a JSON object inside a larger document) with its file, locator and
//     SHA-256. Raw records are the evidence layer; everything else is derived.
//   - A post is one platform item (tweet, Telegram message, Facebook post).
//     Its UID is "platform:platform_id", so it is unique across datasets.
//   - An account is one platform account, UID "platform:account_id".
//   - A share is one (post, object) pair: the post shares a retweeted post, a
//     URL, a domain, a hashtag, a mention, a reply target, a normalised text
//     or an image. Shares feed coordination detection.
//   - A dataset is a named collection of imports. It belongs to the
//     organisation of whoever first imported into it (DatasetStore).
//   - A reject is an input record that could not be imported, kept with its
//     reason; nothing is dropped silently.
//
// Glossary of election results (audit):
//
//   - An election holds contests (a constituency's race, or a national
//     contest) and their polling stations.
//   - A form instance is one copy of one result form (e.g. Pakistan's Form 45
//     of a station, Form 47 of a constituency) from one source; its line
//     items are the numbers written on it. Several copies of one form are
//     compared, and each level of forms is reconciled with the one below.
//
// Glossary of cases and custody:
//
//   - A case is an investigation, marked with a TLP (Traffic Light Protocol
//     2.0) level; it belongs to its organisation.
//   - An item is one piece of evidence in a case (a file, a post, a run's
//     output, a captured page), its bytes kept as content-addressed blobs;
//     items never change once attached.
//   - A finding is a claim backed by items; a recommendation a proposed
//     action (a takedown request, a referral) that a reviewer approves or
//     rejects; a task a to-do; a note free text.
//   - A case share (CaseShare) grants another organisation a case or an item
//     at a TLP; not to be confused with a share of social-media data above.
//   - The custody log is an append-only Merkle log of LogEntry values: who did
//     what, when, to which records (RecordRef: kind, ID, version, digest).
//     Checkpoints are its signed tree heads. A case, and every access grant
//     and stored run, is the fold of its entries; verification compares the
//     fold with what is stored or exported (internal/ledger,
//     docs/format/ledger.md).
//   - An organisation holds users; a user has a role (viewer, investigator,
//     reviewer, admin); the system administrator (System) is whoever runs the
//     CLI against the store itself. Users are disabled, never deleted, so
//     every entry keeps its actor.
//
// IDs are strings everywhere: platform ids exceed 2^53 and must never pass
// through a float.
//
// This package imports only the standard library.
package tahqiq
