package nnops

import (
	"fmt"
	"sort"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Buffered is an op whose output tensor lives in an OutBuf, so that
// PlanMemory can place it in a graph-wide arena. All ops of this package
// are Buffered; other packages' ops can be too.
type Buffered interface {
	G.Op
	// OutputBuffer returns the op's output buffer.
	OutputBuffer() *OutBuf
}

// OutBuf is an op's output tensor: allocated on the first run and rewritten
// on every later run with the same dtype and shape, or a view of an arena
// laid out by PlanMemory.
type OutBuf struct{ t *tensor.Dense }

// Get returns the output tensor for dtype dt and the given shape. A planned
// buffer of another dtype or shape is an error of the caller and is replaced
// by a private one.
func (o *OutBuf) Get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || !o.t.Shape().Eq(tensor.Shape(shape)) {
		o.t = tensor.New(tensor.Of(dt), tensor.WithShape(append([]int(nil), shape...)...))
	}
	return o.t
}

// MemoryPlan reports what PlanMemory did.
type MemoryPlan struct {
	// Outputs is the number of op outputs placed in the arenas.
	Outputs int
	// Bytes is the size of the arenas; SeparateBytes the size those outputs
	// would take each in its own buffer.
	Bytes, SeparateBytes int64
}

// PlanMemory lays the output tensors of the Buffered ops of g out in one
// arena per dtype, so that outputs that are never needed at the same time
// share memory. It must be called after the whole graph, gradients
// included, is built and before a machine first runs it; the tape machine
// runs the nodes in the order this plan assumes (reverse of G.Sort).
//
// An output is live from the op that writes it to the last op that reads
// it, extended through ops that are not Buffered (their outputs may alias
// their inputs). The values of keep nodes stay valid after a run (e.g. the
// logits and the cost); every other planned value may be overwritten later
// in the same run, so nothing outside the graph may read it after the run.
func PlanMemory(g *G.ExprGraph, keep ...*G.Node) (MemoryPlan, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return MemoryPlan{}, fmt.Errorf("nnops.PlanMemory: %w", err)
	}
	order := make([]*G.Node, len(sorted))
	for i, n := range sorted {
		order[len(sorted)-1-i] = n
	}
	pos := make(map[*G.Node]int, len(order))
	for i, n := range order {
		pos[n] = i
	}
	last := make(map[*G.Node]int, len(order))
	children := make(map[*G.Node][]*G.Node, len(order))
	for i, n := range order {
		last[n] = i
		it := g.From(n.ID())
		for it.Next() {
			c, ok := it.Node().(*G.Node)
			if !ok {
				continue
			}
			children[n] = append(children[n], c)
			if i > last[c] {
				last[c] = i
			}
		}
	}
	end := len(order)
	for _, k := range keep {
		if _, ok := pos[k]; !ok {
			return MemoryPlan{}, fmt.Errorf("nnops.PlanMemory: kept node %v is not in the graph", k)
		}
		last[k] = end
	}
	// Ops that are not ours may return one of their inputs (an in-place
	// add, a reshape): their inputs live as long as their outputs.
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if n.Op() == nil {
			continue
		}
		if _, ok := n.Op().(Buffered); ok {
			continue
		}
		for _, c := range children[n] {
			last[c] = max(last[c], last[n])
		}
	}

	type item struct {
		buf        *OutBuf
		shape      tensor.Shape
		size       int
		start, end int
		off        int
	}
	byType := map[tensor.Dtype][]*item{}
	var plan MemoryPlan
	for i, n := range order {
		op, ok := n.Op().(Buffered)
		if !ok {
			continue
		}
		dt := n.Dtype()
		if dt != tensor.Float32 && dt != tensor.Float64 {
			continue
		}
		s := n.Shape()
		it := &item{buf: op.OutputBuffer(), shape: s, size: s.TotalSize(), start: i, end: last[n]}
		if it.size == 0 {
			continue
		}
		byType[dt] = append(byType[dt], it)
		plan.Outputs++
		plan.SeparateBytes += int64(it.size) * int64(dt.Size())
	}
	for dt, items := range byType {
		// Largest first, each at the lowest offset free for its lifetime.
		sort.SliceStable(items, func(a, b int) bool { return items[a].size > items[b].size })
		var placed []*item
		total := 0
		for _, it := range items {
			var busy [][2]int
			for _, p := range placed {
				if p.start <= it.end && it.start <= p.end {
					busy = append(busy, [2]int{p.off, p.off + p.size})
				}
			}
			sort.Slice(busy, func(a, b int) bool { return busy[a][0] < busy[b][0] })
			off := 0
			for _, b := range busy {
				if off+it.size <= b[0] {
					break
				}
				off = max(off, b[1])
			}
			it.off = off
			total = max(total, off+it.size)
			placed = append(placed, it)
		}
		plan.Bytes += int64(total) * int64(dt.Size())
		switch dt {
		case tensor.Float32:
			bindArena(items, make([]float32, total), func(it *item) (*OutBuf, tensor.Shape, int, int) {
				return it.buf, it.shape, it.off, it.size
			})
		case tensor.Float64:
			bindArena(items, make([]float64, total), func(it *item) (*OutBuf, tensor.Shape, int, int) {
				return it.buf, it.shape, it.off, it.size
			})
		}
	}
	return plan, nil
}

// bindArena points every item's buffer at its slice of arena.
func bindArena[T float, I any](items []I, arena []T, at func(I) (*OutBuf, tensor.Shape, int, int)) {
	for _, it := range items {
		buf, shape, off, size := at(it)
		buf.t = tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(arena[off:off+size:off+size]))
	}
}
