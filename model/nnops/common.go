package nnops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// float is the element type of the ops: float32 for training, float64 for gradient checks.
type float interface{ ~float32 | ~float64 }

var opSeq atomic.Int64

// nextID numbers op instances so that each prints and hashes distinctly.
func nextID() int64 { return opSeq.Add(1) }

// hashString is the Hashcode of an op that prints as s.
func hashString(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// writeHash writes the op's printed form, which names its parameters and instance.
func writeHash(h hash.Hash, s fmt.Stringer) { fmt.Fprint(h, s.String()) }

// tt is a tensor type of the given rank over the type variable a.
func tt(dims int) G.TensorType { return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

// fnType builds a function type from the ranks of the inputs and of the result.
func fnType(ranks ...int) hm.Type {
	ts := make([]hm.Type, len(ranks))
	for i, r := range ranks {
		ts[i] = tt(r)
	}
	return hm.NewFnType(ts...)
}

// shapeOf reads a DimSizer given to InferShape as a shape.
func shapeOf(op string, d G.DimSizer) (tensor.Shape, error) {
	s, ok := d.(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%s: input shape %v is not a tensor.Shape", op, d)
	}
	return s, nil
}

// denseOf returns a contiguous dense tensor for an input value.
func denseOf(op string, v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: want a dense tensor, got %T", op, v)
	}
	if d.IsView() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: cannot materialise a view", op)
		}
		d = m
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("%s: want float32 or float64, got %v", op, d.Dtype())
	}
	return d, nil
}

// inputs checks the arity and dtypes of an op's inputs.
func inputs(op string, want int, vals []G.Value) ([]*tensor.Dense, error) {
	if len(vals) != want {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", op, want, len(vals))
	}
	ds := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		d, err := denseOf(op, v)
		if err != nil {
			return nil, err
		}
		if d.Dtype() != ds0(ds, d).Dtype() {
			return nil, fmt.Errorf("%s: input %d is %v, input 0 is %v", op, i, d.Dtype(), ds[0].Dtype())
		}
		ds[i] = d
	}
	return ds, nil
}

func ds0(ds []*tensor.Dense, d *tensor.Dense) *tensor.Dense {
	if ds[0] != nil {
		return ds[0]
	}
	return d
}

// slice returns the tensor's backing slice as []T.
func slice[T float](d *tensor.Dense) []T {
	return d.Data().([]T)
}

// workers is the number of goroutines the ops split a batch over.
func workers() int { return runtime.GOMAXPROCS(0) }

// parallelFor runs f(worker, i) for i in [0, n) on up to workers() goroutines;
// worker is in [0, workers()) and no two concurrent calls share it.
func parallelFor(n int, f func(worker, i int)) {
	w := min(workers(), n)
	if w <= 1 {
		for i := 0; i < n; i++ {
			f(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w)
	for k := 0; k < w; k++ {
		go func(k int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(k, i)
			}
		}(k)
	}
	wg.Wait()
}

// parallelChunks splits [0, n) into runs of at least minRun elements and
// runs f(lo, hi) on each, on up to workers() goroutines.
func parallelChunks(n, minRun int, f func(lo, hi int)) {
	parts := min(workers()*4, max(n/max(minRun, 1), 1))
	parallelFor(parts, func(_, i int) { f(i*n/parts, (i+1)*n/parts) })
}

// scratch is a free list of work buffers that live as long as the package:
// ops take what they need and give it back when done, so after the first
// step no op allocates scratch memory, and concurrent machines never share
// a buffer.
type scratch[T float] struct {
	mu   sync.Mutex
	free [][]T
}

var (
	scratch32 scratch[float32]
	scratch64 scratch[float64]
)

// scratchFor returns the free list of T buffers.
func scratchFor[T float]() *scratch[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(&scratch32).(*scratch[T])
	default:
		return any(&scratch64).(*scratch[T])
	}
}

// take returns a buffer of length n (contents undefined), preferring the
// smallest free one that is large enough.
func (s *scratch[T]) take(n int) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := -1
	for i, b := range s.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(s.free[best])) {
			best = i
		}
	}
	if best < 0 {
		// Grow the largest free buffer rather than keeping it as well.
		for i, b := range s.free {
			if best < 0 || cap(b) > cap(s.free[best]) {
				best = i
			}
		}
		if best >= 0 {
			s.free = append(s.free[:best], s.free[best+1:]...)
		}
		return make([]T, n)
	}
	b := s.free[best][:n]
	s.free = append(s.free[:best], s.free[best+1:]...)
	return b
}

// give returns buffers taken with take.
func (s *scratch[T]) give(bufs ...[]T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free = append(s.free, bufs...)
}

// takeN takes count buffers of length n.
func (s *scratch[T]) takeN(count, n int) [][]T {
	out := make([][]T, count)
	for i := range out {
		out[i] = s.take(n)
	}
	return out
}

// gemm dispatches a row-major product to the current float32 backend or to gonum's Dgemm.
func gemm[T float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		CurrentGEMM().Sgemm(transA, transB, m, n, k, av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		dgemm(transA, transB, m, n, k, av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
