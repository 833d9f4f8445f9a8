package loss

// Maps holds the intermediates of one evaluation, for plotting and for the reference tests. Per-pixel maps are
// flat and row-major: N*H*W (per image) or N*C*H*W (per image and class).
type Maps struct {
	// Loss is the canonical loss name and Mode the mode it ran in.
	Loss string
	Mode Mode
	// Shape is the shape the maps refer to (for active-boundary: the label grid, after any resize).
	Shape Shape
	// CE is the cross-entropy ("target") term as reduced; CEMap its per-pixel values (compat reduction "none").
	CE    float64
	CEMap []float64
	// Border is the boundary term before its factor: DTL's B before the power, the boundary loss's mean
	// (1 - BF1), ABL's product (compat) or mean (default) of direction losses and weights.
	Border float64
	// DTL, BSL and ABL hold the per-loss maps (only the one of the loss evaluated is set).
	DTL *DTLMaps
	BSL *BSLMaps
	ABL *ABLMaps
}

// DTLMaps are the intermediates of the distance-transform loss.
type DTLMaps struct {
	// PredArgmax is the predicted class per pixel (N*H*W).
	PredArgmax []int32
	// Classes are the classes looped over (labels present in the batch, minus the ignore index), ascending.
	Classes []int32
	// PredContour, GTContour and Distance are per class (index as Classes), each N*H*W: the contour of the
	// predicted and of the true class mask, and the banded distance max(min(cap, d) - Dilate, 0) to the true one.
	PredContour, GTContour [][]bool
	Distance               [][]float64
	// PenaltyShape is the shape of the penalty tensor: [N,N,H,W] in compat mode (the cross-batch broadcast),
	// [N,1,H,W] in default mode.
	PenaltyShape [4]int
	// NonZero is the number of non-zero penalty entries; Entries lists them (row-major) for reduction "none".
	NonZero int
	Entries []float64
}

// BSLMaps are the intermediates of the boundary (boundary-F1) loss.
type BSLMaps struct {
	// LabelsUsed are the labels after compat's ignore-to-0 rewrite (a copy; the caller's labels are untouched).
	LabelsUsed []int32
	// GTBoundary and PredBoundary are Bg and Bp (N*C*H*W); GTExtended and PredExtended their window maxima.
	GTBoundary, PredBoundary, GTExtended, PredExtended []float64
	// Precision, Recall and BF1 are per image and class (N*C).
	Precision, Recall, BF1 []float64
}

// ABLMaps are the intermediates of the active-boundary loss.
type ABLMaps struct {
	// KL is the predicted-boundary score per pixel (N*H*W).
	KL []float64
	// MaxN is the pixel cap H*W*MaxRatio; Thresholds the final KL thresholds (one for the whole batch in compat
	// mode, one per image in default mode).
	MaxN       float64
	Thresholds []float64
	// PredBoundary is the dilated predicted boundary (N*H*W), PredBoundaryCount its number of pixels.
	PredBoundary      []bool
	PredBoundaryCount int
	// GTBoundary is the true boundary (N*H*W) and Distance the clipped-before-weighting distance map D.
	GTBoundary []bool
	Distance   []float64
	// Pixels are the predicted-boundary pixels as (n, i, j) in row-major order; DirectionAll their target
	// direction (0..7, or 8 = dropped).
	Pixels       [][3]int
	DirectionAll []int
	// Kept indexes Pixels for the pixels with a direction; DirectionKept, DirectionLogits, DistanceKept (D at
	// the pixel) and Weights (min(D, MaxClip)/MaxClip) are theirs.
	Kept            []int
	DirectionKept   []int
	DirectionLogits [][8]float64
	DistanceKept    []float64
	Weights         []float64
	// DirectionCESum is the sum of the direction cross-entropies and WeightSum the sum of the weights.
	DirectionCESum, WeightSum float64
}
