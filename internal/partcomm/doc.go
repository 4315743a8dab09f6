// Package partcomm finds communities of a weighted undirected graph whose
// edges are split into partitions that no process holds together: the
// partitioned Louvain of docs/format/partitioned-run.md ("Communities").
//
// A partition's worker computes sums over its own edges (Sums: strengths,
// link weights by the neighbour's label, weights by label pair), sorted by
// key; the coordinator (Detect) merges the partitions' sorted sums as
// streams, holding arrays by node (about 36 bytes a node) and never an
// edge. Level 0 is synchronous local moving over the partitions; the graph
// of its communities, whose size is the number of community pairs joined by
// an edge, is finished by the single-process graph.Louvain.
//
// It knows nothing of accounts, files or the bus: Partitions is how the
// coordinator reaches the partitions (Local in process; a bus over NATS).
package partcomm
