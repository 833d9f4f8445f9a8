package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runCLI runs the root command with args and returns what it printed.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestVersion(t *testing.T) {
	out, err := runCLI(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "segloss ") {
		t.Fatalf("version printed %q", out)
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	var got int
	probe := func() *cobra.Command {
		c := &cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }}
		c.Flags().IntVar(&got, "iline-byte", 189, "")
		return c
	}
	subcommands = append(subcommands, probe)
	defer func() { subcommands = subcommands[:len(subcommands)-1] }()

	t.Setenv("SEGLOSS_ILINE_BYTE", "9")
	if _, err := runCLI(t, "probe"); err != nil {
		t.Fatal(err)
	}
	if got != 9 {
		t.Fatalf("SEGLOSS_ILINE_BYTE=9 gave iline-byte %d", got)
	}
	if _, err := runCLI(t, "probe", "--iline-byte", "5"); err != nil {
		t.Fatal(err)
	}
	if got != 5 {
		t.Fatalf("flag should win over environment, got %d", got)
	}
	t.Setenv("SEGLOSS_ILINE_BYTE", "nine")
	if _, err := runCLI(t, "probe"); err == nil || !strings.Contains(err.Error(), "SEGLOSS_ILINE_BYTE") {
		t.Fatalf("bad environment value: want error naming the variable, got %v", err)
	}
}

func TestUnknownEnvWarns(t *testing.T) {
	env := []string{"SEGLOSS_EPOCHS=2", "SEGLOSS_EPOCS=1", "SEGLOSS_LOSS_VECTORS=/x", "HOME=/root", "SEGLOSS_ILINE_BYTE=9"}
	got := unknownEnv(env)
	if len(got) != 1 || !strings.Contains(got[0], "SEGLOSS_EPOCS") {
		t.Fatalf("unknownEnv(%v) = %q, want one warning naming SEGLOSS_EPOCS", env, got)
	}
}

func TestVersionFlag(t *testing.T) {
	out, err := runCLI(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "segloss dev") || !strings.Contains(out, "go1.") {
		t.Fatalf("--version printed %q", out)
	}
}

func TestFlagErrorsAreReadable(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"version", "--bogus"}, "unknown flag --bogus (see segloss version --help)"},
		{[]string{"segy", "info", "--iline-byt", "9", "x.sgy"}, "unknown flag --iline-byt (did you mean --iline-byte?)"},
		{[]string{"segy", "info", "--iline-byte", "nine", "x.sgy"}, `flag --iline-byte: "nine" is not a whole number`},
	} {
		_, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("segloss %s: error %v, want it to contain %q", strings.Join(c.args, " "), err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "strconv") {
			t.Errorf("segloss %s: error %q quotes strconv", strings.Join(c.args, " "), err)
		}
	}
}
