// Package natsbus is tahqiq's NATS JetStream bus. It spreads coordination
// detection over processes and machines: the run's objects are published to a
// work-queue stream partitioned by a hash of the object, and `tahqiq
// worker` processes take them (durable pull consumers, explicit acks,
// redelivery when a worker dies before acking). On the reduce path (the
// Reducer, coord.Reduced: the CLI's default with --nats) the workers pair
// each object with coord's own kernel, fold the pairs into partial edges
// per account pair (coord.Partials) and their reducers merge each account
// pair's partials; on the pairs path (the Partitioner, coord.Partitioned)
// they send each object's pairs back and the run folds them. Either way
// the whole-run rules are the single-machine code, so the result equals
// the run in one process exactly. The package also holds the embedded
// NATS server (with its credentials) and the live stream that feeds
// internal/live's streaming detector. (Before issue 15 it was called
// stream, which read as the streaming mode: that is internal/live.)
package natsbus
