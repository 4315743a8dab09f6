package narrative

import (
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// Post is what grouping needs of a post.
type Post struct {
	ID       string // post UID, as in the run's other files
	Account  string // account UID
	Platform string
	Time     int64 // Unix seconds, UTC
	HasTime  bool
	Repost   bool
	RepostOf string // UID of the reposted post, when the source names it
	Text     string // for a repost, the original's text when the source gives it
	// Counts are the post's own views and engagements (nil: none; an X
	// repost has none, its counts are its original's), for the reach.
	Counts *signals.Counts
}

// FromPost takes what grouping needs from a post (and its counts, for
// the reach): its best full text
// (Post.TextFull when the source gives one: the original's for a repost),
// and for a repost the UID of the post it reposts or forwards.
func FromPost(p tahqiq.Post) Post {
	np := Post{ID: p.UID, Account: p.AuthorUID, Platform: p.Platform, Text: p.Text, Counts: signals.CountsOf(&p)}
	if p.TextFull != "" {
		np.Text = p.TextFull
	}
	if !p.CreatedAt.IsZero() && p.Precision != tahqiq.PrecisionNone {
		np.Time, np.HasTime = p.CreatedAt.Unix(), true
	}
	if p.Kind == tahqiq.KindRepost {
		np.Repost = true
		for _, r := range p.References {
			if (r.Type == tahqiq.RefRetweetOf || r.Type == tahqiq.RefForwardOf) && r.TargetUID != "" {
				np.RepostOf = r.TargetUID
				break
			}
		}
	}
	return np
}

// Include reports whether a post takes part in grouping: every post but
// service messages (a Telegram "joined", "pinned" ...).
func Include(p tahqiq.Post) bool { return p.Kind != tahqiq.KindService }
