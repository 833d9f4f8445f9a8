package model

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opSeq gives every stateful op instance its own hash, so that Gorgonia's
// common-subexpression elimination never merges two of them.
var opSeq atomic.Int64

func nextOpID() int64 { return opSeq.Add(1) }

func hashOf(s fmt.Stringer) uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, s.String())
	return h.Sum32()
}

func writeHash(h hash.Hash, s fmt.Stringer) { fmt.Fprint(h, s.String()) }

// tensorType is the Gorgonia type of a 4-d tensor of any float dtype.
func tensorType(dims int) G.TensorType {
	return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

// denseOf returns v as a *tensor.Dense of a float dtype.
func denseOf(v G.Value, what string) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: want a dense tensor, got %T", what, v)
	}
	switch d.Dtype() {
	case tensor.Float32, tensor.Float64:
		return d, nil
	}
	return nil, fmt.Errorf("%s: want float32 or float64, got %v", what, d.Dtype())
}

// float is the element type of the graphs: float32 in production, float64
// for gradient checks.
type float interface{ ~float32 | ~float64 }
