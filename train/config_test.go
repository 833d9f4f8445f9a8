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
  class_weights: [0.5, 1, 2, 1, 1, 0.25]
  segy_file: f3.sgy
  source: f3
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
		{"list of weights", c.Data.ClassWeights, "0.5,1,2,1,1,0.25"},
		{"SEG-Y of the f3 source", c.Data.SEGYFile, "f3.sgy"},
		{"sample offset found by default", c.Data.SampleOffset, -1},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	_, w, err := ParseClassWeights(c.Data.ClassWeights)
	if err != nil || !reflect.DeepEqual(w, []float64{0.5, 1, 2, 1, 1, 0.25}) {
		t.Fatalf("class weights %v %v", w, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown keys are named with the closest key", "optim:\n  lrr: 0.1\ntrian:\n  epochs: 2\n",
			[]string{"unknown key optim.lrr (did you mean optim.lr?)", "unknown key trian (did you mean train?)"}},
		{"a key in the wrong section", "segy_file: x.sgy\noptim:\n  epochs: 3\n",
			[]string{"unknown key segy_file (did you mean data.segy_file?)", "unknown key optim.epochs (did you mean train.epochs?)"}},
		{"a flag name as key", "loss:\n  abl:\n    max-ratio: 0.1\n", []string{"did you mean loss.abl.max_ratio?"}},
		{"nothing close", "optim:\n  lerning_rate: 0.1\n", []string{"unknown key optim.lerning_rate (every key"}},
		{"scalar where a section belongs", "loss: dtl\n", []string{"loss is a section (keys loss.name...), not a value"}},
		{"bad value", "loss:\n  name: focal\n", []string{`c.yaml: loss.name (flag --loss): unknown loss "focal"`}},
		{"wrong type", "train:\n  epochs: many\n", []string{`c.yaml: train.epochs (flag --epochs): "many" is not a whole number`}},
		{"fraction for a whole number", "train:\n  epochs: 2.5\n", []string{`"2.5" is not a whole number`}},
		{"several bad values at once", "optim:\n  name: rmsprop\n  lr: -1\n",
			[]string{`optim.name (flag --optimizer): "rmsprop"`, "optim.lr (flag --lr): -1: want a positive learning rate"}},
		{"abl max ratio above 1", "loss:\n  abl:\n    max_ratio: 1.5\n", []string{"loss.abl.max_ratio (flag --abl-max-ratio): 1.5: want a share of the pixels in (0, 1]"}},
		{"abl max ratio 0", "loss:\n  abl:\n    max_ratio: 0\n", []string{"(flag --abl-max-ratio): 0: want a share"}},
		{"negative dtl dilate", "loss:\n  dtl:\n    dilate: -2\n", []string{"loss.dtl.dilate (flag --dtl-dilate): -2: want a tolerance band >= 0 pixels"}},
		{"even bsl window", "loss:\n  bsl:\n    theta: 4\n", []string{"loss.bsl.theta (flag --bsl-theta): 4: want an odd window"}},
		{"dtl power 0", "loss:\n  dtl:\n    power: 0\n", []string{"loss.dtl.power (flag --dtl-power): 0: want a positive exponent"}},
		{"abl smoothing", "loss:\n  abl:\n    smoothing: -0.1\n", []string{"loss.abl.smoothing"}},
		{"ignore index is a class", "loss:\n  ignore_index: 2\n", []string{"2 is the class Lower North Sea"}},
		{"compat abl needs sum", "loss:\n  name: abl\n  mode: compat\n  reduction: mean\n", []string{"loss.reduction (flag --loss-reduction): loss active-boundary"}},
		{"class weights per class", "data:\n  class_weights: [1, 2]\n", []string{"2 weights for 6 classes"}},
		{"lr_min above lr", "optim:\n  lr: 0.001\n  lr_min: 0.01\n", []string{"optim.lr_min (flag --lr-min): 0.01 is above the initial learning rate 0.001 (--lr)"}},
		{"not a number", "optim:\n  lr: .nan\n", []string{"optim.lr (flag --lr): NaN: want a positive"}},
		{"segy file of the synthetic survey", "data:\n  segy_file: a.sgy\n", []string{"data.segy_file (flag --segy-file): a.sgy: only the f3 source"}},
		{"header bytes", "data:\n  iline_byte: 193\n", []string{"data.xline_byte (flag --xline-byte): 193 is also the inline byte"}},
		{"offset set and searched", "data:\n  sample_offset: 4\n  find_offset: true\n", []string{"data.find_offset"}},
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
	c.Data.ClassWeights = "1,2,3,4,5,6"
	c.Data.SampleOffset = 7
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

// TestConfigErrorSources: an invalid value is blamed on the flag, the
// environment variable or the file and key it came from.
func TestConfigErrorSources(t *testing.T) {
	file := writeTemp(t, "c.yaml", "loss:\n  name: focal\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want string
	}{
		{"flag", []string{"--loss", "foo"}, nil, "", `flag --loss: unknown loss "foo": want ce, dtl, boundary (bsl) or active-boundary (abl)`},
		{"environment", nil, map[string]string{"SEGLOSS_ABL_MAX_RATIO": "2"}, "", "SEGLOSS_ABL_MAX_RATIO=2 (flag --abl-max-ratio): 2: want a share"},
		{"environment copied into the flag", []string{"--dtl-dilate", "-1"}, map[string]string{"SEGLOSS_DTL_DILATE": "-1"}, "", "SEGLOSS_DTL_DILATE=-1 (flag --dtl-dilate): -1"},
		{"flag over a valid environment", []string{"--epochs", "0"}, map[string]string{"SEGLOSS_EPOCHS": "3"}, "", "flag --epochs: 0: want at least 1"},
		{"file", nil, nil, file, file + `: loss.name (flag --loss): unknown loss "focal"`},
		{"environment type", nil, map[string]string{"SEGLOSS_BATCH": "eight"}, "", `SEGLOSS_BATCH=eight (flag --batch): "eight" is not a whole number`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			AddConfigFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(tc.file, fs)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to start with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "built-in defaults") {
				t.Fatalf("error %q blames the defaults", err)
			}
		})
	}
}

// TestFlagHelpNamesKeys: every flag's help ends with its YAML key, and
// FlagForKey maps keys back to flags.
func TestFlagHelpNamesKeys(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	AddConfigFlags(fs)
	n := 0
	for _, o := range options {
		f := fs.Lookup(o.flag)
		if f == nil || !strings.HasSuffix(f.Usage, "["+o.key+"]") {
			t.Errorf("flag --%s: usage %q lacks [%s]", o.flag, f.Usage, o.key)
		}
		if got, ok := FlagForKey(o.key); !ok || got != o.flag {
			t.Errorf("FlagForKey(%s) = %q, %v", o.key, got, ok)
		}
		n++
	}
	if _, ok := FlagForKey("optim.lrr"); ok || n != len(options) {
		t.Fatal("FlagForKey accepts an unknown key")
	}
}

// TestDefaultConfigValid: the built-in defaults validate and match what
// LoadConfig resolves with nothing set.
func TestDefaultConfigValid(t *testing.T) {
	d := DefaultConfig()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig("", nil)
	if err != nil || c != d {
		t.Fatalf("LoadConfig defaults %+v (%v), DefaultConfig %+v", c, err, d)
	}
}
