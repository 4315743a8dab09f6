package coord

import (
	"context"
	"errors"
	"testing"

	"github.com/tahqiq/tahqiq/internal/synth"
)

// inputProbe is a PartsReducer that records what the run holds while the
// map tasks go out and after: it takes the objects one at a time (as the
// bus's reducer publishes them), checks each against the interned input,
// releases them, and stops the run (the rest of the path is the other
// tests').
type inputProbe struct {
	objects, rows int
	beforeRelease int  // rows the run held as the objects were made
	afterRelease  int  // rows it held once they were released
	namesAfter    bool // the posts' UIDs still held
	accountsAfter int
	evidence      bool
}

var errProbed = errors.New("probed")

func (p *inputProbe) ReduceParts(ctx context.Context, spec ReduceSpec, objs ReduceObjects, ps *PartSpec) (*PartsResult, error) {
	ro, ok := objs.(*runObjects)
	if !ok {
		return nil, errors.New("the run's objects are not made from its interned input")
	}
	in := ro.in
	p.beforeRelease = len(in.rows)
	p.objects = objs.Len()
	for i := range objs.Len() {
		o := objs.Object(i)
		if o.Obj != objs.ID(i) {
			return nil, errors.New("ID and Object disagree")
		}
		lo, hi := in.objStart[o.Obj], in.objStart[o.Obj+1]
		if int(hi-lo) != len(o.Rows) || len(o.Rows) < 2 {
			return nil, errors.New("an object's rows are not its interned rows")
		}
		for k, r := range o.Rows {
			x := in.rows[int(lo)+k]
			if r[0] != int64(x.acc) || r[1] != int64(x.post) || r[2] != in.time(&x) || r[3]&RowActive == 0 {
				return nil, errors.New("a row differs from its interned row, or is not active (min-participation 1)")
			}
		}
		if spec.Evidence && (len(o.Posts) != len(o.Rows) || o.Posts[0] != in.posts.at(int32(o.Rows[0][1])) || o.TypeName == "") {
			return nil, errors.New("an object of a run with evidence without its post UIDs or type")
		}
		p.rows += len(o.Rows)
	}
	objs.Release()
	p.afterRelease, p.namesAfter, p.accountsAfter = len(in.rows), in.posts.kept(), len(in.accounts)
	p.evidence = spec.Evidence
	return nil, errProbed
}

// TestPartsRunDropsItsInput: a partitioned run makes each map task's
// objects from its interned input when the reducer takes them (no copy of
// every object held beside the input), and once the reducer has them all
// (Release) it drops its shares, keeping the accounts; with the graph
// step, which sweeps the rows later (communities.csv), its posts' UIDs
// only.
func TestPartsRunDropsItsInput(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 5000, Seed: 3})
	for _, graph := range []bool{false, true} {
		p := DefaultParams()
		p.Graph = graph
		p.MinParticipation = 1
		probe := &inputProbe{}
		_, err := Run(context.Background(), Data{Shares: g.Shares}, p, ReducedParts(probe))
		if !errors.Is(err, errProbed) {
			t.Fatalf("graph %v: %v", graph, err)
		}
		if probe.objects == 0 || probe.rows == 0 || probe.beforeRelease < probe.rows || !probe.evidence {
			t.Fatalf("graph %v: %+v: want objects, rows and evidence", graph, probe)
		}
		if probe.accountsAfter == 0 {
			t.Fatalf("graph %v: the run dropped its accounts", graph)
		}
		if graph && probe.afterRelease != probe.beforeRelease {
			t.Fatalf("graph on: the run dropped its rows (%d of %d left); the graph step's sweep needs them", probe.afterRelease, probe.beforeRelease)
		}
		if graph && probe.namesAfter {
			t.Fatalf("graph on: the run still holds its posts' UIDs once its map tasks are out; nothing after names a post")
		}
		if !graph && (probe.afterRelease != 0 || probe.namesAfter) {
			t.Fatalf("graph off: the run still holds %d rows (and its posts' UIDs: %v) once its map tasks are out", probe.afterRelease, probe.namesAfter)
		}
	}
}
