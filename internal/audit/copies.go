package audit

import (
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Copies of one form (P4): the same station's form from several sources,
// compared field by field.

// copies: P4, every pair of instances of one form of one station.
func copies(contest string, forms []*tahqiq.FormInstance, add func(Flag)) {
	groups := map[string][]*tahqiq.FormInstance{}
	var keys []string
	for _, f := range forms {
		if f.Station == "" || !isPK(f.Type) {
			continue
		}
		k := f.Station + "\x00" + f.Type
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	for _, k := range keys {
		g := groups[k]
		for i := 0; i < len(g); i++ {
			for j := i + 1; j < len(g); j++ {
				diffCopies(contest, g[i], g[j], add)
			}
		}
	}
}

func diffCopies(contest string, a, b *tahqiq.FormInstance, add func(Flag)) {
	type key struct{ k, c string }
	va, vb := map[key]int64{}, map[key]int64{}
	var order []key
	for _, it := range a.Items {
		va[key{it.Key, it.Candidate}] = it.Value
		order = append(order, key{it.Key, it.Candidate})
	}
	for _, it := range b.Items {
		k := key{it.Key, it.Candidate}
		vb[k] = it.Value
		if _, ok := va[k]; !ok {
			order = append(order, k)
		}
	}
	swapped := map[key]bool{}
	for _, x := range order {
		for _, y := range order {
			if x == y || x.k != tahqiq.KeyVotes || y.k != tahqiq.KeyVotes || swapped[x] || swapped[y] {
				continue
			}
			ax, okax := va[x]
			ay, okay := va[y]
			bx, okbx := vb[x]
			by, okby := vb[y]
			if okax && okay && okbx && okby && ax != ay && ax == by && ay == bx {
				swapped[x], swapped[y] = true, true
				add(Flag{Rule: "P4-copy-swap", Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevError,
					Values:  fmt.Sprintf("%s: %d vs %d; %s: %d vs %d", x.c, ax, bx, y.c, ay, by),
					Message: fmt.Sprintf("votes of %s and %s swapped between the copies", x.c, y.c)})
			}
		}
	}
	for _, x := range order {
		if swapped[x] {
			continue
		}
		ax, oka := va[x]
		bx, okb := vb[x]
		name := x.k
		if x.c != "" {
			name += " " + x.c
		}
		switch {
		case oka && okb && ax != bx:
			cl := ClassifyDigits(ax, bx)
			add(Flag{Rule: "P4-copy-" + cl, Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevError,
				Values: fmt.Sprintf("%s: %d vs %d (delta %+d)", name, ax, bx, bx-ax), Message: "copies of the same form differ: " + cl})
		case oka != okb:
			add(Flag{Rule: "P4-copy-missing-line", Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevWarning,
				Values: name, Message: "a line is on one copy only"})
		}
	}
}
