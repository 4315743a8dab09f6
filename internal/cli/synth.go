package cli

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/synth"
)

func newSynthCmd(e *env) *cobra.Command {
	var c synth.Config
	var out, groups string
	cmd := &cobra.Command{
		Use:   "synth --posts N --out FILE [--groups FILE] [--seed S]",
		Short: "Write the synthetic co-sharing workload of coordination.md §6 as an events CSV",
		Long: `Write a deterministic synthetic data set for scale tests of "tahqiq coord":
heavy-tailed account activity, Zipf(1.1) object popularity, realistic share
delays and planted groups of coordinated accounts. --groups writes the ground
truth (group,account). The same --posts and --seed give the same bytes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.Posts <= 0 || out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--posts N (> 0) and --out FILE are required")
			}
			var planted [][]string
			n := 0
			if err := writeFile(out, func(w *bufio.Writer) error {
				w.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
				var err error
				planted, err = synth.Stream(c, func(s tahqiq.Share) error {
					n++
					w.WriteString(stripPlatform(s.AccountID))
					w.WriteByte(',')
					w.WriteString(stripPlatform(s.PostID))
					w.WriteByte(',')
					w.WriteString(strconv.FormatInt(s.Time, 10))
					w.WriteByte(',')
					w.WriteString(time.Unix(s.Time, 0).UTC().Format(time.RFC3339))
					w.WriteByte(',')
					w.WriteString(string(s.Type))
					w.WriteByte(',')
					w.WriteString(s.Object)
					return w.WriteByte('\n')
				})
				return err
			}); err != nil {
				return err
			}
			if groups != "" {
				if err := writeFile(groups, func(w *bufio.Writer) error {
					w.WriteString("group,account_id\n")
					for g, members := range planted {
						for _, m := range members {
							fmt.Fprintf(w, "%d,%s\n", g, stripPlatform(m))
						}
					}
					return nil
				}); err != nil {
					return err
				}
			}
			fmt.Fprintf(e.stdout, "synth: %d shares, %d planted groups (seed %d) -> %s\n", n, len(planted), c.Seed, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&c.Posts, "posts", 0, "number of posts")
	f.Uint64Var(&c.Seed, "seed", 1, "seed")
	f.StringVar(&out, "out", "", "events CSV to write")
	f.StringVar(&groups, "groups", "", "ground-truth CSV to write (group,account_id)")
	return cmd
}

func writeFile(path string, fn func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fn(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
