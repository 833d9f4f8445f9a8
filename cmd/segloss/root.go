package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
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
  segloss eval --checkpoint runs/last/best.ckpt --split both
  segloss segy info ../shared/testdata/segy/f3.sgy --stats`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd)
		},
	}
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
			err = fmt.Errorf("environment SEGLOSS_%s=%q: %v", strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")), val, e)
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
			v := version
			if info, ok := debug.ReadBuildInfo(); ok && v == "dev" {
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" && len(s.Value) >= 12 {
						v = "dev-" + s.Value[:12]
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "segloss %s\n", v)
			return nil
		},
	}
}
