// Package tahqiq is the domain vocabulary of the tahqiq investigation
// workbench: the records, posts, accounts and shares that importers produce,
// the datasets that hold them, the domain error type, and the small store
// interfaces that every storage engine implements.
//
// Glossary:
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
//   - A dataset is a named collection of imports.
//
// IDs are strings everywhere: platform ids exceed 2^53 and must never pass
// through a float.
//
// This package imports only the standard library.
package tahqiq
