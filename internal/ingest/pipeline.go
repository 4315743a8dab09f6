package ingest

import (
	"context"
	"sync"

	"github.com/tahqiq/tahqiq"
)

// derived is a parsed record with the shares of its posts, and the media
// files its posts name that the import stores with it.
type derived struct {
	p      *tahqiq.Parsed
	shares []tahqiq.Share
	media  []tahqiq.MediaFile
}

// derive computes the shares of p's posts and completes its record kind.
func derive(p *tahqiq.Parsed) *derived {
	d := &derived{p: p}
	d.shares = deriveInto(nil, p)
	return d
}

// deriveInto appends the shares of p's posts to out (a read that reuses
// one slice: Importer.ReadInto) and completes its record kind.
func deriveInto(out []tahqiq.Share, p *tahqiq.Parsed) []tahqiq.Share {
	if p.Reject != "" {
		return out
	}
	for i := range p.Posts {
		out = appendDerived(out, &p.Posts[i])
	}
	setKind(p)
	return out
}

// setKind fills in the record kind a parser left empty.
func setKind(p *tahqiq.Parsed) {
	if p.Record.Kind == "" {
		p.Record.Kind = tahqiq.RecordPost
		if len(p.Posts) == 0 {
			p.Record.Kind = tahqiq.RecordOther
		}
	}
}

// chunk is how many records travel through the pipeline channel at once.
const chunk = 256

// pipeline runs produce on its own goroutine and hands what it emits, in
// order, to consume on the calling goroutine. If consume fails, produce's
// context is cancelled and the consume error is returned; otherwise the
// produce error is.
func pipeline(ctx context.Context, produce func(context.Context, func(*derived) error) error, consume func(*derived) error) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan []*derived, 8)
	var perr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		buf := make([]*derived, 0, chunk)
		perr = produce(pctx, func(d *derived) error {
			buf = append(buf, d)
			if len(buf) == chunk {
				select {
				case ch <- buf:
				case <-pctx.Done():
					return pctx.Err()
				}
				buf = make([]*derived, 0, chunk)
			}
			return nil
		})
		// what was parsed before an error of the input is kept (the error
		// says where the file stopped)
		if len(buf) > 0 && pctx.Err() == nil {
			select {
			case ch <- buf:
			case <-pctx.Done():
				if perr == nil {
					perr = pctx.Err()
				}
			}
		}
	}()
	var cerr error
	for batch := range ch {
		if cerr != nil {
			continue // drain so the producer can finish
		}
		for _, d := range batch {
			if cerr = consume(d); cerr != nil {
				cancel()
				break
			}
		}
	}
	wg.Wait()
	if cerr != nil {
		return cerr
	}
	return perr
}
