package graph_test

import (
	"fmt"

	"github.com/tahqiq/tahqiq/internal/graph"
)

// Two triangles joined by one edge: Leiden finds the two triangles.
func ExampleLeiden() {
	g := graph.New(6, []graph.Edge{
		{U: 0, V: 1, W: 1}, {U: 1, V: 2, W: 1}, {U: 0, V: 2, W: 1},
		{U: 3, V: 4, W: 1}, {U: 4, V: 5, W: 1}, {U: 3, V: 5, W: 1},
		{U: 2, V: 3, W: 1},
	})
	comm, q := graph.Leiden(g, 1, 1)
	fmt.Println(comm, fmt.Sprintf("%.4f", q))
	// Output:
	// [0 0 0 1 1 1] 0.3571
}
