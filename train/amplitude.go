package train

import (
	"fmt"
	"math"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// AmplitudeStats summarise the amplitudes of a seismic volume from a
// sample of its traces: enough to tell data of another scale (int16
// counts against amplitudes in [-1, 1]) from the data a model was trained
// on.
type AmplitudeStats struct {
	// Mean and RMS are over every sample of the sampled traces.
	Mean float64 `json:"mean"`
	RMS  float64 `json:"rms"`
	// Traces is the number of traces sampled.
	Traces int `json:"traces"`
}

// amplitudeTraces is how many evenly spread traces the statistics read.
const amplitudeTraces = 256

// addTrace adds the samples of one trace to running sums.
func addTrace(tr []float32, sum, sum2 *float64, n *int) {
	for _, a := range tr {
		f := float64(a)
		*sum += f
		*sum2 += f * f
	}
	*n += len(tr)
}

func finishStats(sum, sum2 float64, n, traces int) AmplitudeStats {
	if n == 0 {
		return AmplitudeStats{}
	}
	return AmplitudeStats{Mean: sum / float64(n), RMS: math.Sqrt(sum2 / float64(n)), Traces: traces}
}

// VolumeAmplitude samples up to 256 evenly spread live traces of v.
func VolumeAmplitude(v *dataset.Volume) AmplitudeStats {
	var sum, sum2 float64
	var n, traces int
	total := v.NI * v.NX
	step := max(1, total/amplitudeTraces)
	for t := 0; t < total && v.Seismic != nil; t += step {
		if v.Missing != nil && v.Missing[t] {
			continue
		}
		addTrace(v.Seismic[t*v.NS:(t+1)*v.NS], &sum, &sum2, &n)
		traces++
	}
	return finishStats(sum, sum2, n, traces)
}

// fileAmplitude samples up to 256 evenly spread traces of a SEG-Y.
func fileAmplitude(f *segy.File) (AmplitudeStats, error) {
	var sum, sum2 float64
	var n, traces int
	buf := make([]float32, f.NumSamples())
	step := max(1, f.NumTraces()/amplitudeTraces)
	for t := 0; t < f.NumTraces(); t += step {
		if err := f.ReadTrace(t, buf); err != nil {
			return AmplitudeStats{}, err
		}
		addTrace(buf, &sum, &sum2, &n)
		traces++
	}
	return finishStats(sum, sum2, n, traces), nil
}

// trainingRMS is the RMS amplitude of a checkpoint's training data: as
// recorded, or estimated from its normalisation (for checkpoints that did
// not record it); false when neither tells.
func trainingRMS(meta CheckpointMeta) (float64, bool) {
	if a := meta.Amplitude; a != nil && a.RMS > 0 {
		return a.RMS, true
	}
	n := meta.Norm
	switch n.Method {
	case "meanstd":
		return math.Hypot(n.Mean, n.Std), n.Std > 0
	case "clip":
		// The clip limits are the 0.5 and 99.5 percentiles, about 2.58
		// standard deviations of Gaussian amplitudes.
		r := max(math.Abs(n.Low), math.Abs(n.High)) / 2.58
		return r, r > 0
	}
	return 0, false
}

// amplitudeMismatch is the factor beyond which the input's RMS amplitude
// differs too much from the training data's.
const amplitudeMismatch = 3

// amplitudeWarning compares the amplitudes of an input with those the
// checkpoint was trained on and returns a warning when they differ by more
// than a factor of 3 ("" when they agree or the checkpoint does not tell).
func amplitudeWarning(input string, in AmplitudeStats, meta CheckpointMeta) string {
	ref, ok := trainingRMS(meta)
	if !ok || in.Traces == 0 {
		return ""
	}
	r := in.RMS / ref
	if r <= amplitudeMismatch && r >= 1.0/amplitudeMismatch {
		return ""
	}
	how := fmt.Sprintf("%.3g times", r)
	if r < 1 {
		how = fmt.Sprintf("1/%.3g of", 1/r)
	}
	if in.RMS == 0 {
		how = "zero, unlike"
	}
	return fmt.Sprintf("warning: %s: the input's amplitudes (rms %.4g, mean %.4g over %d sampled traces) are %s those of the model's training data (rms %.4g); "+
		"normalised with the training statistics they lie far outside what the model learned and its facies will be meaningless: "+
		"rerun with --refit-norm to normalise the input with its own statistics", input, in.RMS, in.Mean, in.Traces, how, ref)
}
