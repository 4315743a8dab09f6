package sqlstore

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestPacked: a post's shares read back as written (type, object, time
// and precision; known and unknown types and precisions, a time apart
// from the post's), hasPacked finds each and nothing else, and a cut or
// lengthened encoding is an error, never fewer or other shares.
func TestPacked(t *testing.T) {
	const created = 1706123942
	in := []tahqiq.Share{
		{Type: tahqiq.ObjRetweet, Object: "o1", Time: created, Precision: tahqiq.PrecisionSecond},
		{Type: tahqiq.ObjURL, Object: "https://a.org/ü", Time: created, Precision: tahqiq.PrecisionMinute},
		{Type: "custom", Object: "", Time: 0, Precision: tahqiq.PrecisionNone},
		{Type: tahqiq.ObjText, Object: "x\x00y\n", Time: created - 1<<40, Precision: "weird"},
	}
	var b []byte
	for i := range in {
		b = addPacked(b, &in[i], created)
	}
	got := decodeAll(t, b, created)
	if !reflect.DeepEqual(got, in) {
		t.Errorf("read back %+v, want %+v", got, in)
	}
	for _, s := range in {
		if ok, err := hasPacked(b, s.Type, s.Object); !ok || err != nil {
			t.Errorf("hasPacked(%s, %q) = %v, %v", s.Type, s.Object, ok, err)
		}
	}
	if ok, _ := hasPacked(b, tahqiq.ObjRetweet, "o2"); ok {
		t.Error("hasPacked finds a share not written")
	}
	if ok, err := hasPacked(nil, tahqiq.ObjRetweet, "o1"); ok || err != nil {
		t.Errorf("no shares: %v, %v", ok, err)
	}
	for cut := 1; cut <= len(b)+1; cut++ { // cut or lengthened: an error, never fewer or other shares
		e := append(append([]byte{}, b...), 'x')[:cut]
		if cut == len(b) {
			continue
		}
		r, err := newPackedReader(e, created)
		var got []tahqiq.Share
		for err == nil {
			var s tahqiq.Share
			var ok bool
			if ok, err = r.next(&s); !ok || err != nil {
				break
			}
			got = append(got, s)
		}
		if !errors.Is(err, errPacked) || (len(got) > 0 && !reflect.DeepEqual(got, in[:len(got)])) {
			t.Errorf("%d bytes of %d: %+v, %v; want an error", cut, len(b), got, err)
		}
	}
	if _, err := newPackedReader([]byte{9, 1, 'x'}, 0); !errors.Is(err, errPacked) {
		t.Errorf("unknown version: %v", err)
	}
}

func decodeAll(t testing.TB, b []byte, created int64) []tahqiq.Share {
	r, err := newPackedReader(b, created)
	if err != nil {
		t.Fatal(err)
	}
	var out []tahqiq.Share
	for {
		var s tahqiq.Share
		ok, err := r.next(&s)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

// FuzzPacked: any bytes decode to shares or an error, never a panic; and
// shares encoded read back the same.
func FuzzPacked(f *testing.F) {
	seed := addPacked(nil, &tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "vote", Time: 5, Precision: tahqiq.PrecisionSecond}, 5)
	f.Add(seed, "url", "https://x/", int64(7), int64(3))
	f.Add([]byte{1, 200, 200, 200}, "", "", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, b []byte, typ, object string, at, created int64) {
		if r, err := newPackedReader(b, created); err == nil {
			var s tahqiq.Share
			for i := 0; i <= len(b); i++ {
				ok, err := r.next(&s)
				if err != nil || !ok {
					break
				}
			}
		}
		in := tahqiq.Share{Type: tahqiq.ObjectType(typ), Object: object, Time: at, Precision: tahqiq.PrecisionDay}
		enc := addPacked(addPacked(nil, &in, created), &in, created)
		got := decodeAll(t, enc, created)
		if len(got) != 2 || got[0] != in || got[1] != in {
			t.Fatalf("%+v read back as %+v", in, got)
		}
	})
}
