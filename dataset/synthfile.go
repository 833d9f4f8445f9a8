package dataset

import (
	"fmt"
	"os"
	"path/filepath"

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
// survey: <user cache dir>/segloss/synthetic-<IxXxS>-seed<N>.
func SyntheticCacheDir(size SynthSize, seed uint64) string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "segloss", fmt.Sprintf("synthetic-%s-seed%d", size, seed))
}

// EnsureSynthetic returns the directory of the synthetic survey of this
// size and seed, generating it when absent or incomplete. dir "" means
// SyntheticCacheDir. Generation goes to a temporary sibling directory that
// is renamed into place, so an interrupted run never leaves a directory
// that looks complete. Pass the result as SurveyConfig.DataDir.
func EnsureSynthetic(dir string, size SynthSize, seed uint64, progress func(done, total int)) (string, error) {
	if dir == "" {
		dir = SyntheticCacheDir(size, seed)
	}
	if SyntheticComplete(dir, size, seed) {
		return dir, nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if _, err := WriteSynthetic(tmp, size, seed, progress); err != nil {
		return "", err
	}
	if SyntheticComplete(dir, size, seed) { // another process finished first
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("synthetic survey: %w", err)
	}
	return dir, nil
}
