package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchJSON(t *testing.T) {
	out, err := runCLI(t, "bench", "--model", "4-8", "--batch", "2", "--size", "8", "--steps", "2", "--warmup", "1", "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"step_seconds", "patches_per_second", "gflops", "peak_rss_bytes"} {
		v, ok := r[k].(float64)
		if !ok || v <= 0 {
			t.Errorf("%s = %v, want a positive number", k, r[k])
		}
	}
	if r["model"] != "4-8" {
		t.Errorf("model = %v, want 4-8", r["model"])
	}
}

func TestBenchTableAndErrors(t *testing.T) {
	out, err := runCLI(t, "bench", "--model", "4-8", "--batch", "1", "--size", "8", "--steps", "1", "--warmup", "1", "--quiet", "--gemm", "go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"train patches/s", "peak memory", "go / "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	cases := [][]string{
		{"bench", "--model", "16-40"},
		{"bench", "--gemm", "nope"},
		{"bench", "--threads", "-1"},
		{"bench", "--model", "4-8", "--size", "9", "--quiet"},
	}
	for _, args := range cases {
		if _, err := runCLI(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
