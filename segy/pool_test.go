package segy

import (
	"errors"
	"sync"
	"testing"
)

// TestWorkPool checks that every task runs exactly once, that a worker's
// state is its own, and that the first error is returned.
func TestWorkPool(t *testing.T) {
	boom := errors.New("boom")
	for _, tasks := range []int{0, 1, 2, 7, 1000} {
		var mu sync.Mutex
		ran := make([]int, tasks)
		err := workPool(tasks, func() func(int) error {
			last := -1 // per-worker state: tasks come in increasing order
			return func(k int) error {
				if k <= last {
					return errors.New("worker state shared or tasks out of order")
				}
				last = k
				mu.Lock()
				ran[k]++
				mu.Unlock()
				return nil
			}
		})
		if err != nil {
			t.Fatalf("%d tasks: %v", tasks, err)
		}
		for k, n := range ran {
			if n != 1 {
				t.Fatalf("%d tasks: task %d ran %d times", tasks, k, n)
			}
		}
	}
	for _, tasks := range []int{1, 50} {
		err := workPool(tasks, func() func(int) error {
			return func(k int) error {
				if k == tasks-1 {
					return boom
				}
				return nil
			}
		})
		if !errors.Is(err, boom) {
			t.Errorf("%d tasks, last fails: %v", tasks, err)
		}
	}
}
