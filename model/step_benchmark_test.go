package model

import "testing"

// benchConfig is the reference configuration of issue 6: a 16-32-64 U-Net
// with 6 classes on batches of 16 patches of 1x64x64.
var benchConfig = Config{InChannels: 1, Classes: 6, Depth: 3, Base: 16}

const benchBatch, benchSize = 16, 64

// BenchmarkTrainStep times one training step (forward, pixel cross-entropy,
// backward, Adam) of the reference configuration.
func BenchmarkTrainStep(b *testing.B) {
	for _, bn := range []bool{false, true} {
		name := "plain"
		if bn {
			name = "batchnorm"
		}
		b.Run(name, func(b *testing.B) {
			cfg := benchConfig
			cfg.BatchNorm = bn
			m, err := New(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := randomInput(1, benchBatch*benchSize*benchSize)
			labels := stripeLabels(x, benchBatch, benchSize, benchSize, cfg.Classes)
			benchSteps(b, m, benchBatch, benchSize, x, labels)
		})
	}
}

// BenchmarkPredict times eval-mode inference of one batch of the
// reference configuration.
func BenchmarkPredict(b *testing.B) {
	m, err := New(benchConfig, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := randomInput(1, benchBatch*benchSize*benchSize)
	if _, err := m.Predict(x, benchBatch, benchSize, benchSize); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Predict(x, benchBatch, benchSize, benchSize); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchBatch*b.N)/b.Elapsed().Seconds(), "patches/s")
}

// benchSteps times Adam training steps of m on the batch x with the given
// labels (one untimed step first), reporting patches per second.
func benchSteps(b *testing.B, m *Model, batch, size int, x []float32, labels []int) {
	b.Helper()
	adam, err := NewAdam(AdamConfig{LearningRate: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := m.NewTrainer(batch, size, size, pixelCE(labels), adam)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Step(x); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tr.Step(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "patches/s")
}
