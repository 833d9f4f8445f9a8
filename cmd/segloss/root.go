package main

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/segloss/segloss/internal/strdist"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// errSilent is returned by commands that already reported their failure.
var errSilent = errors.New("silent")

// subcommands holds the constructors of every subcommand. Each command file
// adds its own in an init function, so commands stay in one file each.
var subcommands []func() *cobra.Command

func register(f func() *cobra.Command) { subcommands = append(subcommands, f) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "segloss",
		Short: "Seismic facies segmentation with boundary-aware losses",
		Long: `segloss trains U-Nets for seismic facies segmentation with boundary-aware
losses (distance transform, boundary-F1, active boundary, cross-entropy),
reads and writes SEG-Y with its own parser, and scores models on the
F3 Netherlands benchmark of Alaudah et al. (2019).

Every flag can also be set by an environment variable SEGLOSS_<FLAG>, with
dashes written as underscores (SEGLOSS_ILINE_BYTE=9).`,
		Example: `  segloss train                          # train on the built-in synthetic survey
  segloss fetch-data --dest data         # download the F3 labels (Alaudah et al.)
  segloss train --config configs/f3.yaml --loss dtl
  segloss eval --checkpoint runs/<run>/best.ckpt --split both
  segloss segy info ../shared/testdata/segy/f3.sgy --stats`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd)
		},
	}
	root.SetFlagErrorFunc(flagError)
	root.Version = versionString()
	root.SetVersionTemplate("segloss {{.Version}}\n")
	root.AddCommand(newVersionCmd())
	for _, f := range subcommands {
		root.AddCommand(f())
	}
	return root
}

// bindEnv makes every flag of cmd settable by SEGLOSS_<FLAG> and returns a
// viper instance that reads flags first, then the environment.
func bindEnv(cmd *cobra.Command) *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("SEGLOSS")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	_ = v.BindPFlags(cmd.Flags())
	return v
}

// applyEnv copies SEGLOSS_* environment values into the flags of cmd that
// were not set on the command line, so plain flag variables see them.
func applyEnv(cmd *cobra.Command) error {
	v := bindEnv(cmd)
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || !v.IsSet(f.Name) {
			return
		}
		val := v.GetString(f.Name)
		if val == f.DefValue {
			return
		}
		if e := cmd.Flags().Set(f.Name, val); e != nil {
			err = fmt.Errorf("environment %s=%q (flag --%s): %s", envName(f.Name), val, f.Name, valueProblem(f))
		}
	})
	return err
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the segloss version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "segloss %s\n", versionString())
			return nil
		},
	}
}

// versionString is the release version, or for development builds the
// commit and Go version they were built from.
func versionString() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v == "dev" {
		rev, dirty := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if len(s.Value) >= 12 {
					rev = s.Value[:12]
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			v += "-" + rev
			if dirty {
				v += "+dirty"
			}
		}
	}
	return v + " (" + info.GoVersion + ")"
}

// unknownEnv returns a warning for each SEGLOSS_* variable in env that no
// command's flag (nor a documented variable) reads: a typo such as
// SEGLOSS_EPOCS would otherwise be ignored in silence.
func unknownEnv(env []string) []string {
	known := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[envName(f.Name)] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRootCmd())
	for _, k := range extraEnv {
		known[k] = true
	}
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SEGLOSS_") && !known[name] {
			msg := fmt.Sprintf("environment variable %s matches no flag of any command; ignored", name)
			if c := strdist.Closest(name, slices.Sorted(maps.Keys(known))); c != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", c)
			}
			out = append(out, msg)
		}
	}
	return out
}

// extraEnv lists SEGLOSS_* variables read by packages rather than flags.
var extraEnv = []string{"SEGLOSS_LOSS_VECTORS"}

// envName is the environment variable that sets the flag called name.
func envName(name string) string {
	return "SEGLOSS_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// badValue matches pflag's message for a value that does not parse.
var badValue = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag: `)

// flagError rewrites pflag's errors for people: a value that does not parse
// says what the flag wants instead of quoting strconv, and an unknown flag
// suggests the closest one the command has.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := badValue.FindStringSubmatch(msg); m != nil {
		if f := cmd.Flags().Lookup(m[2]); f != nil {
			return fmt.Errorf("flag --%s: %q is not %s (see %s --help)", f.Name, m[1], valueProblemNoun(f), cmd.CommandPath())
		}
	}
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if c := strdist.Closest(name, names); c != "" {
			return fmt.Errorf("unknown flag --%s (did you mean --%s?)", name, c)
		}
		return fmt.Errorf("unknown flag --%s (see %s --help)", name, cmd.CommandPath())
	}
	return err
}

// valueProblemNoun names the kind of value flag f takes.
func valueProblemNoun(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "duration":
		return "a duration such as 90s or 5m"
	default:
		return "a valid " + f.Value.Type()
	}
}

// valueProblem says what flag f wants, for a value that did not parse.
func valueProblem(f *pflag.Flag) string { return "want " + valueProblemNoun(f) }
