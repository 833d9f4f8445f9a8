package dataset

import (
	"fmt"
	"math/rand/v2"
)

// LoaderConfig configures a Loader.
type LoaderConfig struct {
	// Volume supplies seismic and labels (labels are required).
	Volume *Volume
	// Patches are the positions to serve (see PatchGrid).
	Patches []Patch
	// PatchSize is the square patch side; BatchSize the patches per batch.
	PatchSize, BatchSize int
	// Shuffle reorders the patches every epoch (seeded by Seed and epoch).
	Shuffle bool
	// Seed makes shuffling and augmentation reproducible.
	Seed uint64
	// Augment is applied to every patch (zero value: none).
	Augment Augment
	// Norm is applied before augmentation.
	Norm Normalizer
	// Prefetch is how many batches may wait ready (default 1): memory stays
	// bounded by (Prefetch+2) batches.
	Prefetch int
	// DropLast drops a final batch smaller than BatchSize.
	DropLast bool
}

// Batch is a batch of patches: X is B x 1 x H x W network input, Y is
// B x H x W labels (Ignore = 255 marks pixels to skip).
type Batch struct {
	X       []float32
	Y       []int32
	N, H, W int
	// Patches says where each item came from.
	Patches []Patch
}

// Loader serves batches of patches, preparing the next batch in the
// background while the caller trains on the current one.
type Loader struct {
	cfg LoaderConfig
}

// NewLoader checks cfg and returns a loader.
func NewLoader(cfg LoaderConfig) (*Loader, error) {
	v := cfg.Volume
	switch {
	case v == nil || v.Seismic == nil || v.Labels == nil:
		return nil, fmt.Errorf("loader: need a volume with seismic and labels")
	case cfg.PatchSize <= 0 || cfg.BatchSize <= 0:
		return nil, fmt.Errorf("loader: patch size %d and batch size %d must be > 0", cfg.PatchSize, cfg.BatchSize)
	case len(cfg.Patches) == 0:
		return nil, fmt.Errorf("loader: no patches")
	}
	if err := cfg.Augment.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Norm.Validate(); err != nil {
		return nil, err
	}
	for _, p := range cfg.Patches {
		if p.Index < 0 || p.Index >= v.NumSections(p.Dir) || p.Row < 0 || p.Col < 0 || p.Row >= v.NS || p.Col >= v.sectionWidth(p.Dir) {
			return nil, fmt.Errorf("loader: patch %+v outside volume %s", p, v.Name)
		}
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 1
	}
	return &Loader{cfg: cfg}, nil
}

// NumBatches returns the number of batches of one epoch.
func (l *Loader) NumBatches() int {
	n, b := len(l.cfg.Patches), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Batches iterates over the batches of one epoch.
type Batches struct {
	ch   chan *Batch
	stop chan struct{}
}

// Epoch starts producing the batches of epoch e in a background goroutine.
// The result is a function of (Seed, e) only. Call Close when done early.
func (l *Loader) Epoch(e int) *Batches {
	cfg := l.cfg
	order := make([]int, len(cfg.Patches))
	for i := range order {
		order[i] = i
	}
	if cfg.Shuffle {
		rand.New(rand.NewPCG(cfg.Seed, uint64(e)<<1|1)).Shuffle(len(order), func(i, j int) {
			order[i], order[j] = order[j], order[i]
		})
	}
	b := &Batches{ch: make(chan *Batch, cfg.Prefetch), stop: make(chan struct{})}
	go func() {
		defer close(b.ch)
		for k := 0; k < l.NumBatches(); k++ {
			idx := order[k*cfg.BatchSize : min((k+1)*cfg.BatchSize, len(order))]
			select {
			case b.ch <- l.build(e, k*cfg.BatchSize, idx):
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// build assembles one batch; pos is the epoch position of its first item,
// which seeds each item's augmentation independently of batch boundaries.
func (l *Loader) build(e, pos int, idx []int) *Batch {
	cfg := l.cfg
	s := cfg.PatchSize
	bt := &Batch{N: len(idx), H: s, W: s,
		X: make([]float32, len(idx)*s*s), Y: make([]int32, len(idx)*s*s),
		Patches: make([]Patch, len(idx))}
	for n, pi := range idx {
		p := cfg.Patches[pi]
		bt.Patches[n] = p
		x, y := bt.X[n*s*s:(n+1)*s*s], bt.Y[n*s*s:(n+1)*s*s]
		cfg.Volume.ExtractPatch(p, s, x, y)
		cfg.Norm.Apply(x)
		zeroPadding(x, p, s, cfg.Volume.NS, cfg.Volume.sectionWidth(p.Dir))
		if cfg.Augment != (Augment{}) {
			rng := rand.New(rand.NewPCG(cfg.Seed^0x9e3779b97f4a7c15, uint64(e)<<32|uint64(pos+n)))
			cfg.Augment.Apply(rng, x, y, s, s)
		}
	}
	return bt
}

// Next returns the next batch, or false at the end of the epoch.
func (b *Batches) Next() (*Batch, bool) {
	bt, ok := <-b.ch
	return bt, ok
}

// Close stops the producer; safe to call more than once and after the end.
func (b *Batches) Close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	for range b.ch {
	}
}

// zeroPadding resets the padding cells of a normalised patch to 0, so the
// network sees 0 outside the volume whatever the normalisation.
func zeroPadding(x []float32, p Patch, s, rows, cols int) {
	for r := 0; r < s; r++ {
		for c := 0; c < s; c++ {
			if p.Row+r >= rows || p.Col+c >= cols {
				x[r*s+c] = 0
			}
		}
	}
}
