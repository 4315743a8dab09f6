package imagehash_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/imagehash"
)

// reference is a hash ThreatExchange publishes for one of its pictures.
type reference struct {
	file string // under pdq/data
	want string
	// exact: the publishing implementation decodes this JPEG to the
	// same luminance as Go (Java's ImageIO does, for the bridge), so the
	// hash must be equal; otherwise PDQ's rule for a port applies: within
	// 10 bits at quality 80 or more (decoders differ in the last bit of
	// some pixels).
	exact bool
	by    string // which implementation published it
}

// references: pdq/cpp/bin/README.md (C++), PDQHasherTest.java (Java),
// pdq/python/pdqhashing/tests/pdq_test.py (Python), at ThreatExchange
// commit baefb4ed67b6cdc1d4c82dbaef858d50866ac424.
var references = []reference{
	{"reg-test-input/dih/bridge-1-original.jpg", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", true, "Java"},
	{"reg-test-input/dih/bridge-1-original.jpg", "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22", false, "C++"},
	{"reg-test-input/dih/bridge-2-rotate-90.jpg", "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af", true, "Java"},
	{"reg-test-input/dih/bridge-2-rotate-90.jpg", "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af", false, "C++"},
	{"reg-test-input/dih/bridge-3-rotate-180.jpg", "adad5a64b5a142e55362a09057dacd5ae63b847fc23794b766b319361fc93188", false, "C++"},
	{"reg-test-input/dih/bridge-4-rotate-270.jpg", "a5f4a457a48995e8c9065c275aaa5498b61ba4bdf8fcf80387c32f8b0bfc4f05", false, "C++"},
	{"reg-test-input/dih/bridge-5-flipx.jpg", "f8f80f31e0f417b00e37f5cd028f980fb36ed02a9662c1e233e6cc634e9c64dd", false, "C++"},
	{"reg-test-input/dih/bridge-6-flipy.jpg", "8dad2599b1a1bd1853625f6553da32a1e63b7280c2374b4866b366c91bc9ce77", false, "C++"},
	{"reg-test-input/dih/bridge-7-flip-plus-1.jpg", "f0a1f102f1dcc0bd9c5309720fff018de34ef1e8ada9a956d2967ade0ea91a50", false, "C++"},
	{"reg-test-input/dih/bridge-8-flip-minus-1.jpg", "a5f05ba8a4896a17c106a3da5aaaab07b61b5b42f8fc07fc83c3d0740bfcb0fa", false, "C++"},
	{"misc-images/c.png", "e64cc9d91e623842f8d1f1d9a398e78c9f199a3bd87924f2b7e11e0bf061b064", false, "Python"},
	{"misc-images/wee.jpg", "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d", false, "Python"},
	{"reg-test-input/labelme-subset/q0122.jpg", "cfb2009ddd21c6dab0046a7745b5984757a8a4535b3377aea2591d32b33ff940", false, "Python"},
	{"reg-test-input/labelme-subset/q0291.jpg", "a0fe94f1e5cc1cc8dd855948498dc9243f7ca27336f036d7f212b74bc103c9a7", true, "Python"},
	{"reg-test-input/labelme-subset/q0746.jpg", "1049d96239e24d4dca2c55512b8bdb77425f4dbcf575a0a95555aaab5554aaaa", false, "Python"},
	{"reg-test-input/labelme-subset/q1050.jpg", "489db672e9190276d452aeab41eba20f02375fe4092d88defdf491a5c55c5f70", true, "Python"},
	{"reg-test-input/labelme-subset/q2821.jpg", "b150231ffae4710ffcf4f18bb574b109a576f14bb8543189f8743289f174b109", true, "Python"},
}

// shipped are the reference pictures in testdata/threatexchange.
var shipped = map[string]string{
	"reg-test-input/dih/bridge-1-original.jpg": "bridge-1-original.jpg",
	"misc-images/wee.jpg":                      "wee.jpg",
	"reg-test-input/labelme-subset/q0122.jpg":  "q0122.jpg",
	"reg-test-input/labelme-subset/q0291.jpg":  "q0291.jpg",
	"reg-test-input/labelme-subset/q0746.jpg":  "q0746.jpg",
	"reg-test-input/labelme-subset/q1050.jpg":  "q1050.jpg",
	"reg-test-input/labelme-subset/q2821.jpg":  "q2821.jpg",
}

// TestConformance hashes ThreatExchange's reference pictures and compares
// with the hashes its implementations publish. The pictures shipped in
// testdata always run; TAHQIQ_PDQ_DATA=…/ThreatExchange/pdq/data runs the
// rest.
func TestConformance(t *testing.T) {
	full := os.Getenv("TAHQIQ_PDQ_DATA")
	ran := 0
	for _, ref := range references {
		path := ""
		if name, ok := shipped[ref.file]; ok {
			path = filepath.Join("testdata", "threatexchange", name)
		} else if full != "" {
			path = filepath.Join(full, filepath.FromSlash(ref.file))
		} else {
			continue
		}
		t.Run(ref.by+"/"+filepath.Base(ref.file), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := imagehash.Sum(data)
			if err != nil {
				t.Fatalf("Sum(%s): %v", ref.file, err)
			}
			want, err := imagehash.ParseHash(ref.want)
			if err != nil {
				t.Fatal(err)
			}
			d := imagehash.Distance(r.PDQ, want)
			switch {
			case ref.exact && d != 0:
				t.Errorf("PDQ(%s) = %s, want %s (%s's published hash), %d bits apart", ref.file, r.PDQ, ref.want, ref.by, d)
			case r.Quality >= 80 && d > 10:
				t.Errorf("PDQ(%s) = %s (quality %d), %d bits from %s's %s; want at most 10", ref.file, r.PDQ, r.Quality, d, ref.by, ref.want)
			}
			if r.Quality < 80 {
				t.Errorf("quality of %s = %d; the references are detailed pictures (want 80 or more)", ref.file, r.Quality)
			}
			t.Logf("%s: %s quality %d, %d bits from %s", ref.file, r.PDQ, r.Quality, d, ref.by)
		})
		ran++
	}
	if full == "" {
		t.Logf("%d of %d references checked; TAHQIQ_PDQ_DATA=…/ThreatExchange/pdq/data checks the others", ran, len(references))
	}
}

// TestReferenceDihedral: ThreatExchange's bridge turned and mirrored
// (pictures of their own, encoded anew) each hash within 10 bits of the
// matching dihedral hash of the original, and far from the others.
func TestReferenceDihedral(t *testing.T) {
	full := os.Getenv("TAHQIQ_PDQ_DATA")
	if full == "" {
		t.Skip("TAHQIQ_PDQ_DATA unset: the turned bridge pictures are not shipped (3 MB)")
	}
	sum := func(f string) imagehash.Result {
		data, err := os.ReadFile(filepath.Join(full, "reg-test-input", "dih", f))
		if err != nil {
			t.Fatal(err)
		}
		r, err := imagehash.Sum(data)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	orig := sum("bridge-1-original.jpg")
	// ThreatExchange's "rotate-90" is a quarter turn anticlockwise, and
	// "flipx" a flip about the x axis (top and bottom swapped).
	for f, tr := range map[string]imagehash.Transform{
		"bridge-2-rotate-90.jpg": imagehash.Rotate270, "bridge-3-rotate-180.jpg": imagehash.Rotate180,
		"bridge-4-rotate-270.jpg": imagehash.Rotate90, "bridge-5-flipx.jpg": imagehash.MirrorVertical,
		"bridge-6-flipy.jpg": imagehash.MirrorHorizontal, "bridge-7-flip-plus-1.jpg": imagehash.Transpose,
		"bridge-8-flip-minus-1.jpg": imagehash.Transverse,
	} {
		r := sum(f)
		for u := imagehash.Original; u <= imagehash.Transverse; u++ {
			d := imagehash.Distance(r.PDQ, orig.Dihedral[u])
			if u == tr && d > 10 {
				t.Errorf("%s is %d bits from the original's %s hash; want at most 10", f, d, u)
			}
			if u != tr && d <= 31 {
				t.Errorf("%s is %d bits from the original's %s hash; it is the %s", f, d, u, tr)
			}
		}
	}
}
