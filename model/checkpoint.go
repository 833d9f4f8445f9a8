package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/segloss/segloss/internal/fileutil"
)

// Checkpoint file layout (all integers little-endian):
//
//	magic    8 bytes  "SGLSCKPT"
//	version  uint32   CheckpointVersion
//	metaLen  uint32   length of the JSON metadata
//	meta     metaLen bytes of JSON (checkpointMeta)
//	data     float32 values of every tensor listed in meta, in order
//	crc      uint32   CRC-32 (IEEE) of everything before it
const (
	checkpointMagic = "SGLSCKPT"
	// CheckpointVersion is the checkpoint format version this build
	// writes and reads.
	CheckpointVersion = 1
	maxMetaLen        = 64 << 20
)

// CheckpointInfo is what a caller stores in a checkpoint besides the model:
// training progress and arbitrary metadata (normalisation, class names, the
// full run configuration) as raw JSON.
type CheckpointInfo struct {
	Step  int             `json:"step"`
	Epoch int             `json:"epoch"`
	Meta  json.RawMessage `json:"meta,omitempty"`
}

// Checkpoint is what Load read besides the model.
type Checkpoint struct {
	CheckpointInfo
	// Config is the architecture of the saved model.
	Config Config
	// Solver is the saved solver state, nil if none was saved.
	Solver *SolverState
}

type tensorEntry struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type checkpointMeta struct {
	Format  string          `json:"format"`
	Config  Config          `json:"config"`
	Step    int             `json:"step"`
	Epoch   int             `json:"epoch"`
	Meta    json.RawMessage `json:"meta,omitempty"`
	Solver  *SolverState    `json:"solver,omitempty"`
	Tensors []tensorEntry   `json:"tensors"`
}

// tensors lists the model's tensors in file order with their data:
// parameters, then batch-norm running means and variances.
func (m *Model) tensors() ([]tensorEntry, [][]float32) {
	var es []tensorEntry
	var ds [][]float32
	for i, v := range m.values {
		es = append(es, tensorEntry{Name: m.names[i], Shape: slices.Clone([]int(v.Shape()))})
		ds = append(ds, v.Float32s())
	}
	for i, s := range m.stats {
		es = append(es,
			tensorEntry{Name: fmt.Sprintf("bn%d.running_mean", i), Shape: []int{len(s.mean)}},
			tensorEntry{Name: fmt.Sprintf("bn%d.running_var", i), Shape: []int{len(s.variance)}})
		ds = append(ds, s.mean, s.variance)
	}
	return es, ds
}

// Save writes the model, info and (if solver is not nil) the solver state
// to path as one checkpoint file. It writes a temporary file in the same
// directory and renames it, so path is either the old or the new file.
func (m *Model) Save(path string, info CheckpointInfo, solver Solver) error {
	es, ds := m.tensors()
	meta := checkpointMeta{
		Format: "segloss-checkpoint", Config: m.cfg,
		Step: info.Step, Epoch: info.Epoch, Meta: info.Meta,
	}
	if solver != nil {
		st := solver.State()
		meta.Solver = &st
		for i, sl := range st.Slots {
			es = append(es, tensorEntry{Name: fmt.Sprintf("solver.slot%d", i), Shape: []int{len(sl)}})
			ds = append(ds, sl)
		}
	}
	meta.Tensors = es
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("checkpoint %s: metadata: %w", path, err)
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	binary.Write(&buf, binary.LittleEndian, uint32(CheckpointVersion))
	binary.Write(&buf, binary.LittleEndian, uint32(len(js)))
	buf.Write(js)
	var b4 [4]byte
	for _, d := range ds {
		for _, v := range d {
			binary.LittleEndian.PutUint32(b4[:], math.Float32bits(v))
			buf.Write(b4[:])
		}
	}
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	if err := fileutil.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// readCheckpoint parses and verifies a checkpoint file.
func readCheckpoint(path string) (*checkpointMeta, [][]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint %s: %s", path, fmt.Sprintf(format, args...))
	}
	const head = len(checkpointMagic) + 8
	if len(raw) < len(checkpointMagic) || string(raw[:len(checkpointMagic)]) != checkpointMagic {
		return nil, nil, fail("not a segloss checkpoint (bad magic)")
	}
	if len(raw) < head+4 {
		return nil, nil, fail("truncated: %d bytes", len(raw))
	}
	if v := binary.LittleEndian.Uint32(raw[8:]); v != CheckpointVersion {
		return nil, nil, fail("format version %d, this build reads version %d", v, CheckpointVersion)
	}
	metaLen := int(binary.LittleEndian.Uint32(raw[12:]))
	if metaLen > maxMetaLen || head+metaLen+4 > len(raw) {
		return nil, nil, fail("truncated: metadata of %d bytes does not fit in %d bytes", metaLen, len(raw))
	}
	body := raw[:len(raw)-4]
	if want, got := binary.LittleEndian.Uint32(raw[len(raw)-4:]), crc32.ChecksumIEEE(body); want != got {
		return nil, nil, fail("corrupt or truncated: checksum %08x, want %08x", got, want)
	}
	var meta checkpointMeta
	dec := json.NewDecoder(bytes.NewReader(raw[head : head+metaLen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, nil, fail("metadata: %v", err)
	}
	data := body[head+metaLen:]
	total := 0
	for _, e := range meta.Tensors {
		size := 1
		for _, s := range e.Shape {
			if s < 0 || s > len(data) {
				return nil, nil, fail("tensor %s has a bad shape %v", e.Name, e.Shape)
			}
			size *= s
		}
		total += size
		if total > len(data)/4 {
			break
		}
	}
	if total*4 != len(data) {
		return nil, nil, fail("tensor data is %d bytes, the metadata describes %d", len(data), total*4)
	}
	ds := make([][]float32, len(meta.Tensors))
	off := 0
	for i, e := range meta.Tensors {
		size := 1
		for _, s := range e.Shape {
			size *= s
		}
		d := make([]float32, size)
		for j := range d {
			d[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
			off += 4
		}
		ds[i] = d
	}
	return &meta, ds, nil
}

// Load reads a checkpoint and returns the model it holds and the rest of
// its contents. Errors name the file: a missing, truncated or corrupt file,
// another format version, or tensors that do not fit the saved
// architecture.
func Load(path string) (*Model, *Checkpoint, error) {
	meta, ds, err := readCheckpoint(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := New(meta.Config, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	ck, err := m.restore(path, meta, ds)
	if err != nil {
		return nil, nil, err
	}
	return m, ck, nil
}

// LoadWeights reads a checkpoint of the same architecture into m in place
// (trainers and inference graphs of m keep working with the new values)
// and returns the rest of its contents. A checkpoint of another
// architecture is an error naming the file and both architectures.
func (m *Model) LoadWeights(path string) (*Checkpoint, error) {
	meta, ds, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if meta.Config.WithDefaults() != m.cfg {
		return nil, fmt.Errorf("checkpoint %s: architecture %v does not match the model's %v", path, meta.Config.WithDefaults(), m.cfg)
	}
	return m.restore(path, meta, ds)
}

// restore copies checked tensors into m.
func (m *Model) restore(path string, meta *checkpointMeta, ds [][]float32) (*Checkpoint, error) {
	es, dst := m.tensors()
	nSlots := 0
	if meta.Solver != nil {
		nSlots = len(meta.Tensors) - len(es)
	}
	if len(meta.Tensors) != len(es)+nSlots || nSlots < 0 {
		return nil, fmt.Errorf("checkpoint %s: %d tensors do not match the %d of architecture %v", path, len(meta.Tensors), len(es), m.cfg)
	}
	for i, e := range es {
		got := meta.Tensors[i]
		if got.Name != e.Name || !slices.Equal(got.Shape, e.Shape) {
			return nil, fmt.Errorf("checkpoint %s: tensor %d is %s %v, architecture %v wants %s %v", path, i, got.Name, got.Shape, m.cfg, e.Name, e.Shape)
		}
	}
	for i, d := range dst {
		copy(d, ds[i])
	}
	ck := &Checkpoint{
		CheckpointInfo: CheckpointInfo{Step: meta.Step, Epoch: meta.Epoch, Meta: meta.Meta},
		Config:         meta.Config,
	}
	if meta.Solver != nil {
		st := *meta.Solver
		st.Slots = ds[len(es):]
		ck.Solver = &st
	}
	return ck, nil
}

// errNoSolver is returned by ResumeSolver for a checkpoint without one.
var errNoSolver = errors.New("the checkpoint holds no solver state")

// ResumeSolver restores the checkpoint's solver state into s (a solver of
// the same kind built from the run's configuration).
func (c *Checkpoint) ResumeSolver(s Solver) error {
	if c.Solver == nil {
		return errNoSolver
	}
	return s.SetState(*c.Solver)
}
