package tahqiq

// Election results: the vocabulary of the results audit (docs/audit.md).
//
// An Election holds contests (constituencies, or one national contest); a
// contest holds polling stations; what is known about a station or a contest
// comes only from form instances: one copy of one form (Pakistan's Form
// 28/45/46/47/48/49, a Russian UIK protocol, an Afghan preliminary or final
// tally) from one source. Two copies of the same form are two instances, and
// every number is a LineItem of exactly one instance, so it keeps its
// provenance (file, sha256, page, line).

// Form types. Foreign equivalents get their own names.
const (
	Form28       = "28"        // polling scheme: stations and registered voters
	Form45       = "45"        // result of the count at a station
	Form46       = "46"        // ballot paper account at a station
	Form47       = "47"        // provisional consolidated statement (RO)
	Form48       = "48"        // consolidated statement, station by station (RO)
	Form49       = "49"        // final consolidated result (RO)
	FormRUUIK    = "ru-uik"    // Russian precinct (UIK) protocol
	FormAFPrelim = "af-prelim" // Afghan IEC preliminary result
	FormAFFinal  = "af-final"  // Afghan final (post-audit / post-ECC) result
)

// Form sources.
const (
	SourceOfficial   = "official"    // published by the election authority
	SourceAgent      = "agent"       // a candidate's polling agent's copy
	SourcePartyClaim = "party_claim" // a party's claimed figures
	SourceObserver   = "observer"    // an observer's copy
	SourceSnapshot   = "snapshot"    // the RTS/EMS electronic snapshot
)

// Line item keys (LineItem.Key). Candidate votes use KeyVotes with the
// candidate in LineItem.Candidate.
const (
	KeyVotes            = "votes"
	KeyOtherVotes       = "other_votes" // the votes of every candidate not itemised, together: not a candidate
	KeyRegistered       = "registered"
	KeyRegisteredMale   = "registered_male"
	KeyRegisteredFemale = "registered_female"
	KeyRejected         = "rejected" // excluded from the count; invalid ballots
	KeyValid            = "valid"
	KeyTotalPolled      = "total_polled"
	KeyMalePolled       = "male_polled"
	KeyFemalePolled     = "female_polled"
	KeyBallotsReceived  = "ballots_received"
	KeyBallotsIssued    = "ballots_issued"
	KeyBallotsInBoxes   = "ballots_in_boxes"
	KeyIssuedOutside    = "issued_outside" // issued outside the polling room (home voting; Russia)
	KeyBallotsMobile    = "ballots_mobile" // found in the mobile (portable) boxes (Russia)
	KeyUnused           = "unused"         // unissued, or cancelled (Russia)
	KeySpoilt           = "spoilt"
	KeyTendered         = "tendered"
	KeyChallenged       = "challenged"
	KeyLost             = "lost"
	KeyUnaccounted      = "unaccounted"
	KeyPostal           = "postal"
	KeyStationsReported = "stations_reported"
	KeyStationsTotal    = "stations_total"
)

// LineItem is one number on one form instance.
type LineItem struct {
	Key       string `json:"key"`
	Candidate string `json:"candidate,omitempty"`
	Value     int64  `json:"value"`
	Line      int64  `json:"line,omitempty"` // line of the input file it came from
}

// FormInstance is one copy of one form from one source.
type FormInstance struct {
	ID       string     `json:"id"`   // unique in the import
	Type     string     `json:"type"` // Form45, FormRUUIK, ...
	Source   string     `json:"source"`
	Contest  string     `json:"contest"`
	Station  string     `json:"station,omitempty"` // empty for contest-level forms (47, 49)
	Region   string     `json:"region,omitempty"`
	File     string     `json:"file"`
	SHA256   string     `json:"sha256"` // of the input file; of the scan when the template gives one
	Page     int        `json:"page,omitempty"`
	Line     int64      `json:"line"`                // first line of the input file
	IssuedAt string     `json:"issued_at,omitempty"` // RFC 3339 when known (P9)
	Status   string     `json:"status,omitempty"`    // audit label (Validated, Invalidated, ...)
	Items    []LineItem `json:"items"`
}

// Value returns the value of the first item with key (and candidate), and
// whether it is present. Absent is not zero.
func (f *FormInstance) Value(key, candidate string) (int64, bool) {
	for i := range f.Items {
		if f.Items[i].Key == key && f.Items[i].Candidate == candidate {
			return f.Items[i].Value, true
		}
	}
	return 0, false
}

// Votes returns the candidate votes of the form, in item order.
func (f *FormInstance) Votes() []LineItem {
	var out []LineItem
	for _, it := range f.Items {
		if it.Key == KeyVotes {
			out = append(out, it)
		}
	}
	return out
}

// Station is a polling station of a contest.
type Station struct {
	ID      string `json:"id"`
	Contest string `json:"contest"`
	Region  string `json:"region,omitempty"`
}

// Contest is one race: a constituency, or a national contest.
type Contest struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Region     string   `json:"region,omitempty"`
	Date       string   `json:"date,omitempty"` // polling day, YYYY-MM-DD, when the input gives it
	Candidates []string `json:"candidates"`
}

// Election is one election with everything imported for it.
type Election struct {
	ID       string          `json:"id"`
	Name     string          `json:"name,omitempty"`
	Contests []Contest       `json:"contests"`
	Stations []Station       `json:"stations"`
	Forms    []*FormInstance `json:"forms"`
}
