package busrun

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// ParseHorizon reads a watch horizon: a duration longer than the window,
// or 0 or "none" for no horizon (edges count every pair since the start);
// param names the parameter (horizon, watch_horizon) in the error.
func ParseHorizon(param, s string, window int64) (int64, error) {
	if s == "0" || s == "none" {
		return 0, nil
	}
	h, err := runs.ParseWindow(param, s)
	if err != nil {
		return 0, err
	}
	if h <= window {
		return 0, tahqiq.ParamErrorf(param, "{%s} %s: want a horizon longer than the window (%d s), or none", param, s, window)
	}
	return h, nil
}

// Watch runs ws on the live stream until ctx ends. With a position
// file it resumes: the messages from the saved resume point are replayed
// quietly up to the last one taken (rebuilding edges and groups without
// raising their alerts again), and the position is saved every two
// seconds and at the end. A position the stream no longer matches (a
// stream made anew, such as an embedded server's) is set aside with a
// note on log, and the watch starts as from says.
func Watch(ctx context.Context, bus *natsbus.Bus, ws *live.Watchers, filter string, from natsbus.WatchFrom, posFile string, log io.Writer) error {
	if posFile != "" {
		pos, err := live.LoadPosition(posFile)
		if err != nil {
			return err
		}
		first, last, err := bus.LiveSeqs(ctx)
		if err != nil {
			return err
		}
		switch {
		case pos.Last == 0:
		case pos.Last > last:
			fmt.Fprintf(log, "watch: %s stands at message %d but the live stream ends at %d (a new stream): starting afresh\n", posFile, pos.Last, last)
		default:
			if pos.Resume < first {
				fmt.Fprintf(log, "watch: the live stream no longer holds messages %d to %d (older than it keeps): edges and groups rebuilt from %d only\n", pos.Resume, first-1, first)
			}
			from = natsbus.WatchFrom{Seq: max(pos.Resume, 1)}
			ws.QuietThrough = pos.Last
			fmt.Fprintf(log, "watch: resuming after message %d, rebuilding from message %d\n", pos.Last, from.Seq)
		}
	}
	done := make(chan struct{})
	saved := make(chan error, 1)
	go func() {
		var last uint64
		save := func() error {
			// not while replaying: the saved position stays ahead
			if p := ws.Position(); posFile != "" && p.Last != last && p.Last >= ws.QuietThrough {
				if err := live.SavePosition(posFile, p); err != nil {
					return err
				}
				last = p.Last
			}
			return nil
		}
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if err := save(); err != nil {
					fmt.Fprintf(log, "watch: %v\n", err)
				}
			case <-done:
				saved <- save()
				return
			}
		}
	}()
	err := bus.Watch(ctx, filter, from, ws.AddSeq, func(err error) { fmt.Fprintln(log, err) })
	close(done)
	if serr := <-saved; err == nil {
		err = serr
	}
	return err
}
