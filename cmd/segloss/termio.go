package main

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// progressFilter passes messages through to w but drops progress-bar
// redraws (writes holding a carriage return) and the lone newlines that
// close them, so logs of runs with stderr redirected to a file stay readable.
type progressFilter struct {
	w       io.Writer
	dropped bool
}

func (p *progressFilter) Write(b []byte) (int, error) {
	if bytes.IndexByte(b, '\r') >= 0 {
		p.dropped = true
		return len(b), nil
	}
	if p.dropped && bytes.Equal(b, []byte("\n")) {
		p.dropped = false
		return len(b), nil
	}
	p.dropped = false
	return p.w.Write(b)
}

// stderrWriter is where commands write progress and messages: the real
// stderr on a terminal, a progress-free view of it otherwise.
func stderrWriter() io.Writer {
	if term.IsTerminal(int(os.Stderr.Fd())) {
		return os.Stderr
	}
	return &progressFilter{w: os.Stderr}
}
