package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnsureSyntheticKeepsOtherFiles checks that EnsureSynthetic deletes
// nothing it did not write: files beside an absent target, files (such as a
// registered segy.json) inside an earlier synthetic survey, and a directory
// or regular file that is not a survey, which are refused untouched.
func TestEnsureSyntheticKeepsOtherFiles(t *testing.T) {
	size := SynthSize{NI: 6, NX: 8, NS: 24}
	write := func(t *testing.T, p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keep := func(t *testing.T, p, s string) {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil || string(b) != s {
			t.Fatalf("%s changed: %q, %v", p, b, err)
		}
	}
	cases := []struct {
		name    string
		setup   func(t *testing.T, root string) string // returns --out
		wantErr string
		kept    map[string]string // relative to root
	}{
		{"absent beside other files", func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "notes.txt"), "mine")
			return filepath.Join(root, "syn")
		}, "", map[string]string{"notes.txt": "mine"}},
		{"empty directory", func(t *testing.T, root string) string {
			if err := os.Mkdir(filepath.Join(root, "syn"), 0o755); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(root, "syn")
		}, "", nil},
		{"earlier survey with registered SEG-Y", func(t *testing.T, root string) string {
			dir := filepath.Join(root, "syn")
			if _, err := WriteSynthetic(dir, SynthSize{NI: 5, NX: 7, NS: 20}, 9, nil); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "segy.json"), `{"segy_file": "/x.sgy"}`)
			write(t, filepath.Join(dir, "data/train/extra.npy"), "x")
			return dir
		}, "", map[string]string{"syn/segy.json": `{"segy_file": "/x.sgy"}`, "syn/data/train/extra.npy": "x"}},
		{"directory of other files", func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "a.txt"), "a")
			write(t, filepath.Join(root, "sub/b.txt"), "b")
			return root
		}, "already holds other files (a.txt, sub)", map[string]string{"a.txt": "a", "sub/b.txt": "b"}},
		{"regular file", func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "afile"), "data")
			return filepath.Join(root, "afile")
		}, "is a file, not a directory", map[string]string{"afile": "data"}},
		{"unreadable manifest", func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "syn", ManifestFile), "{")
			return filepath.Join(root, "syn")
		}, "survey.json", map[string]string{"syn/survey.json": "{"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := tc.setup(t, root)
			got, err := EnsureSynthetic(dir, size, 4, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir) {
					t.Fatalf("error %v, want one naming %s and %q", err, dir, tc.wantErr)
				}
				if _, err := os.Stat(filepath.Join(dir, SynthSEGYFile)); err == nil {
					t.Fatal("refused target got a seismic.sgy")
				}
			} else if err != nil || got != dir || !SyntheticComplete(dir, size, 4) {
				t.Fatalf("EnsureSynthetic = %q, %v; complete %v", got, err, SyntheticComplete(dir, size, 4))
			}
			for f, s := range tc.kept {
				keep(t, filepath.Join(root, f), s)
			}
			entries, err := os.ReadDir(filepath.Dir(dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp") {
					t.Fatalf("temporary %s left behind", e.Name())
				}
			}
		})
	}
}

// TestSynthFiles checks that SynthFiles lists what WriteSynthetic writes.
func TestSynthFiles(t *testing.T) {
	size := SynthSize{NI: 5, NX: 6, NS: 16}
	dir := t.TempDir()
	if _, err := WriteSynthetic(dir, size, 1, nil); err != nil {
		t.Fatal(err)
	}
	var written []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			written = append(written, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := SynthFiles(size)
	if len(written) != len(want) || want[len(want)-1] != ManifestFile {
		t.Fatalf("wrote %v, SynthFiles %v", written, want)
	}
	for _, f := range want {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}
