//go:build linux

package segy

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of fh read-only, or returns nil when the file
// cannot be mapped (pipes, special files, empty files); reads then go
// through ReadAt.
func mapFile(fh *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	b, err := syscall.Mmap(int(fh.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

// unmapFile releases a mapping made by mapFile.
func unmapFile(b []byte) error { return syscall.Munmap(b) }

// willNeed asks the kernel to start reading b ahead of use.
func willNeed(b []byte) { _ = syscall.Madvise(b, syscall.MADV_WILLNEED) }
