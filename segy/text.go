package segy

import (
	"bytes"
	"strings"
)

// TextEncoding is the character set of a textual header.
type TextEncoding int

// Textual header encodings.
const (
	EBCDIC TextEncoding = iota // IBM code page 037, the SEG-Y default
	ASCII
)

// String returns "EBCDIC" or "ASCII".
func (e TextEncoding) String() string {
	if e == ASCII {
		return "ASCII"
	}
	return "EBCDIC"
}

// TextHeaderSize is the size of a textual header block in bytes.
const TextHeaderSize = 3200

// ebcdicToASCII maps code page 037 to ASCII; bytes without a printable
// ASCII counterpart map to 0. The three code page 037 characters outside
// ASCII that SEG-Y writers use for brackets and bars are mapped to the
// ASCII character they stand for (0x4A '[', 0x5F '^', 0x6A '|').
var ebcdicToASCII = func() (t [256]byte) {
	set := func(start byte, s string) {
		for i := 0; i < len(s); i++ {
			t[int(start)+i] = s[i]
		}
	}
	t[0x40] = ' '
	set(0x4A, "[.<(+|&")
	set(0x5A, "!$*);^-/")
	set(0x6A, "|,%_>?")
	set(0x79, "`:#@'=\"")
	set(0x81, "abcdefghi")
	set(0x91, "jklmnopqr")
	set(0xA1, "~stuvwxyz")
	t[0xB0] = '^'
	t[0xBA], t[0xBB] = '[', ']'
	set(0xC0, "{ABCDEFGHI")
	set(0xD0, "}JKLMNOPQR")
	t[0xE0] = '\\'
	set(0xE2, "STUVWXYZ")
	set(0xF0, "0123456789")
	return t
}()

// asciiToEBCDIC inverts ebcdicToASCII for writing; characters without an
// EBCDIC code become spaces.
var asciiToEBCDIC = func() (t [256]byte) {
	for i := range t {
		t[i] = 0x40
	}
	for e := 255; e >= 0; e-- {
		if a := ebcdicToASCII[e]; a != 0 {
			t[a] = byte(e)
		}
	}
	// Characters with two codes in the table above take the code page 037 one.
	t['['], t[']'], t['|'], t['^'] = 0xBA, 0xBB, 0x4F, 0xB0
	return t
}()

// DetectTextEncoding guesses the encoding of a textual header: a first
// byte 0xC3 ('C' in EBCDIC) or 0x43 ('C' in ASCII) decides; otherwise the
// encoding under which more bytes are printable wins. All-NUL headers are
// ASCII.
func DetectTextEncoding(b []byte) TextEncoding {
	if len(b) > 0 {
		switch b[0] {
		case 0xC3:
			return EBCDIC
		case 'C':
			return ASCII
		}
	}
	var nA, nE int
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			nA++
		}
		if ebcdicToASCII[c] != 0 {
			nE++
		}
	}
	if nE > nA {
		return EBCDIC
	}
	return ASCII
}

// DecodeText turns a 3200-byte textual header into 40 lines of 80
// characters joined by '\n'. NUL and other unprintable bytes become
// spaces, so the result always has all 40 lines.
func DecodeText(b []byte, enc TextEncoding) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if i > 0 && i%80 == 0 {
			sb.WriteByte('\n')
		}
		c := b[i]
		if enc == EBCDIC {
			c = ebcdicToASCII[c]
		}
		if c < 0x20 || c >= 0x7f {
			c = ' '
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// EncodeText lays text out as a 3200-byte textual header: each line of
// text (split at '\n') is cut or padded with spaces to 80 columns, up to 40
// lines, and encoded as enc.
func EncodeText(text string, enc TextEncoding) []byte {
	out := bytes.Repeat([]byte{' '}, TextHeaderSize)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if i >= 40 {
			break
		}
		for j := 0; j < len(l) && j < 80; j++ {
			c := l[j]
			if c < 0x20 || c >= 0x7f {
				c = ' '
			}
			out[80*i+j] = c
		}
	}
	if enc == EBCDIC {
		for i, c := range out {
			out[i] = asciiToEBCDIC[c]
		}
	}
	return out
}

// endTextMarker ends the extended textual headers when their count is -1.
const endTextMarker = "((SEG: EndText))"

// startsWithStanza reports whether a 3200-byte block begins (after
// blanks) with an extended textual header stanza, "((SEG:", in ASCII or
// EBCDIC.
func startsWithStanza(b []byte) bool {
	for _, enc := range []TextEncoding{ASCII, EBCDIC} {
		t := strings.TrimSpace(DecodeText(b[:min(len(b), 80)], enc))
		if len(t) >= 6 && strings.EqualFold(t[:6], "((SEG:") {
			return true
		}
	}
	return false
}

// hasEndText reports whether a 3200-byte block holds the end-of-text
// stanza ((SEG: EndText)) in ASCII or EBCDIC; case and blanks inside the
// stanza do not matter (writers vary).
func hasEndText(b []byte) bool {
	for _, enc := range []TextEncoding{ASCII, EBCDIC} {
		t := strings.ToLower(strings.Join(strings.Fields(DecodeText(b, enc)), ""))
		if strings.Contains(t, "((seg:endtext))") {
			return true
		}
	}
	return false
}
