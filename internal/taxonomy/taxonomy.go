// Package taxonomy ships the tag vocabularies that findings may carry: the
// DISARM Red Framework (CC BY-SA 4.0, DISARM Foundation; see README.md)
// and the MISP machine tags. It only answers "is this a known tag".
package taxonomy

import (
	_ "embed"
	"strings"
)

//go:embed disarm_red.tsv
var disarmTSV string

//go:embed misp_tags.txt
var mispTags string

var disarm, misp = func() (map[string]string, map[string]bool) {
	d := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(disarmTSV), "\n") {
		id, name, _ := strings.Cut(l, "\t")
		d[id] = name
	}
	m := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(mispTags), "\n") {
		m[l] = true
	}
	return d, m
}()

// DISARM returns the name of a DISARM red framework tactic or technique
// ID (e.g. "T0049.003"), accepting an optional "DISARM:" prefix.
func DISARM(id string) (string, bool) {
	n, ok := disarm[strings.TrimPrefix(id, "DISARM:")]
	return n, ok
}

// MISP reports whether tag is a known MISP machine tag, such as
// `tlp:amber` or `admiralty-scale:source-reliability="b"`.
func MISP(tag string) bool { return misp[tag] }

// Known reports whether tag is a DISARM ID or a MISP machine tag.
func Known(tag string) bool {
	_, ok := DISARM(tag)
	return ok || MISP(tag)
}

// Attribution is the notice to show wherever DISARM names are displayed.
const Attribution = "DISARM Red Framework © DISARM Foundation, CC BY-SA 4.0"
