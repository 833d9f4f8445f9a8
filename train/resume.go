package train

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AbsPaths returns c with its data paths (data.dir, data.cache,
// data.segy_file) made absolute against the working folder, so that the
// configuration saved with a run still finds its data from another
// folder. Empty paths stay empty.
func (c Config) AbsPaths() (Config, error) {
	for _, p := range []struct {
		key string
		v   *string
	}{{"data.dir", &c.Data.Dir}, {"data.cache", &c.Data.Cache}, {"data.segy_file", &c.Data.SEGYFile}} {
		if *p.v == "" || filepath.IsAbs(*p.v) {
			continue
		}
		abs, err := filepath.Abs(*p.v)
		if err != nil {
			return c, fmt.Errorf("%s %s: %w", p.key, *p.v, err)
		}
		*p.v = abs
	}
	return c, nil
}

// resumeKeys sorts the configuration keys for a resumed run: those that
// may change without breaking the run's loss curve and history. Every
// other key must keep its saved value.
var (
	// quietKeys change nothing of the training: where the run lives and
	// how often it is validated.
	quietKeys = map[string]bool{"out": true, "eval.every": true}
	// pathKeys name where the same data lives; a moved copy is accepted
	// with a note.
	pathKeys = map[string]bool{"data.dir": true, "data.cache": true, "data.segy_file": true}
)

// configChange is one key whose value differs between a run's saved
// configuration and the one it is resumed with.
type configChange struct{ key, old, new string }

// String is "key (--flag): old → new".
func (c configChange) String() string {
	name := c.key
	if f, ok := FlagForKey(c.key); ok {
		name += " (--" + f + ")"
	}
	return fmt.Sprintf("%s: %s → %s", name, c.old, c.new)
}

// configChanges lists the keys whose values differ between saved and now,
// in the order of the flags.
func configChanges(saved, now Config) ([]configChange, error) {
	a, err := flatConfig(saved)
	if err != nil {
		return nil, err
	}
	b, err := flatConfig(now)
	if err != nil {
		return nil, err
	}
	var out []configChange
	for _, o := range options {
		if a[o.key] != b[o.key] {
			out = append(out, configChange{o.key, a[o.key], b[o.key]})
		}
	}
	return out, nil
}

// flatConfig maps every configuration key of c to its value as text.
func flatConfig(c Config) (map[string]string, error) {
	raw, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			s := fmt.Sprint(v)
			if str, ok := v.(string); ok {
				s = fmt.Sprintf("%q", str)
			}
			out[prefix+k] = s
		}
	}
	walk("", doc)
	return out, nil
}

// checkResume compares the configuration a run is resumed with to the
// one saved in its last checkpoint, which has done epochsDone epochs. It
// refuses changes that would mix two trainings in one history (the loss
// and its parameters, the data, the model, the solver, batches, patches,
// seeds, validation), naming each changed key with its old and new
// value, and refuses fewer epochs than are done. It returns notes on the
// accepted changes: more (or fewer) epochs and moved data paths.
func checkResume(dir string, saved, now Config, epochsDone int) (notes []string, err error) {
	changes, err := configChanges(saved, now)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	var refused []string
	for _, c := range changes {
		switch {
		case quietKeys[c.key]:
		case pathKeys[c.key]:
			notes = append(notes, fmt.Sprintf("note: %s (the same data is expected there)", c))
		case c.key == "train.epochs":
			if now.Train.Epochs < epochsDone {
				refused = append(refused, fmt.Sprintf("%s (the run has trained %d epochs already)", c, epochsDone))
				continue
			}
			note := fmt.Sprintf("note: %s: training on to epoch %d", c, now.Train.Epochs)
			if now.Optim.Schedule == "cosine" {
				note += fmt.Sprintf("; the cosine learning-rate schedule is re-planned over the %d epochs "+
					"(from the current step on, the rate follows the new, longer or shorter, curve)", now.Train.Epochs)
			}
			notes = append(notes, note)
		default:
			refused = append(refused, c.String())
		}
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("resume: %s was trained with another configuration; these keys cannot change "+
			"within a run (its history would mix two trainings): %s; drop these flags to resume, or start a new "+
			"run with another --out", dir, strings.Join(refused, "; "))
	}
	return notes, nil
}
