//go:build !linux

package segy

import "os"

// mapFile does not map files on this system: reads go through ReadAt.
func mapFile(*os.File, int64) []byte { return nil }

// unmapFile is never called here (mapFile maps nothing).
func unmapFile([]byte) error { return nil }

// willNeed does nothing without a mapping.
func willNeed([]byte) {}
