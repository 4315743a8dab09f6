package layout

import (
	"math"
	"runtime"
	"sync"
)

// fa2 is ForceAtlas2 (Jacomy, Venturini, Heymann, Bastian, "ForceAtlas2,
// a continuous graph layout algorithm for handy network visualization
// designed for the Gephi software", PLoS ONE 9(6), 2014) in LinLog mode:
// repulsion kr·(deg+1)(deg'+1)/d between every two nodes, computed with a
// Barnes-Hut quadtree (theta 1.2); attraction w·log(1+d) along every
// edge; gravity kg·(deg+1) towards the origin; and the paper's adaptive
// global and per-node speeds (swinging and traction). Every step is
// deterministic: forces are summed in a fixed order, and the repulsion,
// spread over goroutines, writes each node's force from one goroutine.
type fa2 struct {
	n      int
	x, y   []float64
	mass   []float64
	ea, eb []int32
	ew     []float64

	kr, kg float64 // scaling ratio (repulsion), gravity
	theta  float64

	fx, fy       []float64
	ofx, ofy     []float64
	speed, speff float64
	tree         quadtree
	workers      int
}

// newFA2 makes a layout of n nodes at (x, y) (kept, and moved by step),
// with the given edges; node masses are mass, or when nil their degree +
// 1, as the paper's.
func newFA2(x, y []float64, ea, eb []int32, ew, mass []float64, workers int) *fa2 {
	n := len(x)
	f := &fa2{n: n, x: x, y: y, ea: ea, eb: eb, ew: ew, theta: 1.2, kg: 1, speed: 1, speff: 1, mass: mass}
	if f.mass == nil {
		f.mass = make([]float64, n)
		for i := range f.mass {
			f.mass[i] = 1
		}
		for i := range ea {
			f.mass[ea[i]]++
			f.mass[eb[i]]++
		}
	}
	// the paper's defaults: scaling 10 for small graphs, 2 for large ones
	f.kr = 2
	if n < 100 {
		f.kr = 10
	}
	f.fx, f.fy = make([]float64, n), make([]float64, n)
	f.ofx, f.ofy = make([]float64, n), make([]float64, n)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	f.workers = max(1, min(workers, 16))
	return f
}

// step runs one iteration and returns the mean displacement of a node.
func (f *fa2) step() float64 {
	n := f.n
	if n == 0 {
		return 0
	}
	f.fx, f.ofx = f.ofx, f.fx
	f.fy, f.ofy = f.ofy, f.fy
	clear(f.fx)
	clear(f.fy)

	// repulsion and gravity, per node
	f.tree.build(f.x, f.y, f.mass)
	chunk := (n + f.workers - 1) / f.workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			stack := make([]int32, 0, 64)
			for i := lo; i < hi; i++ {
				fx, fy := f.tree.repulse(i, f.x[i], f.y[i], f.mass[i], f.kr, f.theta, &stack)
				if d := math.Sqrt(f.x[i]*f.x[i] + f.y[i]*f.y[i]); d > 0 {
					g := f.kg * f.mass[i] / d
					fx -= f.x[i] * g
					fy -= f.y[i] * g
				}
				f.fx[i], f.fy[i] = fx, fy
			}
		}()
	}
	wg.Wait()

	// attraction, LinLog: w·log(1+d) along each edge, in edge order
	for k := range f.ea {
		a, b := f.ea[k], f.eb[k]
		dx, dy := f.x[a]-f.x[b], f.y[a]-f.y[b]
		d := math.Sqrt(dx*dx + dy*dy)
		if d == 0 {
			continue
		}
		c := -f.ew[k] * math.Log(1+d) / d
		f.fx[a] += dx * c
		f.fy[a] += dy * c
		f.fx[b] -= dx * c
		f.fy[b] -= dy * c
	}

	// adaptive speed (the paper's section "Adaptive speed")
	var swinging, traction float64
	for i := 0; i < n; i++ {
		swinging += f.mass[i] * math.Hypot(f.ofx[i]-f.fx[i], f.ofy[i]-f.fy[i])
		traction += 0.5 * f.mass[i] * math.Hypot(f.ofx[i]+f.fx[i], f.ofy[i]+f.fy[i])
	}
	if swinging == 0 || traction == 0 {
		return 0
	}
	const jitterTolerance = 1.0
	est := 0.05 * math.Sqrt(float64(n))
	jt := jitterTolerance * math.Max(math.Sqrt(est), math.Min(10, est*traction/float64(n*n)))
	const minSpeedEfficiency = 0.05
	if swinging/traction > 2 {
		if f.speff > minSpeedEfficiency {
			f.speff *= 0.5
		}
		jt = math.Max(jt, jitterTolerance)
	}
	target := jt * f.speff * traction / swinging
	if swinging > jt*traction {
		if f.speff > minSpeedEfficiency {
			f.speff *= 0.7
		}
	} else if f.speed < 1000 {
		f.speff *= 1.3
	}
	f.speed += math.Min(target-f.speed, 0.5*f.speed)

	var moved float64
	for i := 0; i < n; i++ {
		sw := f.mass[i] * math.Hypot(f.ofx[i]-f.fx[i], f.ofy[i]-f.fy[i])
		factor := f.speed / (1 + math.Sqrt(f.speed*sw))
		dx, dy := f.fx[i]*factor, f.fy[i]*factor
		f.x[i] += dx
		f.y[i] += dy
		moved += math.Hypot(dx, dy)
	}
	return moved / float64(n)
}

// quadtree is a Barnes-Hut tree over the nodes, rebuilt every step. Cell
// 0 is the root; a cell's four children are consecutive.
type quadtree struct {
	cells  []cell
	bounds [][3]float64 // x0, y0, size of each cell
	leaf   []int32      // node -> the leaf it was put in
}

type cell struct {
	mx, my, mass float64 // mass-weighted position sums, then the centre of mass
	size         float64
	child        int32 // first of four children; 0: a leaf
	body         int32 // the one node of a leaf; -1: none; -2: several (coincident or too deep)
}

const maxDepth = 40

func (q *quadtree) build(x, y, mass []float64) {
	q.cells, q.bounds = q.cells[:0], q.bounds[:0]
	if len(x) == 0 {
		return
	}
	if cap(q.leaf) < len(x) {
		q.leaf = make([]int32, len(x))
	}
	q.leaf = q.leaf[:len(x)]
	x0, y0, x1, y1 := x[0], y[0], x[0], y[0]
	for i := range x {
		x0, x1 = math.Min(x0, x[i]), math.Max(x1, x[i])
		y0, y1 = math.Min(y0, y[i]), math.Max(y1, y[i])
	}
	size := math.Max(x1-x0, y1-y0)*1.0001 + 1e-9
	q.cells = append(q.cells, cell{size: size, body: -1})
	q.bounds = append(q.bounds, [3]float64{x0, y0, size})
	for i := range x {
		q.insert(int32(i), x[i], y[i], mass[i], x, y, mass)
	}
	for i := range q.cells {
		c := &q.cells[i]
		if c.mass > 0 {
			c.mx /= c.mass
			c.my /= c.mass
		}
	}
}

// quadrant returns the child of cell ci (whose first child is first)
// holding (px, py).
func (q *quadtree) quadrant(ci, first int32, px, py float64) int32 {
	b := &q.bounds[ci]
	h := b[2] / 2
	k := first
	if px >= b[0]+h {
		k++
	}
	if py >= b[1]+h {
		k += 2
	}
	return k
}

func (q *quadtree) split(ci int32) int32 {
	b := q.bounds[ci]
	h := b[2] / 2
	first := int32(len(q.cells))
	for k := range 4 {
		q.cells = append(q.cells, cell{size: h, body: -1})
		q.bounds = append(q.bounds, [3]float64{b[0] + h*float64(k&1), b[1] + h*float64(k>>1), h})
	}
	q.cells[ci].child = first
	return first
}

func (q *quadtree) insert(i int32, px, py, m float64, x, y, mass []float64) {
	ci := int32(0)
	for depth := 0; ; depth++ {
		c := &q.cells[ci]
		c.mx += px * m
		c.my += py * m
		c.mass += m
		if c.child != 0 {
			ci = q.quadrant(ci, c.child, px, py)
			continue
		}
		switch {
		case c.body == -1: // an empty leaf
			c.body = i
			q.leaf[i] = ci
			return
		case c.body == -2 || depth >= maxDepth:
			c.body = -2
			q.leaf[i] = ci
			return
		}
		j := c.body
		if x[j] == px && y[j] == py {
			c.body = -2
			q.leaf[i] = ci
			return
		}
		// split, move the resident down, and go on with i
		c.body = -1
		first := q.split(ci)
		r := q.quadrant(ci, first, x[j], y[j])
		q.cells[r].body = j
		q.cells[r].mx, q.cells[r].my, q.cells[r].mass = x[j]*mass[j], y[j]*mass[j], mass[j]
		q.leaf[j] = r
		ci = q.quadrant(ci, first, px, py)
	}
}

// repulse returns the repulsion on node i at (px, py) of mass m from every
// other node: kr·m·M/d along the line between them, far cells taken whole.
func (q *quadtree) repulse(i int, px, py, m, kr, theta float64, stack *[]int32) (fx, fy float64) {
	s := append((*stack)[:0], 0)
	for len(s) > 0 {
		ci := s[len(s)-1]
		s = s[:len(s)-1]
		c := &q.cells[ci]
		if c.mass == 0 {
			continue
		}
		if c.child == 0 && c.body == int32(i) {
			continue
		}
		dx, dy := px-c.mx, py-c.my
		d2 := dx*dx + dy*dy
		if c.child != 0 && c.size*c.size >= theta*theta*d2 {
			s = append(s, c.child, c.child+1, c.child+2, c.child+3)
			continue
		}
		if d2 == 0 {
			continue // coincident: no direction to push along
		}
		mm := c.mass
		if ci == q.leaf[i] {
			mm -= m // a crowded leaf holding i itself
			if mm <= 0 {
				continue
			}
		}
		f := kr * m * mm / d2
		fx += dx * f
		fy += dy * f
	}
	*stack = s
	return fx, fy
}
