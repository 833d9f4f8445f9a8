package dataset

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/segloss/segloss/segy"
)

// SynthSEGYFile is the name of the seismic of a synthetic survey, beside
// its survey.json and data/ directory.
const SynthSEGYFile = "seismic.sgy"

// WriteSynthetic generates the synthetic survey of the given size and seed
// and writes it to dir: seismic.sgy (IEEE floats, 4 ms, inline/crossline at
// bytes 189/193 in Alaudah numbering), data/train/... and data/test_once/...
// npy files in the Alaudah layout (seismic and labels), and survey.json,
// written last so a complete directory is recognisable.
func WriteSynthetic(dir string, size SynthSize, seed uint64, progress func(done, total int)) (*Manifest, error) {
	full := SynthSurvey(size, seed, progress)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	err := segy.WriteCube(filepath.Join(dir, SynthSEGYFile), segy.Cube{
		Inlines: full.Inlines, Crosslines: full.Crosslines, Samples: full.NS, Data: full.Seismic,
		Interval: 4000, Delay: 0, Format: segy.FormatIEEE,
		Text: fmt.Sprintf("segloss synthetic F3-like survey, size %s, seed %d\n"+
			"six facies units in F3 order, Ricker 30 Hz, 4 ms, scaled to [-1, 1]\n"+
			"inline at byte 189, crossline at 193 (Alaudah numbering: train from IL 300, XL 300)", size, seed),
		Origin: [2]float64{605000, 6073000}, InlineStep: [2]float64{0, 25}, CrosslineStep: [2]float64{25, 0},
		CoordScalar: -10,
	})
	if err != nil {
		return nil, err
	}
	specs := SynthSplits(size)
	data := filepath.Join(dir, "data")
	for _, sp := range specs {
		i0, j0 := sp.Inline0-full.Inlines[0], sp.Crossline0-full.Crosslines[0]
		v, err := full.Crop(sp.Name, i0, i0+sp.NI, j0, j0+sp.NX)
		if err != nil {
			return nil, err
		}
		shape := []int{v.NI, v.NX, v.NS}
		if err := WriteNPYFloat32(filepath.Join(data, sp.SeismicFile), v.Seismic, shape); err != nil {
			return nil, err
		}
		if err := WriteNPYUint8(filepath.Join(data, sp.LabelsFile), v.Labels, shape); err != nil {
			return nil, err
		}
	}
	m := &Manifest{Name: "synthetic", Size: size.String(), Seed: seed, SEGYFile: SynthSEGYFile,
		IlineByte: 189, XlineByte: 193, SampleOffset: 0, Samples: size.NS, Splits: specs}
	if err := WriteManifest(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// SyntheticComplete reports whether dir holds the complete synthetic survey
// of this size and seed (manifest and every file at its expected size).
func SyntheticComplete(dir string, size SynthSize, seed uint64) bool {
	m, err := ReadManifest(dir)
	if err != nil || m == nil || m.Size != size.String() || m.Seed != seed || m.Name != "synthetic" {
		return false
	}
	sp := SynthSplits(size)
	ntr := sp[2].NI * (size.NX + sp[2].NX)
	want := map[string]int64{SynthSEGYFile: 3600 + int64(ntr)*(240+4*int64(size.NS))}
	for _, s := range sp {
		shape := []int{s.NI, s.NX, size.NS}
		n := int64(s.NI * s.NX * size.NS)
		want[filepath.Join("data", s.SeismicFile)] = int64(len(encodeNPYHeader("<f4", shape))) + 4*n
		want[filepath.Join("data", s.LabelsFile)] = int64(len(encodeNPYHeader("|u1", shape))) + n
	}
	for f, n := range want {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() != n {
			return false
		}
	}
	return true
}

// SyntheticCacheDir returns the default cache directory of a synthetic
// survey: <user cache dir>/segloss/synthetic-v<SynthVersion>-<IxXxS>-seed<N>.
func SyntheticCacheDir(size SynthSize, seed uint64) string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "segloss", fmt.Sprintf("synthetic-v%d-%s-seed%d", SynthVersion, size, seed))
}

// SynthVersion numbers the earth model of the synthetic survey. It is part
// of the cache directory's name, so a survey cached by an older generator
// is not reused once the model changes; raise it with every change that
// alters the generated volumes.
const SynthVersion = 2

// SynthFiles are the files a synthetic survey consists of, relative to its
// directory, survey.json last. EnsureSynthetic replaces only these.
func SynthFiles(size SynthSize) []string {
	files := []string{SynthSEGYFile}
	for _, sp := range SynthSplits(size) {
		files = append(files, filepath.Join("data", sp.SeismicFile), filepath.Join("data", sp.LabelsFile))
	}
	return append(files, ManifestFile)
}

// synthTarget is what a would-be synthetic survey directory holds.
type synthTarget int

const (
	targetAbsent synthTarget = iota // nothing there
	targetEmpty                     // an empty directory
	targetSurvey                    // a segloss synthetic survey (maybe with other files)
)

// checkSynthTarget classifies dir, refusing a regular file and a directory
// that holds files but no synthetic survey.
func checkSynthTarget(dir string) (synthTarget, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return targetAbsent, nil
	}
	if err != nil {
		return 0, err
	}
	if !st.IsDir() {
		return 0, fmt.Errorf("synthetic survey: %s is a file, not a directory: give another --out", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return targetEmpty, nil
	}
	m, err := ReadManifest(dir)
	if err == nil && m != nil && m.Name == "synthetic" {
		return targetSurvey, nil
	}
	names := make([]string, 0, 3)
	for _, e := range entries[:min(3, len(entries))] {
		names = append(names, e.Name())
	}
	if len(entries) > 3 {
		names = append(names, "...")
	}
	why := "no " + ManifestFile + " of a synthetic survey"
	if err != nil {
		why = err.Error()
	}
	return 0, fmt.Errorf("synthetic survey: %s already holds other files (%s) and %s: nothing was written; give an absent or empty directory as --out (e.g. %s)",
		dir, strings.Join(names, ", "), why, filepath.Join(dir, "synthetic"))
}

// EnsureSynthetic returns the directory of the synthetic survey of this
// size and seed, generating it when absent or incomplete. dir "" means
// SyntheticCacheDir. Generation goes to a temporary sibling directory, so an
// interrupted run never leaves a directory that looks complete. An absent
// dir is created by renaming that directory into place. In an empty
// directory, or one holding an earlier synthetic survey (any size or seed),
// only the files of SynthFiles are replaced, each by a rename, survey.json
// last; other files there are left alone. A regular file, or a directory
// holding other files but no synthetic survey, is refused before anything is
// generated. Pass the result as SurveyConfig.DataDir.
func EnsureSynthetic(dir string, size SynthSize, seed uint64, progress func(done, total int)) (string, error) {
	if dir == "" {
		dir = SyntheticCacheDir(size, seed)
	}
	if SyntheticComplete(dir, size, seed) {
		return dir, nil
	}
	if _, err := checkSynthTarget(dir); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	tmp, err := mkdirTemp(parent, "."+filepath.Base(abs)+".tmp")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // ours; gone already after a whole-directory rename
	if _, err := WriteSynthetic(tmp, size, seed, progress); err != nil {
		return "", err
	}
	if SyntheticComplete(dir, size, seed) { // another process finished first
		return dir, nil
	}
	target, err := checkSynthTarget(dir)
	if err != nil {
		return "", err
	}
	if target == targetAbsent {
		if err := os.Rename(tmp, abs); err == nil {
			return dir, nil
		}
		// Created meanwhile: fall through to replacing our files only.
		if _, err := checkSynthTarget(dir); err != nil {
			return "", err
		}
	}
	if err := moveSynthFiles(tmp, abs, size); err != nil {
		return "", fmt.Errorf("synthetic survey %s: %w", dir, err)
	}
	return dir, nil
}

// moveSynthFiles renames the survey files from src into dst. The old
// manifest goes first and the new one last, so dst never looks complete
// while it mixes old and new files.
func moveSynthFiles(src, dst string, size SynthSize) error {
	if err := os.Remove(filepath.Join(dst, ManifestFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, f := range SynthFiles(size) {
		to := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if st, err := os.Lstat(to); err == nil && st.IsDir() {
			return fmt.Errorf("%s is a directory, not a file", to)
		}
		if err := os.Rename(filepath.Join(src, f), to); err != nil {
			return err
		}
	}
	return nil
}

// mkdirTemp is os.MkdirTemp with mode 0755 less the umask (os.MkdirTemp
// gives 0700, which the renamed survey directory would keep).
func mkdirTemp(parent, prefix string) (string, error) {
	for range 10000 {
		name := filepath.Join(parent, prefix+strconv.FormatUint(rand.Uint64(), 36))
		err := os.Mkdir(name, 0o755)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: no free temporary directory name", parent)
}
