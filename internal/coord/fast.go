package coord

import "github.com/tahqiq/tahqiq"

// ObjFastReshare is the object type of the fast-reshare window kind: the
// object is the author of the original post.
const ObjFastReshare tahqiq.ObjectType = "fast-reshare"

// fastReshares turns the retweet shares of posts whose original is in the
// data and that came at most w seconds after it (Luceri et al.'s fast
// retweets; the whole delay counts, days included) into shares of the
// original's author. Other shares are dropped.
func fastReshares(shares []tahqiq.Share, w int64) []tahqiq.Share {
	type orig struct {
		t   int64
		acc string
	}
	origs := make(map[string]orig, len(shares))
	for _, s := range shares {
		id := platformID(s.PostID)
		if o, ok := origs[id]; !ok || s.Time < o.t {
			origs[id] = orig{s.Time, s.AccountID}
		}
	}
	var out []tahqiq.Share
	for _, s := range shares {
		if s.Type != tahqiq.ObjRetweet {
			continue
		}
		o, ok := origs[s.Object]
		if !ok || o.acc == s.AccountID {
			continue
		}
		if d := s.Time - o.t; d < 0 || d > w {
			continue
		}
		s.Type, s.Object = ObjFastReshare, "author:"+o.acc
		out = append(out, s)
	}
	return out
}
