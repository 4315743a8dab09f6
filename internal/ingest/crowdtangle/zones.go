package crowdtangle

import (
	"strconv"
	"strings"
	"time"
)

// zoneOffsets are the fixed UTC offsets, in minutes, of the zone
// abbreviations CrowdTangle writes after "Post Created" (the dashboard's
// time zone). Ambiguous abbreviations (IST, AST, CST in Asia, BST in
// Bangladesh) are deliberately absent except where CrowdTangle's own use is
// clear: CST/CDT are US Central, BST is British Summer Time.
var zoneOffsets = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60,
	"CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "TRT": 180,
	"EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
	"PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
	"BRT": -180, "ART": -180, "CLT": -240, "COT": -300, "PET": -300,
	"WAT": 60, "CAT": 120, "SAST": 120, "EAT": 180,
	"GST": 240, "PKT": 300, "NPT": 345, "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480, "PHT": 480, "AWST": 480,
	"JST": 540, "KST": 540, "ACST": 570, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}

// ambiguous abbreviations are rejected with a reason naming the candidates.
var ambiguous = map[string]string{
	"IST": "India +05:30, Ireland +01:00 or Israel +02:00",
	"AST": "Atlantic -04:00 or Arabia +03:00",
}

// parseCreated reads "YYYY-MM-DD HH:MM:SS ZONE" (ZONE an abbreviation of
// zoneOffsets or a numeric offset such as +0500 or +05:00).
func parseCreated(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return time.Time{}, "Post Created " + strconv.Quote(s) + " has no time zone"
	}
	local, zone := strings.TrimSpace(s[:i]), s[i+1:]
	t, err := time.Parse("2006-01-02 15:04:05", local)
	if err != nil {
		if t, err = time.Parse("2006-01-02 15:04", local); err != nil {
			return time.Time{}, "Post Created " + strconv.Quote(s) + " is not YYYY-MM-DD HH:MM:SS ZONE"
		}
	}
	min, ok := zoneOffsets[strings.ToUpper(zone)]
	if !ok {
		if c, amb := ambiguous[strings.ToUpper(zone)]; amb {
			return time.Time{}, "time zone " + zone + " is ambiguous (" + c + ")"
		}
		if min, ok = numericOffset(zone); !ok {
			return time.Time{}, "unknown time zone " + strconv.Quote(zone) + " in Post Created"
		}
	}
	return t.Add(-time.Duration(min) * time.Minute).UTC(), ""
}

func numericOffset(z string) (int, bool) {
	if len(z) < 3 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	d := strings.ReplaceAll(z[1:], ":", "")
	if len(d) != 4 && len(d) != 2 {
		return 0, false
	}
	h, err := strconv.Atoi(d[:2])
	if err != nil || h > 14 {
		return 0, false
	}
	m := 0
	if len(d) == 4 {
		if m, err = strconv.Atoi(d[2:]); err != nil || m > 59 {
			return 0, false
		}
	}
	v := h*60 + m
	if z[0] == '-' {
		v = -v
	}
	return v, true
}
