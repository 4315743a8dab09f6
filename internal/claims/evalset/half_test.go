package evalset

import "testing"

// The halves are fixed by the rule, not by the figures: these stories'
// halves must never move, and both halves must hold claims and repeats.
func TestHalf(t *testing.T) {
	for story, want := range map[string]string{"adiala-vote": "dev", "attock-tickets": "test", "di-khan-postal": "test", "pti-150-seats": "dev", "eu-sanctions": "fresh", "vvpat-slips": "fresh", "pmln-boycott": "new", "modi-ballot-papers": "new"} {
		if got := Half(story); got != want {
			t.Errorf("Half(%q) = %s, want %s", story, got, want)
		}
	}
	s, err := Load(false)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, c := range s.Claims {
		n["claims "+Half(c.Story)]++
	}
	for _, p := range s.Posts {
		n[p.Kind+" "+Half(p.Story)]++
	}
	for _, k := range []string{"claims dev", "claims test", "claims fresh", "claims new", "repeat dev", "repeat test", "repeat fresh", "repeat new"} {
		if n[k] == 0 {
			t.Errorf("no %s: %v", k, n)
		}
	}
}

// Every fresh story names stories of the set (a typo would move a story
// silently into dev or test).
func TestFreshStories(t *testing.T) {
	s, err := Load(false)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range s.Claims {
		known[c.Story] = true
	}
	for _, p := range s.Posts {
		known[p.Story] = true
	}
	for st := range fresh {
		if !known[st] {
			t.Errorf("fresh story %q is in no claim or post", st)
		}
		if newer[st] {
			t.Errorf("story %q is both fresh and new", st)
		}
	}
	for st := range newer {
		if !known[st] {
			t.Errorf("new story %q is in no claim or post", st)
		}
	}
}
