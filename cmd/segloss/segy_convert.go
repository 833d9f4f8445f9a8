package main

import (
	"fmt"
	"io"
	"math"
	"os"
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
	force     bool
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
and --out-endian (default big). Extended textual headers and rev 2 additional
trace headers are not copied. Output appears atomically; OUT must not be
IN (by name or through a link).

Integer formats (2, 3, 7, 8, 9, 10, 11, 12, 15, 16) store the values as
they are, without scaling. Converting float samples (formats 1, 5, 6) to
one is checked first: values that do not fit the integer type are an
error, and values that are not whole numbers (amplitudes scaled to
[-1, 1], say) are refused unless --force rounds them; the message says
how much of the signal rounding keeps. Keep float data in format 5 or 1.`,
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
	cmd.Flags().BoolVar(&o.force, "force", false, "round float samples that are not whole numbers to an integer --out-format")
	return cmd
}

func runSegyConvert(o convertOptions, stderr io.Writer) error {
	if same, err := sameFile(o.in, o.out); err != nil {
		return err
	} else if same {
		return fmt.Errorf("segy convert: OUT %s is the input file %s: give another output name", o.out, o.in)
	}
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
	if format.Integer() && !f.Format().Integer() {
		if err := checkIntegerFit(f, o, format, stderr); err != nil {
			return err
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

// sameFile reports whether a and b name the same file: the same cleaned
// absolute path, or (both existing) the same file through links.
func sameFile(a, b string) (bool, error) {
	absA, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	absB, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if absA == absB {
		return true, nil
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb), nil
}

// integerRange is the smallest and largest value of an integer format.
func integerRange(f segy.Format) (lo, hi float64) {
	bits := 8 * f.Size()
	switch f {
	case segy.FormatUint8, segy.FormatUint16, segy.FormatUint24, segy.FormatUint32, segy.FormatUint64:
		return 0, math.Exp2(float64(bits)) - 1
	}
	return -math.Exp2(float64(bits - 1)), math.Exp2(float64(bits-1)) - 1
}

// checkIntegerFit reads every float sample of f and refuses the conversion
// to the integer format when a value does not fit, or when values are not
// whole numbers and o.force is not set (with --force it warns).
func checkIntegerFit(f *segy.File, o convertOptions, format segy.Format, stderr io.Writer) error {
	lo, hi := integerRange(format)
	var n, frac, outside int64
	var sumSq, sumSqRound float64
	bar := newBar(stderr, f.NumTraces(), "checking", o.quiet)
	for first := 0; first < f.NumTraces(); first += chunkTraces {
		k := min(chunkTraces, f.NumTraces()-first)
		samples, err := f.ReadTraces(first, k)
		if err != nil {
			return err
		}
		for _, v := range samples {
			x := float64(v)
			r := math.Round(x)
			n++
			sumSq += x * x
			sumSqRound += r * r
			if r != x {
				frac++
			}
			if !(r >= lo && r <= hi) {
				outside++
			}
		}
		bar.Add(k)
	}
	bar.Finish()
	name := fmt.Sprintf("format %d (%s)", int(format), format)
	if outside > 0 {
		return fmt.Errorf("%s: %d of %s lie outside %g..%g and cannot be stored in %s, which keeps values as they are (no scaling); use --out-format 5 (IEEE float)",
			o.in, outside, plural(int(n), "sample"), lo, hi, name)
	}
	if frac == 0 {
		return nil
	}
	rms := func(s float64) float64 { return math.Sqrt(s / float64(n)) }
	msg := fmt.Sprintf("%s: %d of %s are not whole numbers; %s keeps values as they are (no scaling), so they are rounded: rms %.3g becomes %.3g",
		o.in, frac, plural(int(n), "sample"), name, rms(sumSq), rms(sumSqRound))
	if !o.force {
		return fmt.Errorf("%s; use --out-format 5 (IEEE float) to keep them, or --force to round", msg)
	}
	fmt.Fprintf(stderr, "warning: %s (--force)\n", msg)
	return nil
}
