package segy

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestFirstTraceOffset checks that the rev-2 first-trace offset (3521)
// decides where the traces start, that it is ignored before rev 2, and
// that an offset outside the file is flagged and ignored.
func TestFirstTraceOffset(t *testing.T) {
	body := synth{ns: 4, traces: 3, rev: [2]byte{2, 0}, data: putF32(binary.BigEndian)}.bytes()
	const gap = 512 // bytes between the file headers and the first trace
	padded := append(append(append([]byte(nil), body[:3600]...), make([]byte, gap)...), body[3600:]...)
	cases := []struct {
		name    string
		b       []byte
		rev     byte
		fto     uint64
		start   int64
		traces  int
		warning string
	}{
		{"rev 2 with offset", padded, 2, 3600 + gap, 3600 + gap, 3, "3521-3528"},
		{"rev 2 offset equal to 3600", body, 2, 3600, 3600, 3, ""},
		{"rev 2 offset beyond the file", body, 2, 1 << 40, 3600, 3, "outside"},
		{"rev 1 ignores the field", body, 1, 3600 + gap, 3600, 3, ""},
	}
	for _, c := range cases {
		b := append([]byte(nil), c.b...)
		b[3500] = c.rev
		binary.BigEndian.PutUint64(b[3520:], c.fto)
		f, err := openBytes(t, b, "fto.sgy", Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if f.DataOffset() != c.start || f.NumTraces() != c.traces {
			t.Fatalf("%s: data at %d, %d traces; want %d, %d", c.name, f.DataOffset(), f.NumTraces(), c.start, c.traces)
		}
		w := strings.Join(f.Warnings(), "; ")
		if (c.warning == "") != (w == "") || !strings.Contains(w, c.warning) {
			t.Fatalf("%s: warnings %q, want one with %q", c.name, w, c.warning)
		}
		tr := make([]float32, 4)
		if err := f.ReadTrace(2, tr); err != nil || tr[0] != 2000 || tr[3] != 2003 {
			t.Fatalf("%s: trace 2 = %v (%v)", c.name, tr, err)
		}
	}
}

// TestUndeclaredExtendedText checks that a stanza block where the first
// trace should be, not counted in 3505-3506 (segyio's mapping-empty.sgy),
// is skipped with a warning and kept as an extended textual header.
func TestUndeclaredExtendedText(t *testing.T) {
	for _, enc := range []TextEncoding{ASCII, EBCDIC} {
		body := synth{ns: 4, traces: 6, data: putF32(binary.BigEndian)}.bytes()
		stanza := EncodeText("((SEG:Layout:text/xml))\n<segy-layout/>", enc)
		b := append(append(append([]byte(nil), body[:3600]...), stanza...), body[3600:]...)
		f, err := openBytes(t, b, "undeclared.sgy", Options{})
		if err != nil {
			t.Fatalf("%v: %v", enc, err)
		}
		if f.DataOffset() != 6800 || f.NumTraces() != 6 || len(f.ExtendedTextHeaders()) != 1 {
			t.Fatalf("%v: data at %d, %d traces, %d extended headers", enc, f.DataOffset(), f.NumTraces(), len(f.ExtendedTextHeaders()))
		}
		if !strings.HasPrefix(f.ExtendedTextHeaders()[0], "((SEG:Layout:text/xml))") {
			t.Fatalf("%v: extended header %q", enc, f.ExtendedTextHeaders()[0][:40])
		}
		if w := strings.Join(f.Warnings(), "; "); !strings.Contains(w, "not counted in 3505-3506") {
			t.Fatalf("%v: warnings %q", enc, w)
		}
		tr := make([]float32, 4)
		if err := f.ReadTrace(5, tr); err != nil || tr[0] != 5000 || tr[3] != 5003 {
			t.Fatalf("%v: trace 5 = %v (%v)", enc, tr, err)
		}
	}
	// Without the stanza marker the same extra block is not guessed away.
	body := synth{ns: 4, traces: 6}.bytes()
	b := append(append(append([]byte(nil), body[:3600]...), EncodeText("C 1 JUST TEXT", EBCDIC)...), body[3600:]...)
	if _, err := openBytes(t, b, "plain.sgy", Options{}); err == nil || !strings.Contains(err.Error(), "left over") {
		t.Fatalf("unmarked extra block: %v", err)
	}
}
