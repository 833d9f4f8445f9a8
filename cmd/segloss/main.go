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
	root.SetErr(stderrWriter())
	for _, w := range unknownEnv(os.Environ()) {
		fmt.Fprintln(os.Stderr, "segloss: warning:", w)
	}
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintln(os.Stderr, "segloss:", err)
	}
	switch {
	case ctx.Err() != nil:
		os.Exit(130) // interrupted, as shells report SIGINT
	case err != nil:
		os.Exit(1)
	}
}
