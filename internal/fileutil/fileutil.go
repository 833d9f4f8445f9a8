// Package fileutil holds the file-system helpers the writers of segloss
// share: a temporary file created with the permissions of an ordinary new
// file, and atomic whole-file writing on top of it (write the temporary
// file, then rename it).
package fileutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CreateTemp is os.CreateTemp with the mode os.Create gives: the file is
// created 0666 less the process umask (0644 under the usual umask 022)
// instead of 0600, so that a file renamed into place from it is as readable
// as one written directly. The last "*" of pattern is replaced by a random
// string (appended when pattern has none); dir "" means os.TempDir().
func CreateTemp(dir, pattern string) (*os.File, error) {
	if strings.ContainsRune(pattern, os.PathSeparator) {
		return nil, &os.PathError{Op: "createtemp", Path: pattern, Err: errors.New("pattern contains path separator")}
	}
	if dir == "" {
		dir = os.TempDir()
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if os.IsExist(err) && try < 10000 {
			continue
		}
		return f, err
	}
}

// AtomicFile is a file being written atomically: its bytes go (through a
// 1 MiB buffer) to a temporary file in the destination's directory, which
// Commit renames over the destination. Until then readers see the old file
// or none.
type AtomicFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	done bool
}

// CreateAtomic starts an atomic write of path. The directory must exist.
// Call Commit to put the file in place, or Abort to discard it.
func CreateAtomic(path string) (*AtomicFile, error) {
	f, err := CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &AtomicFile{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// Write appends p to the temporary file.
func (a *AtomicFile) Write(p []byte) (int, error) {
	if a.done {
		return 0, fmt.Errorf("writing %s: already committed or aborted", a.path)
	}
	return a.w.Write(p)
}

// Commit flushes, syncs and closes the temporary file and renames it over
// the destination. On error the temporary file is removed and the error
// names the destination.
func (a *AtomicFile) Commit() error {
	if a.done {
		return fmt.Errorf("writing %s: already committed or aborted", a.path)
	}
	a.done = true
	err := a.w.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("writing %s: %w", a.path, err)
	}
	return nil
}

// Abort discards the temporary file unless Commit or Abort already ran;
// the destination is left as it was.
func (a *AtomicFile) Abort() {
	if !a.done {
		a.done = true
		a.f.Close()
		os.Remove(a.f.Name())
	}
}

// WriteFile writes path atomically (see AtomicFile): write fills the new
// content; when it fails, the temporary file is removed, path is left as
// it was and the error names path. The directory must exist.
func WriteFile(path string, write func(io.Writer) error) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := write(a); err != nil {
		a.Abort()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return a.Commit()
}
