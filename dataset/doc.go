// Package dataset turns F3 (or synthetic) seismic and facies labels into
// training batches: volumes with survey coordinates, .npy reading and
// writing, the Alaudah layout and SEG-Y pairing, leakage-free validation
// splits, patch and section sampling with edge coverage, seeded
// augmentation, normalisation fitted on training data, class weights, a
// prefetching batch iterator, the synthetic F3-like survey and the
// downloader behind `segloss fetch-data`.
//
// Axes are (inline, crossline, sample) everywhere; sections are presented
// as rows = samples (depth) x columns = the horizontal axis. Labels are
// 0..5 in F3 order (ClassNames) and Ignore (255) marks pixels to skip.
//
// A training run:
//
//	dir, err := dataset.EnsureSynthetic("", dataset.DefaultSynthSize, 1, nil) // cached
//	s, err := dataset.LoadSurvey(dataset.SurveyConfig{DataDir: dir})
//	tr, val, err := dataset.SplitValidation(s.Train(), dataset.CrosslineDir, 0.1)
//	norm, err := dataset.FitNormalizer(tr, "meanstd")       // store norm in the checkpoint
//	weights, err := dataset.ClassWeights(dataset.ClassCounts(tr), "median")
//	patches, err := dataset.PatchGrid(tr, 64, 32)           // inline + crossline patches
//	ld, err := dataset.NewLoader(dataset.LoaderConfig{Volume: tr, Patches: patches,
//		PatchSize: 64, BatchSize: 8, Shuffle: true, Seed: 1,
//		Augment: dataset.DefaultAugment(), Norm: norm})
//	for epoch := 0; epoch < n; epoch++ {
//		it := ld.Epoch(epoch)
//		for b, ok := it.Next(); ok; b, ok = it.Next() {
//			// b.X: B x 1 x H x W float32, b.Y: B x H x W int32 (255 = ignore)
//		}
//	}
//	for _, sec := range val.Sections(dataset.InlineDir) { // validation / test
//		p := sec.Pad(rows, cols)                          // 0 / Ignore padding
//		norm.Apply(p.Seismic)
//	}
//
// For F3 after `segloss fetch-data --dest data`, use
// SurveyConfig{DataDir: "data"}; with the original SEG-Y add SEGYFile (the
// vertical offset is then found by cross-correlation and reported in
// Survey.Alignment).
package dataset
