package audit

import (
	"github.com/tahqiq/tahqiq"
)

// StationRow is one station's numbers as the forensics use them, taken from
// one form instance. A count that the form does not give is -1.
type StationRow struct {
	Form       *tahqiq.FormInstance
	Region     string
	Registered int64 // voters on the list (Afghanistan 2009: estimated voters)
	Given      int64 // ballots issued (or, with TurnoutBoxes, ballots in boxes)
	Received   int64 // valid + invalid (valid = sum of votes when absent)
	Votes      []int64
}

// StationTable is the station rows of one form type with a common
// candidate list.
type StationTable struct {
	FormType   string
	Candidates []string
	Rows       []StationRow
	// Copies counts the further copies of a station's form (agent,
	// observer, ...) that are not analysed: one copy per station is.
	Copies int
}

// Turnout definitions for the "given" ballots.
const (
	TurnoutIssued = "issued"
	TurnoutBoxes  = "boxes"
)

// Stations extracts the station table of formType (the import's default
// when empty). turnout chooses ballots issued or ballots in boxes.
func Stations(imp *Import, formType, turnout string) *StationTable {
	if formType == "" {
		formType = imp.StationForm
	}
	t := &StationTable{FormType: formType}
	cidx := map[string]int{}
	// one form per station: several copies of a station's form (agent,
	// official, ...) would count the station twice; the official copy wins,
	// else the first seen.
	pick := map[[2]string]*tahqiq.FormInstance{}
	for _, f := range imp.Election.Forms {
		if f.Type != formType || f.Station == "" {
			continue
		}
		k := [2]string{f.Contest, f.Station}
		if g, ok := pick[k]; !ok || (g.Source != tahqiq.SourceOfficial && f.Source == tahqiq.SourceOfficial) {
			pick[k] = f
		}
	}
	for _, f := range imp.Election.Forms {
		if f.Type != formType || f.Station == "" {
			continue
		}
		if pick[[2]string{f.Contest, f.Station}] != f {
			t.Copies++
			continue
		}
		row := StationRow{Form: f, Region: f.Region, Registered: -1, Given: -1, Received: -1}
		var valid, rej, sum int64 = -1, -1, 0
		hasVotes := false
		for _, it := range f.Items {
			switch it.Key {
			case tahqiq.KeyVotes:
				i, ok := cidx[it.Candidate]
				if !ok {
					i = len(t.Candidates)
					cidx[it.Candidate] = i
					t.Candidates = append(t.Candidates, it.Candidate)
				}
				for len(row.Votes) <= i {
					row.Votes = append(row.Votes, 0)
				}
				row.Votes[i] = it.Value
				sum += it.Value
				hasVotes = true
			case tahqiq.KeyRegistered:
				row.Registered = it.Value
			case tahqiq.KeyBallotsIssued:
				if turnout != TurnoutBoxes {
					row.Given = it.Value
				}
			case tahqiq.KeyBallotsInBoxes:
				if turnout == TurnoutBoxes {
					row.Given = it.Value
				}
			case tahqiq.KeyTotalPolled:
				if row.Given < 0 {
					row.Given = it.Value
				}
			case tahqiq.KeyOtherVotes:
				sum += it.Value // valid votes of candidates not itemised
			case tahqiq.KeyValid:
				valid = it.Value
			case tahqiq.KeyRejected:
				rej = it.Value
			}
		}
		if valid < 0 && hasVotes {
			valid = sum
		}
		if valid >= 0 {
			row.Received = valid
			if rej > 0 {
				row.Received += rej
			}
		}
		if row.Given < 0 && row.Registered >= 0 {
			// no ballots-issued line (Afghanistan 2009): votes cast stand
			// in for ballots given
			row.Given = row.Received
		}
		t.Rows = append(t.Rows, row)
	}
	for i := range t.Rows {
		for len(t.Rows[i].Votes) < len(t.Candidates) {
			t.Rows[i].Votes = append(t.Rows[i].Votes, 0)
		}
	}
	return t
}

// Winner is the index of the candidate with most votes over all rows.
func (t *StationTable) Winner() int {
	tot := make([]int64, len(t.Candidates))
	for _, r := range t.Rows {
		for i, v := range r.Votes {
			tot[i] += v
		}
	}
	best := -1
	for i, v := range tot {
		if best < 0 || v > tot[best] {
			best = i
		}
	}
	return best
}
