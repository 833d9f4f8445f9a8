package strdist

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"epochs", "epochs", 0},
		{"epocs", "epochs", 1},
		{"epcohs", "epochs", 1}, // a swap of neighbours is one edit
		{"lr", "loss", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"trian", "train", 1},
		{"max-ratio", "max_ratio", 1},
		{"ab", "ba", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"epochs", "batch", "loss", "loss-mode", "lr"}
	for _, c := range []struct{ s, want string }{
		{"epocs", "epochs"},
		{"bach", "batch"},
		{"los", "loss"},
		{"loss-mod", "loss-mode"},
		{"lx", ""},        // one edit, but a third of a two-letter name is less
		{"optimizer", ""}, // nothing close
	} {
		if got := Closest(c.s, cands); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}
