package partcomm_test

import (
	"context"
	"fmt"

	"github.com/tahqiq/tahqiq/internal/partcomm"
)

// Two triangles joined by one edge, held by three partitions: no
// partition holds a triangle.
func ExampleDetect() {
	edges := []partcomm.Edge{
		{U: 0, V: 1, W: 1}, {U: 1, V: 2, W: 1}, {U: 0, V: 2, W: 1},
		{U: 3, V: 4, W: 1}, {U: 4, V: 5, W: 1}, {U: 3, V: 5, W: 1},
		{U: 2, V: 3, W: 1},
	}
	parts := &partcomm.Local{Parts: partcomm.Split(edges, 3)}
	res, err := partcomm.Detect(context.Background(), parts, 7, partcomm.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Community, fmt.Sprintf("%.4f", res.Modularity))
	// Output: [0 0 0 1 1 1 -1] 0.3571
}
