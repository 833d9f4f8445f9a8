package train

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/segloss/segloss/internal/fileutil"
)

// EpochRecord is one row of a run's history.csv and log.jsonl.
type EpochRecord struct {
	Epoch      int     `json:"epoch"`
	Step       int     `json:"step"`
	LR         float64 `json:"lr"`
	TrainLoss  float64 `json:"train_loss"`
	PA         float64 `json:"pa"`
	MCA        float64 `json:"mca"`
	FWIU       float64 `json:"fwiu"`
	MIoU       float64 `json:"miou"`
	BoundaryF1 float64 `json:"boundary_f1"`
	Seconds    float64 `json:"seconds"`
}

var historyHeader = []string{"epoch", "step", "lr", "train_loss", "pa", "mca", "fwiu", "miou", "boundary_f1", "seconds"}

func (r EpochRecord) row() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	return []string{strconv.Itoa(r.Epoch), strconv.Itoa(r.Step), f(r.LR), f(r.TrainLoss), f(r.PA), f(r.MCA),
		f(r.FWIU), f(r.MIoU), f(r.BoundaryF1), f(r.Seconds)}
}

// WriteHistory writes the records as CSV (history.csv) and JSON lines
// (log.jsonl) into dir, each atomically. Both files always hold the whole
// history, so a resumed run rewrites them with the earlier epochs kept.
func WriteHistory(dir string, recs []EpochRecord) error {
	err := fileutil.WriteFile(filepath.Join(dir, "history.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(historyHeader); err != nil {
			return err
		}
		for _, r := range recs {
			if err := cw.Write(r.row()); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return fileutil.WriteFile(filepath.Join(dir, "log.jsonl"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(safeRecord(r)); err != nil {
				return err
			}
		}
		return nil
	})
}

// safeRecord replaces non-finite scores (which JSON cannot hold) by -1.
func safeRecord(r EpochRecord) EpochRecord {
	for _, p := range []*float64{&r.TrainLoss, &r.PA, &r.MCA, &r.FWIU, &r.MIoU, &r.BoundaryF1} {
		if !finite(*p) {
			*p = -1
		}
	}
	return r
}

// ReadHistory reads the log.jsonl of a run folder.
func ReadHistory(dir string) ([]EpochRecord, error) {
	path := filepath.Join(dir, "log.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	var out []EpochRecord
	for {
		var r EpochRecord
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: record %d: %v", path, len(out)+1, err)
		}
		out = append(out, r)
	}
}

// RunMetrics is a run's metrics.json: the validation metrics of one
// checkpoint under the keys of `segloss eval --json`, plus the epoch they
// were measured after, the checkpoint file that holds that model and the
// class names of the per-class lists.
type RunMetrics struct {
	Metrics
	Epoch      int
	Checkpoint string
	ClassNames []string
}

// runMetricsExtra are the keys RunMetrics adds to those of Metrics.
type runMetricsExtra struct {
	Epoch      int      `json:"epoch"`
	Checkpoint string   `json:"checkpoint"`
	ClassNames []string `json:"class_names"`
}

// MarshalJSON writes epoch, checkpoint and class_names first, then the
// keys of Metrics.
func (r RunMetrics) MarshalJSON() ([]byte, error) {
	extra, err := json.Marshal(runMetricsExtra{r.Epoch, r.Checkpoint, r.ClassNames})
	if err != nil {
		return nil, err
	}
	m, err := json.Marshal(r.Metrics)
	if err != nil {
		return nil, err
	}
	out := append(extra[:len(extra)-1], ',')
	return append(out, m[1:]...), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *RunMetrics) UnmarshalJSON(data []byte) error {
	var extra runMetricsExtra
	if err := json.Unmarshal(data, &extra); err != nil {
		return err
	}
	if err := json.Unmarshal(data, &r.Metrics); err != nil {
		return err
	}
	r.Epoch, r.Checkpoint, r.ClassNames = extra.Epoch, extra.Checkpoint, extra.ClassNames
	return nil
}

// WriteMetricsJSON writes metrics to path atomically, indented.
func WriteMetricsJSON(path string, m any) error {
	return fileutil.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

var (
	nanValue = math.NaN()
	negInf   = math.Inf(-1)
)
