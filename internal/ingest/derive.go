package ingest

import (
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Derive returns the shares of a post, one per distinct (type, object):
//
//   - objects the source states directly (Post.Objects), verbatim;
//   - a repost (retweet, forward) shares only what it reposts: object type
//     retweet, value the target's platform id (the part of its UID after
//     "platform:"), or, when the source does not name the target (538
//     retweets), the hash of the reposted text; a repost's own URLs,
//     hashtags and text are copies and yield nothing else, as in the peer
//     tools;
//   - any other post shares its canonical URLs and their domains, its
//     hashtags and mentions (normalised), its reply target, the hash of its
//     normalised text and its pictures: the object of a picture the import
//     hashed (Media.Image, docs/images.md), else the perceptual hash or
//     the media key the source gives.
//
// Empty values never become objects.
func Derive(p *tahqiq.Post) []tahqiq.Share {
	return appendDerived(nil, p)
}

// appendDerived appends the shares of p (Derive) to out.
func appendDerived(out []tahqiq.Share, p *tahqiq.Post) []tahqiq.Share {
	d := deriver{p: p, out: out, from: len(out)}
	for _, o := range p.Objects {
		d.add(o.Type, o.Value)
	}
	if p.Kind == tahqiq.KindRepost {
		for _, r := range p.References {
			if r.Type != tahqiq.RefRetweetOf && r.Type != tahqiq.RefForwardOf {
				continue
			}
			switch {
			case r.TargetID != "":
				d.add(tahqiq.ObjRetweet, r.TargetID)
			case r.TargetUID != "":
				d.add(tahqiq.ObjRetweet, platformID(r.TargetUID))
			case r.Type == tahqiq.RefForwardOf && (r.TargetAccountID != "" || r.TargetAccount != ""):
				// A forward whose message id is unknown: the source chat
				// or name is what is forwarded.
				src := r.TargetAccountID
				if src == "" {
					src = "name:" + textnorm.Fold(r.TargetAccount)
				}
				d.add(tahqiq.ObjRetweet, "from:"+src)
			default:
				text := p.TextFull
				if text == "" {
					text = stripRT(p.Text)
				}
				d.add(tahqiq.ObjRetweet, textnorm.TextHash(textnorm.Text(text)))
			}
		}
		return d.out
	}
	for _, l := range p.Links {
		raw := l.Expanded
		if raw == "" {
			raw = l.URL
		}
		if u, ok := textnorm.URL(raw); ok {
			d.add(tahqiq.ObjURL, u)
			d.add(tahqiq.ObjDomain, textnorm.Domain(u))
		}
	}
	for _, h := range p.Hashtags {
		d.add(tahqiq.ObjHashtag, textnorm.Hashtag(h.Text))
	}
	for _, m := range p.Mentions {
		v := textnorm.Mention(m.Text)
		if v == "" {
			v = m.ID
		}
		d.add(tahqiq.ObjMention, v)
	}
	for _, r := range p.References {
		if r.Type != tahqiq.RefReplyTo {
			continue
		}
		if r.TargetID != "" {
			d.add(tahqiq.ObjReply, r.TargetID)
		} else if r.TargetUID != "" {
			d.add(tahqiq.ObjReply, platformID(r.TargetUID))
		}
	}
	if p.Kind != tahqiq.KindService {
		d.add(tahqiq.ObjText, textnorm.TextHash(textnorm.Text(p.Text)))
	}
	for _, m := range p.Media {
		if m.Image != nil && m.Image.Object != "" {
			d.add(tahqiq.ObjImage, m.Image.Object)
		} else if m.PHash != "" {
			d.add(tahqiq.ObjImage, m.PHash)
		} else {
			d.add(tahqiq.ObjImage, m.Key)
		}
	}
	return d.out
}

type deriver struct {
	p    *tahqiq.Post
	out  []tahqiq.Share
	from int // out[from:] are p's
}

func (d *deriver) add(t tahqiq.ObjectType, v string) {
	if strings.TrimSpace(v) == "" {
		return
	}
	for _, s := range d.out[d.from:] { // posts carry few objects: a scan beats a map
		if s.Type == t && s.Object == v {
			return
		}
	}
	prec := d.p.Precision
	if prec == "" {
		prec = tahqiq.PrecisionSecond
	}
	var at int64
	switch {
	case prec == tahqiq.PrecisionNone || d.p.CreatedAt.IsZero():
		prec = tahqiq.PrecisionNone // no time: 0, never the year 1
	default:
		at = d.p.CreatedAt.Unix()
	}
	d.out = append(d.out, tahqiq.Share{
		Type: t, Object: v, AccountID: d.p.AuthorUID, PostID: d.p.UID,
		Time: at, Precision: prec,
	})
}

// platformID returns the platform id part of a UID "platform:id".
func platformID(uid string) string {
	if i := strings.IndexByte(uid, ':'); i >= 0 {
		return uid[i+1:]
	}
	return uid
}

// stripRT removes a leading "RT @handle: " from a retweet's text.
func stripRT(s string) string {
	if !strings.HasPrefix(s, "RT @") {
		return s
	}
	if i := strings.Index(s, ": "); i > 0 {
		return s[i+2:]
	}
	return s
}
