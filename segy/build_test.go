package segy

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// synth describes a small SEG-Y file for tests to build byte by byte.
type synth struct {
	bo      binary.ByteOrder
	format  Format
	ns      int // samples actually stored per trace
	traces  int
	binNS   int // value at 3221 (default ns)
	rev     [2]byte
	textExt int // extended text blocks stored
	// hdr and data, when set, fill trace t's header and sample bytes.
	hdr  func(t int, h []byte)
	data func(t int, d []byte)
}

func (s synth) bytes() []byte {
	if s.bo == nil {
		s.bo = binary.BigEndian
	}
	if s.format == 0 {
		s.format = FormatIEEE
	}
	if s.binNS == 0 {
		s.binNS = s.ns
	}
	var buf bytes.Buffer
	buf.Write(EncodeText("C 1 TEST FILE", EBCDIC))
	bin := make([]byte, BinaryHeaderSize)
	s.bo.PutUint16(bin[3217-3201:], 4000)
	s.bo.PutUint16(bin[3221-3201:], uint16(s.binNS))
	s.bo.PutUint16(bin[3225-3201:], uint16(s.format))
	bin[3501-3201], bin[3502-3201] = s.rev[0], s.rev[1]
	s.bo.PutUint16(bin[3505-3201:], uint16(s.textExt))
	buf.Write(bin)
	for k := 0; k < s.textExt; k++ {
		buf.Write(EncodeText("C 1 EXTENDED", EBCDIC))
	}
	for t := 0; t < s.traces; t++ {
		h := make([]byte, TraceHeaderSize)
		s.bo.PutUint32(h[188:], uint32(1+t/3))
		s.bo.PutUint32(h[192:], uint32(10+t%3))
		if s.hdr != nil {
			s.hdr(t, h)
		}
		buf.Write(h)
		d := make([]byte, s.ns*s.format.Size())
		if s.data != nil {
			s.data(t, d)
		}
		buf.Write(d)
	}
	return buf.Bytes()
}

func openBytes(t testing.TB, b []byte, name string, opts Options) (*File, error) {
	t.Helper()
	return NewReader(bytes.NewReader(b), int64(len(b)), name, opts)
}

func mustOpen(t testing.TB, b []byte, name string, opts Options) *File {
	t.Helper()
	f, err := openBytes(t, b, name, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
