package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// A post's shares are kept packed in its row (posts.shares, migration
// 0014) rather than a row each in the shares table: an import writes one
// row an event where it wrote two, and a run reads a post's shares with
// the post. The shares table keeps the shares of stores written before
// 0014 (never converted) and the shares a later record adds to a post
// already written (a post seen again with an object it did not have);
// every reader of shares reads both (ScanShares, the summary's top
// objects, a re-derivation, the dataset's counts, an import's look-up of
// a share).
//
// The encoding: a version byte (packVersion), the number of shares as a
// uvarint, then each share in the order added: its type and object as
// uvarint-length-prefixed bytes, its time as the zigzag varint of its
// difference from the post's created_at (0 for every share derived from
// its post), and its precision as a uvarint-length-prefixed string. A
// share's account and post are the row's. The count makes a cut or
// lengthened encoding an error rather than fewer or other shares.
const packVersion = 1

// addPacked returns the packed shares enc (empty: none) of a post created
// at created (unix seconds) with s added after them, in a new slice.
func addPacked(enc []byte, s *tahqiq.Share, created int64) []byte {
	var n uint64
	body := enc
	if len(enc) > 0 { // the import wrote enc: it decodes
		c, k := binary.Uvarint(enc[1:])
		n, body = c, enc[1+k:]
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(body)+len(s.Type)+len(s.Object)+len(s.Precision)+3*binary.MaxVarintLen64)
	b = append(b, packVersion)
	b = binary.AppendUvarint(b, n+1)
	b = append(b, body...)
	b = binary.AppendUvarint(b, uint64(len(s.Type)))
	b = append(b, s.Type...)
	b = binary.AppendUvarint(b, uint64(len(s.Object)))
	b = append(b, s.Object...)
	b = binary.AppendVarint(b, s.Time-created)
	b = binary.AppendUvarint(b, uint64(len(s.Precision)))
	b = append(b, s.Precision...)
	return b
}

// errPacked is a post's packed shares that do not decode.
var errPacked = errors.New("packed shares do not decode")

// packedReader decodes a post's packed shares one at a time.
type packedReader struct {
	b       []byte
	left    uint64 // shares not yet read
	created int64
}

func newPackedReader(b []byte, created int64) (packedReader, error) {
	if len(b) == 0 {
		return packedReader{}, nil
	}
	if b[0] != packVersion {
		return packedReader{}, fmt.Errorf("%w: version %d", errPacked, b[0])
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 {
		return packedReader{}, fmt.Errorf("%w: no count", errPacked)
	}
	return packedReader{b: b[1+k:], left: n, created: created}, nil
}

// next decodes the next share into s's Type, Object, Time and Precision;
// false at the end.
func (r *packedReader) next(s *tahqiq.Share) (bool, error) {
	if r.left == 0 {
		if len(r.b) > 0 {
			return false, fmt.Errorf("%w: %d bytes after the last share", errPacked, len(r.b))
		}
		return false, nil
	}
	typ, ok := r.bytes()
	if !ok {
		return false, errPacked
	}
	obj, ok := r.bytes()
	if !ok {
		return false, errPacked
	}
	d, n := binary.Varint(r.b)
	if n <= 0 {
		return false, errPacked
	}
	r.b = r.b[n:]
	prec, ok := r.bytes()
	if !ok {
		return false, errPacked
	}
	r.left--
	s.Type = objectType(typ)
	s.Object = string(obj)
	s.Time = r.created + d
	s.Precision = precision(prec)
	return true, nil
}

func (r *packedReader) bytes() ([]byte, bool) {
	l, n := binary.Uvarint(r.b)
	if n <= 0 || l > uint64(len(r.b)-n) {
		return nil, false
	}
	v := r.b[n : n+int(l)]
	r.b = r.b[n+int(l):]
	return v, true
}

// knownTypes are the object types derivation gives, returned without an
// allocation when decoded.
var knownTypes = []tahqiq.ObjectType{tahqiq.ObjRetweet, tahqiq.ObjURL, tahqiq.ObjDomain, tahqiq.ObjHashtag,
	tahqiq.ObjMention, tahqiq.ObjReply, tahqiq.ObjText, tahqiq.ObjImage}

func objectType(b []byte) tahqiq.ObjectType {
	for _, t := range knownTypes {
		if string(t) == string(b) {
			return t
		}
	}
	return tahqiq.ObjectType(b)
}

var knownPrecisions = []tahqiq.Precision{tahqiq.PrecisionSecond, tahqiq.PrecisionMillisecond, tahqiq.PrecisionNanosecond, tahqiq.PrecisionMinute, tahqiq.PrecisionDay, tahqiq.PrecisionNone}

func precision(b []byte) tahqiq.Precision {
	for _, p := range knownPrecisions {
		if string(p) == string(b) {
			return p
		}
	}
	return tahqiq.Precision(b)
}

// hasPacked reports whether the packed shares b hold a share of typ and
// object.
func hasPacked(b []byte, typ tahqiq.ObjectType, object string) (bool, error) {
	r, err := newPackedReader(b, 0)
	if err != nil {
		return false, err
	}
	var s tahqiq.Share
	for {
		ok, err := r.next(&s)
		if err != nil || !ok {
			return false, err
		}
		if s.Type == typ && s.Object == object {
			return true, nil
		}
	}
}
