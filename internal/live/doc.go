// Package live is tahqiq's streaming mode: a Watcher keeps sliding
// windows of recent shares per object, adds each co-share pair to its
// account pair's edge as shares arrive, and raises an Alert, with the
// edges and co-share pairs behind it, when a group of accounts crosses a
// threshold; a Hub keeps a server's alerts (a JSON Lines file) and tells
// subscribers of new ones. It knows nothing of where shares come from:
// internal/natsbus feeds it from NATS JetStream.
package live
