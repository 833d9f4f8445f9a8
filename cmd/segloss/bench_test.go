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
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--model", "16-40"}, "--model"},
		{[]string{"--gemm", "nope"}, "--gemm"},
		{[]string{"--threads", "-1"}, "--threads -1"},
		{[]string{"--model", "4-8", "--size", "9", "--quiet"}, "9"},
		{[]string{"--steps", "0"}, "--steps 0: must be a positive integer"},
		{[]string{"--steps", "-3"}, "--steps -3: must be a positive integer"},
		{[]string{"--batch", "0"}, "--batch 0: must be a positive integer"},
		{[]string{"--size", "-8"}, "--size -8: must be a positive integer"},
		{[]string{"--classes", "0"}, "--classes 0: must be a positive integer"},
		{[]string{"--warmup", "-1"}, "--warmup -1: must be at least 1"},
		{[]string{"--warmup", "0"}, "--warmup 0: must be at least 1"},
	}
	for _, tc := range cases {
		_, err := runCLI(t, append([]string{"bench"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
