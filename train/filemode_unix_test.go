//go:build unix

package train

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestRunFilesFollowUmask(t *testing.T) {
	dir := t.TempDir()
	recs := []EpochRecord{{Epoch: 1, TrainLoss: 1, PA: 0.5}, {Epoch: 2, TrainLoss: 0.5, PA: 0.6}}
	old := syscall.Umask(0o027)
	err := WriteHistory(dir, recs)
	if err == nil {
		err = WriteHistoryPNG(filepath.Join(dir, "history.png"), recs)
	}
	if err == nil {
		err = WriteMetricsJSON(filepath.Join(dir, "metrics.json"), map[string]float64{"pa": 0.5})
	}
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("run folder holds %v", entries)
	}
	for _, e := range entries {
		st, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %03o, want 0640 under umask 027", e.Name(), st.Mode().Perm())
		}
	}
}
