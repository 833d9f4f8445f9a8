// Command segloss trains and evaluates seismic facies segmentation networks
// with boundary-aware losses. See the README for a tour.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	_ "go4.org/unsafe/assume-no-moving-gc" // Gorgonia panics at start on Go >= 1.21 without it.
)

func main() {
	ctx, signalled := interruptContext()
	root := newRootCmd()
	root.SetErr(stderrWriter())
	for _, w := range unknownEnv(os.Environ()) {
		fmt.Fprintln(os.Stderr, "segloss: warning:", w)
	}
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintln(os.Stderr, "segloss:", err)
	}
	switch {
	case signalled() != 0:
		os.Exit(128 + signalled()) // as shells report a death by signal: 130 for SIGINT, 143 for SIGTERM
	case err != nil:
		os.Exit(1)
	}
}

// interruptContext returns a context cancelled by the first SIGINT or
// SIGTERM, so commands can save their work and stop, and a function that
// tells which signal arrived (0: none). A second signal ends the process
// at once.
func interruptContext() (context.Context, func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var got atomic.Int32
	go func() {
		s := <-ch
		if n, ok := s.(syscall.Signal); ok {
			got.Store(int32(n))
		}
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel()
	}()
	return ctx, func() int { return int(got.Load()) }
}
