package segy

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// createTemp creates dir/prefix<random>suffix for an atomic write. Unlike
// os.CreateTemp (mode 0600) the file gets 0666 less the umask, as os.Create
// gives, so the renamed output is as readable as any other file the user
// writes. (segy imports only the standard library, hence its own copy of
// internal/fileutil.CreateTemp.)
func createTemp(dir, prefix, suffix string) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if os.IsExist(err) && try < 10000 {
			continue
		}
		return f, err
	}
}
