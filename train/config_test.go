package train

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigLayers(t *testing.T) {
	file := writeTemp(t, "c.yaml", `
loss:
  name: dtl
  dtl:
    dilate: 2
optim:
  lr: 0.01
  schedule: step
train:
  epochs: 4
data:
  class_weights: [0.5, 1, 2]
`)
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	AddConfigFlags(fs)
	if err := fs.Parse([]string{"--epochs", "7", "--loss", "abl"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEGLOSS_LR", "0.02")
	t.Setenv("SEGLOSS_EPOCHS", "9") // the flag wins
	t.Setenv("SEGLOSS_BATCH", "3")
	c, err := LoadConfig(file, fs)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"flag over env and file", c.Train.Epochs, 7},
		{"flag over file", c.Loss.Name, "abl"},
		{"env over file", c.Optim.LR, 0.02},
		{"env over default", c.Train.Batch, 3},
		{"file over default", c.Loss.DTL.Dilate, 2},
		{"file", c.Optim.Schedule, "step"},
		{"default", c.Loss.DTL.Power, 0.5},
		{"list of weights", c.Data.ClassWeights, "0.5,1,2"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	_, w, err := ParseClassWeights(c.Data.ClassWeights)
	if err != nil || !reflect.DeepEqual(w, []float64{0.5, 1, 2}) {
		t.Fatalf("class weights %v %v", w, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown keys are named", "optim:\n  lrr: 0.1\ntrian:\n  epochs: 2\n", []string{"unknown keys optim.lrr, trian"}},
		{"scalar where a section belongs", "loss: dtl\n", []string{"unknown keys loss"}},
		{"bad value", "loss:\n  name: focal\n", []string{`"focal"`}},
		{"wrong type", "train:\n  epochs: many\n", []string{"epochs"}},
		{"several bad values at once", "optim:\n  name: rmsprop\n  lr: -1\n", []string{"optim.name", "optim.lr"}},
		{"bad YAML", "train: [\n", []string{"c.yaml"}},
		{"patch not a multiple of the pooling", "data:\n  patch: 60\nmodel:\n  depth: 4\n", []string{"multiple of 8"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeTemp(t, "c.yaml", tc.yaml), nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "absent.yaml"), nil); err == nil || !strings.Contains(err.Error(), "absent.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestConfigYAMLRoundTrip(t *testing.T) {
	c, err := LoadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Loss.Name = "boundary"
	c.Data.ClassWeights = "1,2,3"
	c.Loss.ABL.Detach = false
	var b bytes.Buffer
	if err := c.WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	back, err := LoadConfig(writeTemp(t, "config.yaml", b.String()), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", back, c)
	}
}

func TestShippedConfigsLoad(t *testing.T) {
	for _, name := range []string{"synthetic.yaml", "f3.yaml"} {
		c, err := LoadConfig(filepath.Join("..", "configs", name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "f3.yaml" && c.Data.Source != "f3" {
			t.Errorf("f3.yaml has source %q", c.Data.Source)
		}
	}
}

// FuzzLoadConfig feeds arbitrary YAML to LoadConfig: it must return a
// configuration that validates or an error, never panic.
func FuzzLoadConfig(f *testing.F) {
	for _, seed := range []string{"loss:\n  name: dtl\n", "data:\n  class_weights: [1, 2]\n", "train: [\n", "a: {b: c}\n", "optim: 3\n"} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(p, nil)
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("LoadConfig accepted an invalid config: %v", verr)
			}
		}
	})
}
