package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/busrun"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/natsbus"
)

// streamFlags are the flags of the partitioned path.
type streamFlags struct {
	url        string // nats://… or "embedded"
	partitions int
	workers    int // in-process workers with --nats embedded
	replicas   int
	reduces    int // reduce partitions; 0: the run gathers the pairs
	// storeDir keeps the embedded server's streams across restarts (serve:
	// --data/nats); empty: a temporary directory removed on exit
	storeDir string
	listen   string // serve: the embedded server's address; "": a free loopback port
	creds    string // --nats-creds: the credentials file for a nats:// URL
	// workerMem is each in-process worker's budget (coord --mem shared
	// with --nats embedded, embeddedWorkerMem)
	workerMem int64
}

// embeddedWorkerMem is an in-process worker's share of a process's
// budget: the process holds the run, the embedded server and the
// workers, one share each.
func embeddedWorkerMem(mem int64, workers int) int64 {
	return mem / int64(max(workers, 1)+2)
}

func (s *streamFlags) add(f interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	f.StringVar(&s.url, "nats", "", `compute pairs through NATS JetStream: a nats:// URL of a server or cluster (with "tahqiq worker" processes), or "embedded" for an in-process server and workers; empty: one process, no bus`)
	f.IntVar(&s.partitions, "partitions", 16, "with --nats: object partitions of the work stream")
	f.IntVar(&s.workers, "stream-workers", 2, "with --nats embedded: in-process workers")
	f.IntVar(&s.replicas, "replicas", 1, replicasUsage)
	f.IntVar(&s.reduces, "reduce-partitions", 4, "with --nats: account-pair partitions whose partial aggregates the workers' reducers merge; 0: the run gathers the pairs and aggregates them itself")
	f.StringVar(&s.creds, "nats-creds", "", credsUsage)
}

// replicasUsage documents --replicas wherever a command sets streams up.
const replicasUsage = "with --nats: replicas of the JetStream streams this command sets up (3 on a three-node cluster); an existing stream with fewer is raised to them, one with more keeps its own (never lowered)"

// credsUsage documents --nats-creds wherever a command takes a nats:// URL.
const credsUsage = "credentials for the nats:// URL: an NKey seed file (tahqiq serve's embedded server keeps its own in DATA/nats/client.nk, which commands given the same --data use for a loopback URL) or a .creds file of an operator-mode cluster"

// config is the bus configuration of the flags.
func (s *streamFlags) config() busrun.Config {
	return busrun.Config{URL: s.url, Partitions: s.partitions, Workers: s.workers, Replicas: s.replicas, Reduces: s.reduces, StoreDir: s.storeDir, Listen: s.listen, Creds: s.creds, WorkerMem: s.workerMem}
}

// bus is the runtime of the NATS bus for this process (internal/busrun).
func (e *env) bus() *busrun.Runtime {
	return &busrun.Runtime{DataDir: e.dataDir, Stderr: e.stderr, Log: e.log}
}

func newWorkerCmd(e *env) *cobra.Command {
	var url, parts, creds string
	var partitions, replicas int
	mem := sizeValue(coord.DefaultMem())
	cmd := &cobra.Command{
		Use:   "worker --nats nats://… [--partitions 0,1,2]",
		Short: "Compute coordination pairs for runs started with tahqiq coord --nats (NATS JetStream)",
		Long: `A worker takes batches of objects from the JetStream work stream (durable
pull consumers, one per partition it serves), computes each object's
in-window pairs with the same kernel as the single-machine engine and
publishes them back. A batch is acknowledged only after its pairs are
published; a worker that dies leaves its batches to be redelivered to
another. Run as many as you like, on as many machines; stop with Ctrl-C.

--mem bounds the worker's memory: the Go heap is held under it, and a
reducer whose partition's merged partials outgrow a third of it writes them,
sorted, to the temporary directory ($TMPDIR) and merges them as it writes
(the result does not depend on the budget).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" || url == "embedded" {
				return tahqiq.Errorf(tahqiq.EINVALID, "worker needs --nats nats://… (the server the runs publish to)")
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			bus, done, err := e.bus().Connect(ctx, url, creds, replicas)
			if err != nil {
				return err
			}
			defer done()
			bus.Partitions = partitions
			if err := bus.Setup(ctx); err != nil {
				if ctx.Err() != nil {
					return nil // stopped (Ctrl-C, SIGTERM) while it waited for the streams
				}
				return err
			}
			w := &natsbus.Worker{Bus: bus, Name: hostname(), Mem: int64(mem), Log: func(f string, a ...any) { fmt.Fprintf(e.stderr, f+"\n", a...) }}
			defer coord.SetMemoryLimit(coord.SetMemoryLimit(int64(mem)))
			if parts != "" {
				for _, p := range strings.Split(parts, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(p))
					if err != nil || n < 0 || n >= partitions {
						return tahqiq.Errorf(tahqiq.EINVALID, "--partitions-served %q: want numbers from 0 to %d", p, partitions-1)
					}
					w.Partitions = append(w.Partitions, n)
				}
			}
			n := 0
			w.OnTask = func(batch int) {
				n++
				if !e.quiet && n%100 == 0 {
					fmt.Fprintf(e.stderr, "worker %s: %d batches\n", w.Name, n)
				}
			}
			fmt.Fprintf(e.stderr, "worker %s serving %s; stop with Ctrl-C\n", w.Name, url)
			stop, err := profile() // TAHQIQ_CPUPROFILE, as coord's
			if err != nil {
				return err
			}
			defer stop()
			return w.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&url, "nats", "", "nats:// URL of the server or cluster (several separated by commas)")
	cmd.Flags().IntVar(&partitions, "partitions", 16, "object partitions of the work stream (as the runs use)")
	cmd.Flags().StringVar(&parts, "partitions-served", "", "serve only these partitions, e.g. 0,1,2 (default: all)")
	cmd.Flags().StringVar(&creds, "nats-creds", "", credsUsage)
	cmd.Flags().IntVar(&replicas, "replicas", 1, replicasUsage)
	cmd.Flags().Var(&mem, "mem", "memory budget of the worker, e.g. 4GB or 600MiB (default: half the machine's memory): the Go heap is held under it and a reducer spills its partition's merged partials beyond a third of it to the temporary directory ($TMPDIR), sorted, and merges them")
	return cmd
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "worker"
	}
	return h + "-" + strconv.Itoa(os.Getpid())
}
