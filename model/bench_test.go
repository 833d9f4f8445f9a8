package model

import (
	"testing"
)

func TestConvFLOPs(t *testing.T) {
	// 16-32-64, 6 classes, 16 patches of 64x64, per layer 2·n·h·w·cin·cout·k²:
	// enc0 1→16, 16→16 at 64²; enc1 16→32, 32→32 at 32²; enc2 32→64, 64→64 at 16²;
	// dec1 96→32, 32→32 at 32²; dec0 48→16, 16→16 at 64²; head 16→6 1x1 at 64².
	cfg := Config{InChannels: 1, Classes: 6, Depth: 3, Base: 16}
	if got, want := ConvFLOPs(cfg, 16, 64, 64), 3655335936.0; got != want {
		t.Errorf("ConvFLOPs = %.0f, want %.0f", got, want)
	}
	// Learned upsampling adds a 3x3 conv 64→32 at 32² and 32→16 at 64², and
	// the decoders then see 32+32 and 16+16 channels.
	cfg.Upsample = UpsampleLearned
	n := 16.0
	want := 2 * n * (4096*(1*16*9+16*16*9) + 1024*(16*32*9+32*32*9) + 256*(32*64*9+64*64*9) +
		1024*(64*32*9+64*32*9+32*32*9) + 4096*(32*16*9+32*16*9+16*16*9) + 4096*16*6)
	if got := ConvFLOPs(cfg, 16, 64, 64); got != want {
		t.Errorf("learned upsampling: ConvFLOPs = %.0f, want %.0f", got, want)
	}
}

func TestParseWidths(t *testing.T) {
	cases := []struct {
		in          string
		depth, base int
		wantErr     bool
	}{
		{"16-32-64", 3, 16, false},
		{"8-16-32-64", 4, 8, false},
		{" 32 - 64 ", 2, 32, false},
		{"16", 0, 0, true},
		{"16-48", 0, 0, true},
		{"16-x", 0, 0, true},
		{"0-0", 0, 0, true},
	}
	for _, c := range cases {
		d, b, err := ParseWidths(c.in)
		if (err != nil) != c.wantErr || d != c.depth || b != c.base {
			t.Errorf("ParseWidths(%q) = %d, %d, %v; want %d, %d, error %v", c.in, d, b, err, c.depth, c.base, c.wantErr)
		}
	}
}

func TestPeakRSS(t *testing.T) {
	peak, cur, err := PeakRSS()
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	if cur <= 0 || peak < cur {
		t.Errorf("peak %d, current %d: want 0 < current <= peak", peak, cur)
	}
}

func TestBenchSmall(t *testing.T) {
	r, err := Bench(BenchOptions{Config: Config{Depth: 2, Base: 4}, Batch: 2, Size: 8, Steps: 2, Warmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "4-8" || r.Batch != 2 || r.Size != 8 || len(r.RSSBytes) != 2 {
		t.Errorf("result describes %q batch %d size %d with %d RSS samples", r.Model, r.Batch, r.Size, len(r.RSSBytes))
	}
	if r.StepSeconds <= 0 || r.MinStepSeconds > r.StepSeconds || r.InferSeconds <= 0 {
		t.Errorf("times: step %v (min %v), inference %v", r.StepSeconds, r.MinStepSeconds, r.InferSeconds)
	}
	// Getrusage counts in ticks, so a tiny step may read 0, but never more
	// than all cores for the whole step, nor less than nothing.
	if r.CPUStepSeconds < 0 || r.CPUStepSeconds > float64(r.Threads)*r.StepSeconds+0.02 {
		t.Errorf("CPU time per step %v for %v s of wall time on %d threads", r.CPUStepSeconds, r.StepSeconds, r.Threads)
	}
	if want := 2 / r.StepSeconds; r.PatchesPerSecond != want {
		t.Errorf("patches/s = %v, want %v", r.PatchesPerSecond, want)
	}
	if want := 3 * ConvFLOPs(Config{InChannels: 1, Classes: 6, Depth: 2, Base: 4}, 2, 8, 8) / 1e9 / r.StepSeconds; r.GFLOPS != want {
		t.Errorf("GFLOP/s = %v, want %v", r.GFLOPS, want)
	}
	if _, err := Bench(BenchOptions{Size: 30}); err == nil {
		t.Error("size 30 with a 3-level U-Net accepted")
	}
}

// BenchmarkTrainStepOps times one training step (forward, loss, backward,
// Adam) of the reference 16-32-64 U-Net on 16 patches of 64x64, with the
// fast ops and with the stock ones.
func BenchmarkTrainStepOps(b *testing.B) {
	for _, stock := range []bool{false, true} {
		name := "nnops"
		if stock {
			name = "stock"
		}
		b.Run(name, func(b *testing.B) {
			UseStockOps(stock)
			defer UseStockOps(false)
			o := BenchOptions{}.withDefaults()
			m, err := New(o.Config, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := randomInput(1, o.Batch*o.Size*o.Size)
			labels := make([]int, len(x))
			for i := range labels {
				labels[i] = i % o.Config.Classes
			}
			benchSteps(b, m, o.Batch, o.Size, x, labels)
		})
	}
}
