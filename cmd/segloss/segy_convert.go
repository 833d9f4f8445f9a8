package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// convertOptions are the flags of segy convert.
type convertOptions struct {
	openOptions
	in, out   string
	outFormat int
	outEndian string
	quiet     bool
}

func newSegyConvertCmd() *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert between SEG-Y sample formats and byte orders, or to .npy",
		Long: `convert copies IN to OUT. When OUT ends in .npy, the survey is written as a
little-endian float32 array with axes (inline, crossline, sample), or
(inline, crossline, offset, sample) for pre-stack data, in the order of
the sorted inline and crossline numbers; missing traces are zeros.

Otherwise OUT is a SEG-Y rev 1 file with the textual header, the binary
header words and every trace header of IN and the samples re-encoded in
--out-format (default: IN's format, or IEEE float for Seismic Unix input)
and --out-endian (default big). Integer formats round and fail on values
that do not fit. Extended textual headers and rev 2 additional trace
headers are not copied. Output appears atomically.`,
		Example: `  segloss segy convert f3.sgy f3.npy
  segloss segy convert f3.sgy f3-ieee.sgy --out-format 5
  segloss segy convert f3-lsb.sgy f3-msb.sgy --out-endian big
  segloss segy convert small.su small.sgy --out-format 1`,
		Args: positional("IN", "OUT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.in, o.out = args[0], args[1]
			return runSegyConvert(o, cmd.ErrOrStderr())
		},
	}
	addOpenFlags(cmd, &o.openOptions)
	cmd.Flags().IntVar(&o.outFormat, "out-format", 0, "sample format code of the output SEG-Y (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16)")
	cmd.Flags().StringVar(&o.outEndian, "out-endian", "big", "byte order of the output SEG-Y: big or little")
	cmd.Flags().BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

func runSegyConvert(o convertOptions, stderr io.Writer) error {
	f, err := o.open(o.in)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(o.out), ".npy") {
		return convertToNpy(f, o, stderr)
	}
	end, err := segy.ParseEndian(o.outEndian)
	if err != nil {
		return fmt.Errorf("--out-endian: %w", err)
	}
	format := segy.Format(o.outFormat)
	if format == 0 {
		format = f.Format()
		if f.Container() == segy.ContainerSU {
			format = segy.FormatIEEE
		}
	}
	bin := f.BinaryHeader()
	wo := segy.WriterOptions{Samples: f.NumSamples(), Interval: f.Interval(), Format: format, Endian: end, Binary: &bin}
	if f.Container() == segy.ContainerSEGY {
		wo.Text, wo.TextEncoding = f.TextHeader(), f.TextEncoding()
	}
	w, err := segy.Create(o.out, wo)
	if err != nil {
		return err
	}
	bar := newBar(stderr, f.NumTraces(), "converting", o.quiet)
	ns := f.NumSamples()
	for first := 0; first < f.NumTraces(); first += chunkTraces {
		n := min(chunkTraces, f.NumTraces()-first)
		samples, err := f.ReadTraces(first, n)
		if err != nil {
			w.Abort()
			return err
		}
		for k := 0; k < n; k++ {
			h, err := f.TraceHeader(first + k)
			if err != nil {
				w.Abort()
				return err
			}
			if err := w.WriteTrace(h, samples[k*ns:(k+1)*ns]); err != nil {
				w.Abort()
				return err
			}
		}
		bar.Add(n)
	}
	bar.Finish()
	return w.Close()
}

// convertToNpy streams the survey inline by inline into a .npy file.
func convertToNpy(f *segy.File, o convertOptions, stderr io.Writer) error {
	g, err := f.Geometry()
	if err != nil {
		return err
	}
	ni, nx, no := g.Shape()
	shape := []int{ni, nx, f.NumSamples()}
	if no > 1 {
		shape = []int{ni, nx, no, f.NumSamples()}
	}
	w, err := dataset.CreateNPY(o.out, "<f4", shape)
	if err != nil {
		return err
	}
	defer w.Abort()
	bar := newBar(stderr, ni, "writing "+filepath.Base(o.out), o.quiet)
	defer bar.Finish()
	for _, il := range g.Inlines {
		v, err := f.ReadInline(il)
		if err != nil {
			return err
		}
		if err := w.WriteFloat32(v); err != nil {
			return err
		}
		bar.Add(1)
	}
	return w.Close()
}
