package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/schollz/progressbar/v3"
)

func TestProgressFilterDropsRedraws(t *testing.T) {
	var out bytes.Buffer
	w := &progressFilter{w: &out}
	fmt.Fprintln(w, "epoch 1 starts")
	bar := progressbar.NewOptions(10, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("epoch 1"),
		progressbar.OptionOnCompletion(func() { fmt.Fprint(w, "\n") }))
	for i := 0; i < 10; i++ {
		_ = bar.Add(1)
	}
	fmt.Fprintln(w, "epoch 1: loss 0.5")
	if got, want := out.String(), "epoch 1 starts\nepoch 1: loss 0.5\n"; got != want {
		t.Fatalf("filtered output %q, want %q", got, want)
	}
}
