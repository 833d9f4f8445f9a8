// Command segloss trains and evaluates seismic facies segmentation networks
// with boundary-aware losses. See the README for a tour.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "go4.org/unsafe/assume-no-moving-gc" // Gorgonia panics at start on Go >= 1.21 without it.
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		if !errors.Is(err, errSilent) {
			fmt.Fprintln(os.Stderr, "segloss:", err)
		}
		os.Exit(1)
	}
}
