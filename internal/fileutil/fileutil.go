// Package fileutil holds the one file-system helper the writers of segloss
// share: a temporary file created with the permissions of an ordinary new
// file, for atomic writes (write the temporary file, then rename it).
package fileutil

import (
	"errors"
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
