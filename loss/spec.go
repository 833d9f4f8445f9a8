package loss

import (
	"fmt"
	"math"
	"strings"
)

// Shape is the layout of a logits tensor: N images, C classes, H rows, W columns (NCHW, row-major).
type Shape struct{ N, C, H, W int }

// Len is the number of elements N*C*H*W.
func (s Shape) Len() int { return s.N * s.C * s.H * s.W }

// Pixels is the number of label entries N*H*W.
func (s Shape) Pixels() int { return s.N * s.H * s.W }

func (s Shape) check() error {
	if s.N < 1 || s.C < 1 || s.H < 1 || s.W < 1 {
		return fmt.Errorf("loss: shape %+v: every dimension must be at least 1", s)
	}
	return nil
}

// Mode selects between the fixed behaviour (Default) and a bit-faithful reproduction of segloss v0.0.1 (Compat).
type Mode int

const (
	// Default applies the fixes recommended by docs/LOSSES.md (see the package documentation).
	Default Mode = iota
	// Compat reproduces segloss v0.0.1, quirks included; where segloss crashes or yields NaN it returns an error.
	Compat
)

// String returns "default" or "compat".
func (m Mode) String() string {
	switch m {
	case Default:
		return "default"
	case Compat:
		return "compat"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode turns "default" (or "" / "fixed") and "compat" into a Mode.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "default", "fixed":
		return Default, nil
	case "compat", "segloss":
		return Compat, nil
	}
	return 0, fmt.Errorf("loss: unknown mode %q (valid: default, compat)", s)
}

// Canonical loss names returned by ParseName.
const (
	NameCE             = "ce"
	NameDTL            = "dtl"
	NameBoundary       = "boundary"
	NameActiveBoundary = "active-boundary"
)

var nameAliases = map[string]string{
	"ce": NameCE, "cross-entropy": NameCE, "crossentropy": NameCE, "crossentropyloss": NameCE,
	"dtl": NameDTL, "distance-transform": NameDTL, "distancetransformloss": NameDTL,
	"boundary": NameBoundary, "bsl": NameBoundary, "boundary-score": NameBoundary,
	"boundaryloss": NameBoundary, "boundaryscoreloss": NameBoundary,
	"active-boundary": NameActiveBoundary, "abl": NameActiveBoundary, "activeboundaryloss": NameActiveBoundary,
}

// ParseName returns the canonical name ("ce", "dtl", "boundary", "active-boundary") of a loss. It accepts the
// aliases "cross-entropy", "bsl", "boundary-score", "abl", "distance-transform" and the segloss class names
// (DistanceTransformLoss, BoundaryScoreLoss, BoundaryLoss, ActiveBoundaryLoss, CrossEntropyLoss), case-insensitively.
func ParseName(s string) (string, error) {
	if c, ok := nameAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return c, nil
	}
	return "", fmt.Errorf("loss: unknown loss %q (valid: ce, dtl, boundary (bsl, boundary-score), active-boundary (abl))", s)
}

// Spec describes one loss and its parameters. The zero value of every parameter selects the segloss default
// (listed per field); pointer fields exist where zero is a meaningful non-default value.
type Spec struct {
	// Name is the loss: "ce", "dtl", "boundary" ("bsl", "boundary-score"), "active-boundary" ("abl"); see ParseName.
	Name string
	// Mode is Default (fixed) or Compat (segloss v0.0.1).
	Mode Mode
	// IgnoreIndex is the label of pixels without ground truth. 0 selects the default 255; a negative value means
	// that no label is ignored. (Label 0 itself cannot be the ignore label.)
	IgnoreIndex int
	// Weights are optional per-class weights (len C) for the cross-entropy terms.
	Weights []float64
	// Reduction is "sum" or "mean" for the cross-entropy term ("" = the loss's own default: ce mean, dtl sum,
	// boundary mean, active-boundary sum). Compat also accepts "none" for dtl and boundary; Compute then returns the
	// sum of the per-entry values, which is the quantity whose gradient it writes.
	Reduction string

	// Dilate is DTL's tolerance band δ in city-block pixels (border_params[0]); nil = 5.
	Dilate *int
	// Power is DTL's exponent γ of the border term (border_params[1]); 0 = 0.5.
	Power float64
	// BorderWeight is DTL's factor β of the border term (border_params[2]); 0 = 1.
	BorderWeight float64

	// Theta0 is the boundary loss's odd window that extracts boundaries (border_params[0]); 0 = 3.
	Theta0 int
	// Theta is the boundary loss's odd window that extends boundaries (border_params[1]); 0 = 5.
	Theta int
	// Beta is the boundary loss's factor of the boundary term (border_params[2]); 0 = 0.5.
	Beta float64

	// Factor is ABL's factor λ of the boundary term (border_params[0]); 0 = 0.1.
	Factor float64
	// Detach stops the gradient through ABL's neighbour distributions (border_params[2]); nil = true.
	Detach *bool
	// Smoothing is ABL's label smoothing ε of the direction cross-entropy (border_params[3]); nil = 0.2.
	Smoothing *float64
	// MaxRatio is ABL's cap on predicted-boundary pixels as a fraction of H*W (border_params[4]); 0 = 0.01.
	MaxRatio float64
	// MaxClip is ABL's distance clip d_max for the pixel weights (border_params[5]); 0 = 20.
	MaxClip float64
}

// Int returns a pointer to v, for Spec.Dilate.
func Int(v int) *int { return &v }

// F64 returns a pointer to v, for Spec.Smoothing.
func F64(v float64) *float64 { return &v }

// Bool returns a pointer to v, for Spec.Detach.
func Bool(v bool) *bool { return &v }

// params is a validated Spec with defaults filled in.
type params struct {
	name   string
	mode   Mode
	ign    int32 // -1: none
	w      []float64
	red    string
	dilate int
	power  float64
	bw     float64
	theta0 int
	theta  int
	beta   float64
	factor float64
	detach bool
	smooth float64
	ratio  float64
	clip   float64
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate checks the spec for a logits tensor with c classes.
func (s Spec) Validate(c int) error {
	_, err := s.resolve(c)
	return err
}

func (s Spec) resolve(c int) (params, error) {
	var p params
	name, err := ParseName(s.Name)
	if err != nil {
		return p, err
	}
	p.name, p.mode = name, s.Mode
	if s.Mode != Default && s.Mode != Compat {
		return p, fmt.Errorf("loss %s: invalid mode %d", name, int(s.Mode))
	}
	if c < 1 {
		return p, fmt.Errorf("loss %s: %d classes; need at least 1", name, c)
	}
	switch {
	case s.IgnoreIndex == 0:
		p.ign = 255
	case s.IgnoreIndex < 0:
		p.ign = -1
	case s.IgnoreIndex > math.MaxInt32:
		return p, fmt.Errorf("loss %s: ignore index %d does not fit int32", name, s.IgnoreIndex)
	default:
		p.ign = int32(s.IgnoreIndex)
	}
	if s.Weights != nil {
		if len(s.Weights) != c {
			return p, fmt.Errorf("loss %s: %d class weights for %d classes", name, len(s.Weights), c)
		}
		for k, v := range s.Weights {
			if !finite(v) || v < 0 {
				return p, fmt.Errorf("loss %s: class weight %d is %v; need a finite value >= 0", name, k, v)
			}
		}
		p.w = s.Weights
	}
	def := map[string]string{NameCE: "mean", NameDTL: "sum", NameBoundary: "mean", NameActiveBoundary: "sum"}[name]
	p.red = strings.ToLower(s.Reduction)
	if p.red == "" {
		p.red = def
	}
	switch p.red {
	case "sum", "mean":
	case "none":
		if s.Mode != Compat || (name != NameDTL && name != NameBoundary) {
			return p, fmt.Errorf("loss %s: reduction \"none\" exists only in compat mode for dtl and boundary", name)
		}
	default:
		return p, fmt.Errorf("loss %s: unknown reduction %q (valid: sum, mean)", name, s.Reduction)
	}
	if name == NameActiveBoundary && s.Mode == Compat && p.red != "sum" {
		return p, fmt.Errorf("loss %s: segloss's ActiveBoundaryLoss has no reduction; compat mode needs \"sum\"", name)
	}
	p.dilate, p.power, p.bw = 5, 0.5, 1
	if s.Dilate != nil {
		p.dilate = *s.Dilate
	}
	if s.Power != 0 {
		p.power = s.Power
	}
	if s.BorderWeight != 0 {
		p.bw = s.BorderWeight
	}
	p.theta0, p.theta, p.beta = 3, 5, 0.5
	if s.Theta0 != 0 {
		p.theta0 = s.Theta0
	}
	if s.Theta != 0 {
		p.theta = s.Theta
	}
	if s.Beta != 0 {
		p.beta = s.Beta
	}
	p.factor, p.detach, p.smooth, p.ratio, p.clip = 0.1, true, 0.2, 0.01, 20
	if s.Factor != 0 {
		p.factor = s.Factor
	}
	if s.Detach != nil {
		p.detach = *s.Detach
	}
	if s.Smoothing != nil {
		p.smooth = *s.Smoothing
	}
	if s.MaxRatio != 0 {
		p.ratio = s.MaxRatio
	}
	if s.MaxClip != 0 {
		p.clip = s.MaxClip
	}
	switch name {
	case NameDTL:
		if p.dilate < 0 {
			return p, fmt.Errorf("loss dtl: Dilate %d must be >= 0", p.dilate)
		}
		if !finite(p.power) || p.power <= 0 {
			return p, fmt.Errorf("loss dtl: Power %v must be finite and > 0", p.power)
		}
		if !finite(p.bw) || p.bw < 0 {
			return p, fmt.Errorf("loss dtl: BorderWeight %v must be finite and >= 0", p.bw)
		}
	case NameBoundary:
		if p.theta0 < 1 || p.theta0%2 == 0 || p.theta < 1 || p.theta%2 == 0 {
			return p, fmt.Errorf("loss boundary: window sizes Theta0=%d and Theta=%d must be odd and >= 1 "+
				"(segloss raises RuntimeError \"size of tensor a must match\" for even ones)", p.theta0, p.theta)
		}
		if !finite(p.beta) || p.beta < 0 {
			return p, fmt.Errorf("loss boundary: Beta %v must be finite and >= 0", p.beta)
		}
	case NameActiveBoundary:
		if !finite(p.factor) || p.factor < 0 {
			return p, fmt.Errorf("loss active-boundary: Factor %v must be finite and >= 0", p.factor)
		}
		if !finite(p.smooth) || p.smooth < 0 || p.smooth > 1 {
			return p, fmt.Errorf("loss active-boundary: Smoothing %v must be in [0, 1]", p.smooth)
		}
		if !finite(p.ratio) || p.ratio <= 0 {
			return p, fmt.Errorf("loss active-boundary: MaxRatio %v must be finite and > 0", p.ratio)
		}
		if !finite(p.clip) || p.clip <= 0 {
			return p, fmt.Errorf("loss active-boundary: MaxClip %v must be finite and > 0", p.clip)
		}
	}
	return p, nil
}
