package train

import (
	"encoding/json"
	"fmt"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/model"
)

// CheckpointMeta is what a training checkpoint holds besides the model and
// the solver: the run's configuration, the input normalisation, the class
// names and the position of the run.
type CheckpointMeta struct {
	Config     Config             `json:"config"`
	Norm       dataset.Normalizer `json:"normalization"`
	ClassNames []string           `json:"class_names"`
	State      RunState           `json:"state"`
	// Amplitude describes the raw training seismic (nil in checkpoints of
	// older versions), for predict to recognise input of another scale.
	Amplitude *AmplitudeStats `json:"amplitude,omitempty"`
}

// Checkpoint is a loaded training checkpoint.
type Checkpoint struct {
	Model *model.Model
	// Solver is the saved solver state (nil when none was saved).
	Solver *model.SolverState
	Meta   CheckpointMeta
}

// SaveCheckpoint writes the model, the solver state (solver may be nil)
// and meta to path atomically.
func SaveCheckpoint(path string, m *model.Model, solver model.Solver, meta CheckpointMeta) error {
	raw, err := json.Marshal(metaJSON(meta))
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return m.Save(path, model.CheckpointInfo{Step: meta.State.Global, Epoch: meta.State.Epoch, Meta: raw}, solver)
}

// metaJSON replaces the non-finite numbers JSON cannot hold: the best score
// before any validation and the scores of epochs without validation.
func metaJSON(meta CheckpointMeta) CheckpointMeta {
	if !finite(meta.State.Best) {
		meta.State.Best = -1
	}
	h := make([]EpochRecord, len(meta.State.History))
	for i, r := range meta.State.History {
		h[i] = safeRecord(r)
	}
	meta.State.History = h
	return meta
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. A model
// checkpoint without training metadata is an error naming the file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	m, ck, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	if len(ck.Meta) == 0 {
		return nil, fmt.Errorf("checkpoint %s: no training metadata (not written by segloss train)", path)
	}
	// Keys added to Config since the checkpoint was written keep their
	// defaults (a sample offset of 0 is not "auto").
	meta := CheckpointMeta{Config: DefaultConfig()}
	if err := json.Unmarshal(ck.Meta, &meta); err != nil {
		return nil, fmt.Errorf("checkpoint %s: training metadata: %w", path, err)
	}
	if err := meta.Norm.Validate(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	for i := range meta.State.History {
		r := &meta.State.History[i]
		for _, p := range []*float64{&r.PA, &r.MCA, &r.FWIU, &r.MIoU, &r.BoundaryF1} {
			if *p == -1 {
				*p = nanValue
			}
		}
	}
	if meta.State.Best == -1 {
		meta.State.Best = negInf
	}
	return &Checkpoint{Model: m, Solver: ck.Solver, Meta: meta}, nil
}
