package segy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestAllowTruncated(t *testing.T) {
	// 4 traces of 240 + 5*4 = 260 bytes after the 3600-byte header.
	whole := synth{ns: 5, traces: 4, hdr: func(tr int, h []byte) { binary.BigEndian.PutUint32(h[0:], uint32(100+tr)) },
		data: func(tr int, d []byte) {
			for i := 0; i < len(d); i += 4 {
				binary.BigEndian.PutUint32(d[i:], 0x3F800000) // 1.0
			}
		}}.bytes()
	cases := []struct {
		name        string
		size        int
		traces      int
		truncated   int64
		warn        string
		strictErrIs error
	}{
		{"complete", len(whole), 4, 0, "", nil},
		{"last trace cut in its samples", len(whole) - 7, 3, 253, "then 253 bytes of trace 3", nil},
		{"cut in a trace header", 3600 + 2*260 + 100, 2, 100, "then 100 bytes of trace 2", nil},
		{"less than one trace", 3600 + 17, 0, 17, "0 whole traces", nil},
		{"headers only", 3600, 0, 0, "no traces", ErrNoTraces},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := whole[:tc.size]
			_, strictErr := openBytes(t, b, "cut.sgy", Options{})
			if (strictErr == nil) != (tc.truncated == 0 && tc.traces > 0) {
				t.Fatalf("strict open: %v", strictErr)
			}
			if tc.strictErrIs != nil && !errors.Is(strictErr, tc.strictErrIs) {
				t.Fatalf("strict open: %v, want %v", strictErr, tc.strictErrIs)
			}
			f := mustOpen(t, b, "cut.sgy", Options{AllowTruncated: true})
			if f.NumTraces() != tc.traces || f.Truncated() != tc.truncated || f.NumSamples() != 5 {
				t.Fatalf("%d traces of %d samples, %d bytes ignored; want %d traces of 5, %d ignored",
					f.NumTraces(), f.NumSamples(), f.Truncated(), tc.traces, tc.truncated)
			}
			if got := f.DataOffset() + int64(f.NumTraces())*f.TraceStride() + f.Truncated(); got != int64(tc.size) {
				t.Fatalf("layout covers %d of %d bytes", got, tc.size)
			}
			warns := strings.Join(f.Warnings(), "; ")
			if tc.warn == "" && warns != "" || !strings.Contains(warns, tc.warn) {
				t.Fatalf("warnings %q, want %q", warns, tc.warn)
			}
			if !strings.HasPrefix(f.TextHeader(), "C 1 TEST FILE") || f.BinaryHeader().Samples != 5 || f.Interval() != 4000 {
				t.Fatalf("headers: %q, samples %d, interval %d", f.TextHeader()[:20], f.BinaryHeader().Samples, f.Interval())
			}
			for tr := 0; tr < f.NumTraces(); tr++ {
				h, err := f.TraceHeader(tr)
				if err != nil || h.TraceSeqLine != 100+tr {
					t.Fatalf("trace %d header: %+v %v", tr, h.TraceSeqLine, err)
				}
				v := make([]float32, 5)
				if err := f.ReadTrace(tr, v); err != nil || v[4] != 1 {
					t.Fatalf("trace %d: %v %v", tr, v, err)
				}
			}
			if _, err := f.TraceHeader(f.NumTraces()); err == nil {
				t.Fatal("the cut-off trace can be read")
			}
		})
	}
}

// FuzzOpenTruncated: with AllowTruncated any input gives an error or a
// File whose whole traces lie inside the input, and a file that opens
// strictly opens the same way.
func FuzzOpenTruncated(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
		f.Add(s[:len(s)-3])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := NewReader(bytes.NewReader(b), int64(len(b)), "fuzz.sgy", Options{AllowTruncated: true})
		if err != nil {
			return
		}
		end := file.DataOffset() + int64(file.NumTraces())*file.TraceStride()
		if end+file.Truncated() != int64(len(b)) || file.Truncated() < 0 || (file.NumTraces() > 0 && file.Truncated() >= file.TraceStride()) {
			t.Fatalf("%d traces of %d bytes from %d, %d ignored, in %d bytes", file.NumTraces(), file.TraceStride(), file.DataOffset(), file.Truncated(), len(b))
		}
		if file.NumTraces() > 0 {
			if _, err := file.TraceHeader(file.NumTraces() - 1); err != nil {
				t.Fatal(err)
			}
			if _, err := file.Stats(); err != nil {
				t.Fatal(err)
			}
		}
		if strict, err := NewReader(bytes.NewReader(b), int64(len(b)), "fuzz.sgy", Options{}); err == nil {
			if strict.NumTraces() != file.NumTraces() || strict.TraceStride() != file.TraceStride() || file.Truncated() != 0 {
				t.Fatalf("strict %d x %d, lenient %d x %d (+%d)", strict.NumTraces(), strict.TraceStride(), file.NumTraces(), file.TraceStride(), file.Truncated())
			}
		}
	})
}
