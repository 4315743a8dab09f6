// Package synth generates the deterministic synthetic co-sharing workload
// of coordination.md §6, for scale tests of coordination detection: a heavy
// tail of account activity, Zipf object popularity (the head object takes
// about 14 % of posts), realistic share delays with a diurnal dip, and
// planted groups of coordinated accounts whose membership is the ground
// truth. The same size and seed give the same data.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/tahqiq/tahqiq"
)

// Config sizes a data set.
type Config struct {
	Posts int    // organic plus planted posts, approximately
	Seed  uint64 // every draw derives from it
	Start int64  // unix time of the first day (default 2024-01-01)
	Days  int    // span of object births (default 30, at most 49,710)
}

// Data is a generated data set.
type Data struct {
	Shares []tahqiq.Share
	Groups [][]string // planted groups: account UIDs
}

const day = 86400

// Generate returns the data set of c, every share in memory: for tests and
// small sizes. Stream gives the same shares in the same order without
// holding them.
func Generate(c Config) *Data {
	d := &Data{Shares: make([]tahqiq.Share, 0, c.Posts)}
	var err error
	d.Groups, err = Stream(c, func(s tahqiq.Share) error {
		d.Shares = append(d.Shares, s)
		return nil
	})
	if err != nil {
		panic(err) // only a Config out of range fails
	}
	return d
}

// Stream hands the shares of c to emit one at a time, in the order Generate
// returns them, and returns the planted groups. It holds no share: its
// memory is the account activity table (8 bytes an account, posts/20
// accounts) and the objects' birth times (4 bytes an object, posts/5
// objects), about 1.2 bytes a post, whatever the size. The first error
// from emit stops it and is returned.
func Stream(c Config, emit func(tahqiq.Share) error) ([][]string, error) {
	if c.Start == 0 {
		c.Start = 1704067200
	}
	if c.Days == 0 {
		c.Days = 30
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x5851f42d4c957f2d))
	planted := c.Posts * 3 / 100
	organic := c.Posts - planted
	nAcc := max(c.Posts/20, 10)
	nObj := max(c.Posts/5, 10)

	// Account activity: lognormal(0, 1.2) weights, sampled by inverse CDF.
	cum := make([]float64, nAcc)
	s := 0.0
	for i := range cum {
		s += math.Exp(rng.NormFloat64() * 1.2)
		cum[i] = s
	}
	pickAccount := func() int {
		return min(sort(cum, rng.Float64()*s), nAcc-1)
	}
	types := []tahqiq.ObjectType{tahqiq.ObjRetweet, tahqiq.ObjURL, tahqiq.ObjHashtag}
	objType := func(o int) tahqiq.ObjectType {
		// 60 % retweet, 25 % url, 15 % hashtag, fixed per object.
		h := mix(uint64(o) ^ c.Seed)
		switch f := float64(h%10000) / 10000; {
		case f < 0.60:
			return types[0]
		case f < 0.85:
			return types[1]
		default:
			return types[2]
		}
	}
	// Births as seconds after Start: 4 bytes an object (a span of up to
	// 24,855 days fits), the same draws as before.
	if c.Days < 0 || int64(c.Days)*day > math.MaxUint32 {
		return nil, fmt.Errorf("synth: %d days: the span must be 1 to %d days", c.Days, math.MaxUint32/day)
	}
	birth := make([]uint32, nObj)
	for i := range birth {
		birth[i] = uint32(rng.Int64N(int64(c.Days) * day))
	}
	// Expected shares of object k under Zipf(1.1), for the delay scale.
	hn := 0.0
	for k := 1; k <= nObj; k++ {
		hn += math.Pow(float64(k), -1.1)
	}
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(nObj-1))
	var groups [][]string
	post := 0
	var err error
	add := func(acc, obj int, t int64) {
		if err != nil {
			return
		}
		err = emit(tahqiq.Share{
			Type: objType(obj), Object: "o" + strconv.Itoa(obj), AccountID: "synth:a" + strconv.Itoa(acc),
			PostID: "synth:p" + strconv.Itoa(post), Time: t, Precision: tahqiq.PrecisionSecond,
		})
		post++
	}
	for i := 0; i < organic && err == nil; i++ {
		o := int(zipf.Uint64())
		expected := float64(organic) * math.Pow(float64(o+1), -1.1) / hn
		mean := 2 * 3600 * math.Max(1, math.Sqrt(expected/50))
		t := c.Start + int64(birth[o]) + int64(rng.ExpFloat64()*mean)
		if h := (t - c.Start) % day; h < 6*3600 && rng.Float64() < 0.3 {
			t += 6 * 3600 // the diurnal dip: a night post moves to the morning
		}
		add(pickAccount(), o, t)
	}
	// Planted groups: rare objects (ids above the organic range) co-shared
	// by members within 1-30 s of a trigger, each member taking part with
	// probability 0.8.
	nGroups := max(c.Posts/20000, 5)
	next := nObj
	for g := 0; g < nGroups && post < c.Posts+planted && err == nil; g++ {
		size := 5 + rng.IntN(46)
		members := make([]int, 0, size)
		seen := map[int]bool{}
		for len(members) < size {
			a := rng.IntN(nAcc)
			if !seen[a] {
				seen[a] = true
				members = append(members, a)
			}
		}
		slices.Sort(members)
		names := make([]string, len(members))
		for i, a := range members {
			names[i] = "synth:a" + strconv.Itoa(a)
		}
		groups = append(groups, names)
		objects := 5 + rng.IntN(196)
		budget := planted / nGroups
		for k := 0; k < objects && budget > 0; k++ {
			o := next
			next++
			trigger := c.Start + rng.Int64N(int64(c.Days)*day)
			for _, a := range members {
				if rng.Float64() < 0.8 {
					add(a, o, trigger+1+rng.Int64N(30))
					budget--
				}
			}
		}
	}
	return groups, err
}

// sort returns the first index i with cum[i] >= x.
func sort(cum []float64, x float64) int {
	i, _ := slices.BinarySearch(cum, x)
	return i
}

func mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
