package loss

import "math/bits"

// torchSum32 reproduces PyTorch 1.13's CPU sum of a contiguous 1-D float32 tensor on an AVX2 build
// (SumKernel.cpp: 8-lane vectors, 4-way instruction-level parallelism, a 4-level cascade, then the scalar tail
// and the lanes in order). ABL's weight sum is a float32 sum whose last bit depends on this order.
func torchSum32(x []float32) float32 {
	const lanes = 8
	if len(x) < lanes {
		v := make([][]float32, len(x))
		for i := range x {
			v[i] = x[i : i+1]
		}
		return rowSum32(v, 1)[0]
	}
	nv := len(x) / lanes
	v := make([][]float32, nv)
	for i := range nv {
		v[i] = x[i*lanes : (i+1)*lanes]
	}
	acc := rowSum32(v, lanes)
	var fin float32
	for _, e := range x[nv*lanes:] {
		fin += e
	}
	for _, l := range acc {
		fin += l
	}
	return fin
}

func addLanes(dst, src []float32) {
	for i := range dst {
		dst[i] += src[i]
	}
}

// rowSum32 is PyTorch's row_sum: the vectors seen as rows of 4 (ILP), summed by multiRowSum32, then the tail.
func rowSum32(v [][]float32, lanes int) []float32 {
	const ilp = 4
	sizeILP := len(v) / ilp
	ps := multiRowSum32(v, sizeILP, lanes)
	for i := sizeILP * ilp; i < len(v); i++ {
		addLanes(ps[0], v[i])
	}
	for k := 1; k < ilp; k++ {
		addLanes(ps[0], ps[k])
	}
	return ps[0]
}

func ceilLog2(x int) int {
	if x <= 2 {
		return 1
	}
	return bits.Len64(uint64(x - 1))
}

// multiRowSum32 is PyTorch's multi_row_sum with 4 rows and 4 cascade levels.
func multiRowSum32(v [][]float32, size, lanes int) [4][]float32 {
	const levels, rows = 4, 4
	power := max(4, ceilLog2(size)/levels)
	step := 1 << power
	mask := step - 1
	var acc [levels][rows][]float32
	for j := range levels {
		for k := range rows {
			acc[j][k] = make([]float32, lanes)
		}
	}
	i := 0
	for i+step <= size {
		for range step {
			for k := range rows {
				addLanes(acc[0][k], v[i*rows+k])
			}
			i++
		}
		for j := 1; j < levels; j++ {
			for k := range rows {
				addLanes(acc[j][k], acc[j-1][k])
				clear(acc[j-1][k])
			}
			if i&(mask<<(j*power)) != 0 {
				break
			}
		}
	}
	for ; i < size; i++ {
		for k := range rows {
			addLanes(acc[0][k], v[i*rows+k])
		}
	}
	for j := 1; j < levels; j++ {
		for k := range rows {
			addLanes(acc[0][k], acc[j][k])
		}
	}
	return acc[0]
}
