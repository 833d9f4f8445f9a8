package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/segloss/segloss/segy"
)

func init() { register(newSegyCmd) }

func newSegyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "segy",
		Short: "Inspect and convert SEG-Y and Seismic Unix files",
		Long: `segy reads SEG-Y (rev 0, 1, 2; any byte order; sample formats 1, 2, 3, 5-12,
15, 16) and Seismic Unix files with segloss's own parser, prints their
headers, geometry and statistics, and converts them between formats, byte
orders and .npy.

Byte positions are 1-based as in the SEG-Y standard. Inline and crossline
are read from trace header bytes 189 and 193 unless --iline-byte and
--xline-byte say otherwise (Seismic Unix files: 5 and 21).`,
		Example: `  segloss segy info f3.sgy --stats
  segloss segy info survey.sgy --iline-byte 9 --xline-byte 21 --json
  segloss segy text f3.sgy
  segloss segy headers f3.sgy --traces 0-9 --fields inline,crossline,cdp_x,cdp_y
  segloss segy cat f3.sgy --trace 0
  segloss segy convert f3.sgy f3.npy`,
	}
	cmd.AddCommand(newSegyInfoCmd(), newSegyTextCmd(), newSegyHeadersCmd(), newSegyCatCmd(), newSegyConvertCmd())
	return cmd
}

// openOptions are the flags every segy subcommand shares.
type openOptions struct {
	ilineByte, xlineByte, offsetByte int
	endian, sampleEndian             string
	format, samples                  int
	su                               bool
}

func addOpenFlags(cmd *cobra.Command, o *openOptions) {
	fl := cmd.Flags()
	fl.IntVar(&o.ilineByte, "iline-byte", 0, "trace header byte of the inline number (default 189, SU 5)")
	fl.IntVar(&o.xlineByte, "xline-byte", 0, "trace header byte of the crossline number (default 193, SU 21)")
	fl.IntVar(&o.offsetByte, "offset-byte", 0, "trace header byte of the offset (default 37)")
	fl.StringVar(&o.endian, "endian", "auto", "byte order of the file: auto, big or little")
	fl.StringVar(&o.sampleEndian, "sample-endian", "auto", "byte order of the samples when it differs from the headers")
	fl.IntVar(&o.format, "format", 0, "override the sample format code of the binary header")
	fl.IntVar(&o.samples, "samples", 0, "override the samples per trace (checked against the file size)")
	fl.BoolVar(&o.su, "su", false, "read as Seismic Unix (no 3600-byte file header); .su names are detected")
}

// open opens path strictly: a file whose traces do not fill it exactly is
// an error.
func (o openOptions) open(path string) (*segy.File, error) { return o.openWith(path, false) }

// openLenient opens path for the header commands: a SEG-Y file cut short
// after its file headers opens with the whole traces it has, and a warning
// on stderr says where it is cut.
func (o openOptions) openLenient(path string, stderr io.Writer) (*segy.File, error) {
	f, err := o.openWith(path, true)
	if err != nil {
		return nil, err
	}
	switch {
	case f.Truncated() > 0:
		fmt.Fprintf(stderr, "warning: %s: the file is cut short: %s of %d bytes from byte %d, then %s of trace %d, which are ignored; other commands refuse it\n",
			path, plural(f.NumTraces(), "whole trace"), f.TraceStride(), f.DataOffset(), plural(int(f.Truncated()), "byte"), f.NumTraces())
	case f.NumTraces() == 0:
		fmt.Fprintf(stderr, "warning: %s: the file has no traces: it ends after its headers at byte %d\n", path, f.DataOffset())
	}
	return f, nil
}

func (o openOptions) openWith(path string, allowTruncated bool) (*segy.File, error) {
	end, err := segy.ParseEndian(o.endian)
	if err != nil {
		return nil, err
	}
	send, err := segy.ParseEndian(o.sampleEndian)
	if err != nil {
		return nil, fmt.Errorf("--sample-endian: %w", err)
	}
	opts := segy.Options{IlineByte: o.ilineByte, XlineByte: o.xlineByte, OffsetByte: o.offsetByte,
		Endian: end, SampleEndian: send, Format: segy.Format(o.format), Samples: o.samples, AllowTruncated: allowTruncated}
	if o.su {
		opts.Container = segy.ContainerSU
	}
	f, err := segy.Open(path, opts)
	var fe *segy.FormatError
	if errors.As(err, &fe) && fe.Hint == segy.HintSU {
		fe.Hint = "for a Seismic Unix file add --su, or give it a .su name"
	}
	return f, err
}

// positional checks a command's arguments against their names, saying
// which are missing or extra with the command's usage line (cobra's own
// checks say only "accepts 2 arg(s), received 1").
func positional(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			missing := names[len(args):]
			list := strings.Join(missing, ", ")
			if len(missing) > 1 {
				list = strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
			}
			return fmt.Errorf("missing %s\nusage: %s (see %s --help)", list, cmd.UseLine(), cmd.CommandPath())
		case len(args) > len(names):
			return fmt.Errorf("too many arguments: %q after %s\nusage: %s (see %s --help)",
				args[len(names):], strings.Join(names, " "), cmd.UseLine(), cmd.CommandPath())
		}
		return nil
	}
}

// newBar returns a progress bar on w, or a silent one when quiet.
func newBar(w io.Writer, total int, desc string, quiet bool) *progressbar.ProgressBar {
	if quiet {
		return progressbar.DefaultSilent(int64(total), desc)
	}
	return progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(100e6), progressbar.OptionClearOnFinish())
}

// chunkTraces is how many traces the commands handle per step.
const chunkTraces = 4096

// infoOptions are the flags of segy info.
type infoOptions struct {
	openOptions
	path  string
	json  bool
	stats bool
	quiet bool
}

func newSegyInfoCmd() *cobra.Command {
	var o infoOptions
	cmd := &cobra.Command{
		Use:   "info FILE",
		Short: "Print format, byte order, sizes, geometry and (with --stats) sample statistics",
		Long: `info prints what segloss makes of a file: container, sample format, byte
order, revision, samples per trace, interval, delay, trace count, and the
geometry found from the inline/crossline/offset header words: ranges and
steps, sorting, offsets and the number of missing traces (holes in the
inline x crossline grid). --stats adds min, max, mean, rms, sum, sum of
squares and the counts of NaN and Inf over all samples.

With --json one object is printed with the keys format, endian, revision,
samples, interval_us, traces, sorting, inlines, crosslines, offsets,
missing (and stats).`,
		Example: `  segloss segy info f3.sgy
  segloss segy info f3.sgy --stats --json
  segloss segy info shots.sgy --iline-byte 9 --xline-byte 13`,
		Args: positional("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runSegyInfo(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addOpenFlags(cmd, &o.openOptions)
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&o.stats, "stats", false, "read every sample and print statistics")
	cmd.Flags().BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// segyInfo is what info prints.
type segyInfo struct {
	File          string     `json:"file"`
	Container     string     `json:"container"`
	Format        int        `json:"format"`
	FormatName    string     `json:"format_name"`
	Endian        string     `json:"endian"`
	SampleEndian  string     `json:"sample_endian"`
	Revision      int        `json:"revision"`
	RevisionMinor int        `json:"revision_minor"`
	TextEncoding  string     `json:"text_encoding,omitempty"`
	ExtText       int        `json:"extended_text_headers"`
	Samples       int        `json:"samples"`
	IntervalUs    int        `json:"interval_us"`
	DelayMs       float64    `json:"delay_ms"`
	Traces        int        `json:"traces"`
	TraceBytes    int64      `json:"trace_bytes"`
	IlineByte     int        `json:"iline_byte"`
	XlineByte     int        `json:"xline_byte"`
	OffsetByte    int        `json:"offset_byte"`
	Sorting       string     `json:"sorting"`
	GeometryError string     `json:"geometry_error,omitempty"`
	Inlines       []int      `json:"inlines"`
	Crosslines    []int      `json:"crosslines"`
	Offsets       []int      `json:"offsets"`
	InlineStep    int        `json:"inline_step"`
	CrosslineStep int        `json:"crossline_step"`
	Missing       int        `json:"missing"`
	Warnings      []string   `json:"warnings"`
	Stats         *statsJSON `json:"stats,omitempty"`
}

type statsJSON struct {
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
	RMS   float64 `json:"rms"`
	Sum   float64 `json:"sum"`
	SumSq float64 `json:"sum_sq"`
	NaN   int64   `json:"nan"`
	Inf   int64   `json:"inf"`
	Count int64   `json:"count"`
}

func runSegyInfo(o infoOptions, stdout, stderr io.Writer) error {
	f, err := o.open(o.path)
	if err != nil {
		return err
	}
	defer f.Close()
	major, minor := f.Revision()
	opts := f.Options()
	info := segyInfo{
		File: o.path, Container: f.Container().String(), Format: int(f.Format()), FormatName: f.Format().String(),
		Endian: f.ByteOrder().String(), SampleEndian: f.SampleByteOrder().String(), Revision: major, RevisionMinor: minor,
		ExtText: len(f.ExtendedTextHeaders()), Samples: f.NumSamples(), IntervalUs: f.Interval(), DelayMs: f.Delay(),
		Traces: f.NumTraces(), TraceBytes: f.TraceStride(), IlineByte: opts.IlineByte, XlineByte: opts.XlineByte,
		OffsetByte: opts.OffsetByte, Sorting: segy.Unstructured.String(), Warnings: f.Warnings(),
		Inlines: []int{}, Crosslines: []int{}, Offsets: []int{},
	}
	if f.Container() == segy.ContainerSEGY {
		info.TextEncoding = f.TextEncoding().String()
	}
	if info.Warnings == nil {
		info.Warnings = []string{}
	}
	if g, err := f.Geometry(); err != nil {
		info.GeometryError = err.Error()
	} else {
		info.Sorting, info.Inlines, info.Crosslines, info.Offsets = g.Sorting.String(), g.Inlines, g.Crosslines, g.Offsets
		info.InlineStep, info.CrosslineStep, info.Missing = segy.Step(g.Inlines), segy.Step(g.Crosslines), len(g.Missing)
	}
	if o.stats {
		bar := newBar(stderr, f.NumTraces(), "reading samples", o.quiet || o.json)
		var st segy.Stats
		for first := 0; first < f.NumTraces(); first += chunkTraces {
			n := min(chunkTraces, f.NumTraces()-first)
			s, err := f.StatsOf(first, n)
			if err != nil {
				return err
			}
			st = st.Merge(s)
			bar.Add(n)
		}
		bar.Finish()
		info.Stats = &statsJSON{Min: st.Min, Max: st.Max, Mean: st.Mean, RMS: st.RMS, Sum: st.Sum, SumSq: st.SumSq, NaN: st.NaN, Inf: st.Inf, Count: st.Count}
	}
	if o.json {
		if info.Stats != nil && (math.IsNaN(info.Stats.Min) || math.IsNaN(info.Stats.Max)) {
			info.Stats.Min, info.Stats.Max = 0, 0 // JSON has no NaN; count is 0 then
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	return printInfo(stdout, info)
}

// span describes a sorted list of line numbers: first-last (step), count.
func spanOf(v []int) string {
	if len(v) == 0 {
		return "-"
	}
	return fmt.Sprintf("%d-%d step %d (%d)", v[0], v[len(v)-1], segy.Step(v), len(v))
}

func printInfo(w io.Writer, in segyInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(k, f string, a ...any) { fmt.Fprintf(tw, "%s\t"+f+"\n", append([]any{k}, a...)...) }
	p("file", "%s", in.File)
	p("container", "%s", in.Container)
	p("format", "%d (%s)", in.Format, in.FormatName)
	p("byte order", "%s (samples %s)", in.Endian, in.SampleEndian)
	if in.Container == "SEG-Y" {
		p("revision", "%d.%d", in.Revision, in.RevisionMinor)
		p("text header", "%s, %d extended", in.TextEncoding, in.ExtText)
	}
	p("samples", "%d", in.Samples)
	p("interval", "%d µs", in.IntervalUs)
	p("delay", "%g ms", in.DelayMs)
	p("traces", "%d of %d bytes", in.Traces, in.TraceBytes)
	p("keys", "inline %d, crossline %d, offset %d", in.IlineByte, in.XlineByte, in.OffsetByte)
	p("sorting", "%s", in.Sorting)
	if in.GeometryError != "" {
		p("geometry", "%s", in.GeometryError)
	} else {
		p("inlines", "%s", spanOf(in.Inlines))
		p("crosslines", "%s", spanOf(in.Crosslines))
		p("offsets", "%s", spanOf(in.Offsets))
		p("missing", "%d of %s", in.Missing, plural(len(in.Inlines)*len(in.Crosslines)*len(in.Offsets), "trace"))
	}
	for _, warn := range in.Warnings {
		p("warning", "%s", warn)
	}
	if s := in.Stats; s != nil {
		p("min / max", "%g / %g", s.Min, s.Max)
		p("mean / rms", "%g / %g", s.Mean, s.RMS)
		p("sum / sum_sq", "%.17g / %.17g", s.Sum, s.SumSq)
		p("NaN / Inf", "%d / %d", s.NaN, s.Inf)
	}
	return tw.Flush()
}

// textOptions are the flags of segy text.
type textOptions struct {
	openOptions
	path string
}

func newSegyTextCmd() *cobra.Command {
	var o textOptions
	cmd := &cobra.Command{
		Use:   "text FILE",
		Short: "Print the textual header (and any extended textual headers)",
		Long: `text prints the 3200-byte textual header as 40 lines of 80 characters,
decoded from EBCDIC or ASCII (detected), followed by every extended
textual header. Unprintable bytes (NUL included) print as spaces.

A SEG-Y file cut short after its file headers (an interrupted copy) is
still shown, with a warning on stderr saying where it ends; so is one cut
inside its binary header (3200 to 3599 bytes), whose textual header is
complete.`,
		Example: `  segloss segy text f3.sgy
  segloss segy text stanzas.sgy | grep -i endtext`,
		Args: positional("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runSegyText(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addOpenFlags(cmd, &o.openOptions)
	return cmd
}

func runSegyText(o textOptions, w, stderr io.Writer) error {
	f, err := o.openLenient(o.path, stderr)
	if err != nil {
		if text, ok := textOnly(o, stderr); ok {
			fmt.Fprintln(w, text)
			return nil
		}
		return err
	}
	defer f.Close()
	if f.Container() != segy.ContainerSEGY {
		return fmt.Errorf("%s: Seismic Unix files have no textual header", o.path)
	}
	fmt.Fprintln(w, f.TextHeader())
	for i, t := range f.ExtendedTextHeaders() {
		fmt.Fprintf(w, "--- extended textual header %d ---\n%s\n", i+1, t)
	}
	return nil
}

// textOnly decodes the textual header of a SEG-Y file cut inside its
// binary header (3200 to 3599 bytes), warning on stderr; ok is false for
// other files.
func textOnly(o textOptions, stderr io.Writer) (string, bool) {
	if o.su {
		return "", false
	}
	fh, err := os.Open(o.path)
	if err != nil {
		return "", false
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || st.Size() < segy.TextHeaderSize || st.Size() >= segy.TextHeaderSize+400 {
		return "", false
	}
	b := make([]byte, segy.TextHeaderSize)
	if _, err := io.ReadFull(fh, b); err != nil {
		return "", false
	}
	fmt.Fprintf(stderr, "warning: %s: the file is cut short: %s, so its textual header is complete but its binary header (bytes 3201-3600) is not; other commands refuse it\n",
		o.path, plural(int(st.Size()), "byte"))
	return segy.DecodeText(b, segy.DetectTextEncoding(b)), true
}

// headersOptions are the flags of segy headers.
type headersOptions struct {
	openOptions
	path   string
	traces string
	fields string
	csv    bool
	binary bool
}

// defaultHeaderFields are printed when --fields is not given.
const defaultHeaderFields = "trace_seq_file,field_record,cdp,offset,inline,crossline,cdp_x,cdp_y,coord_scalar,delay_time,ns,dt"

func newSegyHeadersCmd() *cobra.Command {
	var o headersOptions
	cmd := &cobra.Command{
		Use:   "headers FILE",
		Short: "Print trace header words (or the binary header) as a table or CSV",
		Long: `headers prints trace header words, one row per trace. --fields takes names
(see "all"), byte positions of standard words (189) or any position with a
width, BYTE:WIDTH (221:4), all read as signed integers in the file's byte
order. --traces takes a range list: 5, 0-9, 0-99:10 (every 10th), or
several joined by commas. --binary prints the binary header instead.

A SEG-Y file cut short (an interrupted copy) shows the headers of its
whole traces, with a warning on stderr saying where it ends and which
trace is cut off.`,
		Example: `  segloss segy headers f3.sgy --traces 0-4
  segloss segy headers f3.sgy --traces 0-413:23 --fields inline,crossline --csv
  segloss segy headers odd.sgy --fields 221:4,21 --traces 0-9
  segloss segy headers f3.sgy --fields all --traces 0
  segloss segy headers f3.sgy --binary`,
		Args: positional("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			return runSegyHeaders(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addOpenFlags(cmd, &o.openOptions)
	cmd.Flags().StringVar(&o.traces, "traces", "", "traces to print: 5, 0-9, 0-99:10, comma-joined (default all)")
	cmd.Flags().StringVar(&o.fields, "fields", defaultHeaderFields, "header words: names, byte positions, BYTE:WIDTH, or all")
	cmd.Flags().BoolVar(&o.csv, "csv", false, "print CSV")
	cmd.Flags().BoolVar(&o.binary, "binary", false, "print the binary file header")
	return cmd
}

// parseRanges reads "5,0-9,0-99:10" into trace indices below n.
func parseRanges(s string, n int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		step := 1
		if r, st, ok := strings.Cut(part, ":"); ok {
			v, err := strconv.Atoi(st)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("trace range %q: step must be a positive integer", part)
			}
			part, step = r, v
		}
		lo, hi := part, part
		if a, b, ok := strings.Cut(part, "-"); ok {
			lo, hi = a, b
		}
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("trace range %q: want N, A-B or A-B:STEP with 0 <= A <= B", part)
		}
		if b >= n {
			if n == 0 {
				return nil, fmt.Errorf("trace range %q: the file has no whole traces", part)
			}
			return nil, fmt.Errorf("trace range %q: the file has traces 0-%d", part, n-1)
		}
		for i := a; i <= b; i += step {
			out = append(out, i)
		}
	}
	return out, nil
}

// headerColumn is one column of the headers table.
type headerColumn struct {
	name     string
	pos, w   int
	unsigned bool
}

func parseColumns(s string) ([]headerColumn, error) {
	if strings.TrimSpace(s) == "all" {
		var cols []headerColumn
		for _, f := range segy.TraceFields {
			cols = append(cols, headerColumn{f.Name, f.Byte, f.Width, f.Unsigned})
		}
		return cols, nil
	}
	var cols []headerColumn
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if p, w, ok := strings.Cut(name, ":"); ok {
			pos, err1 := strconv.Atoi(p)
			width, err2 := strconv.Atoi(w)
			if err1 != nil || err2 != nil || (width != 1 && width != 2 && width != 4 && width != 8) || pos < 1 || pos+width-1 > segy.TraceHeaderSize {
				return nil, fmt.Errorf("field %q: want BYTE:WIDTH with width 1, 2, 4 or 8 inside bytes 1-240", name)
			}
			cols = append(cols, headerColumn{name, pos, width, false})
			continue
		}
		f, err := segy.LookupField(segy.TraceFields, name)
		if err != nil {
			return nil, err
		}
		cols = append(cols, headerColumn{f.Name, f.Byte, f.Width, f.Unsigned})
	}
	return cols, nil
}

func runSegyHeaders(o headersOptions, w, stderr io.Writer) error {
	f, err := o.openLenient(o.path, stderr)
	if err != nil {
		return err
	}
	defer f.Close()
	var rows [][]string
	var head []string
	if o.binary {
		if f.Container() != segy.ContainerSEGY {
			return fmt.Errorf("%s: Seismic Unix files have no binary header", o.path)
		}
		head = []string{"field", "byte", "value"}
		bh := f.BinaryHeader()
		for _, fl := range segy.BinaryFields {
			v, _ := bh.Get(fl.Name)
			rows = append(rows, []string{fl.Name, strconv.Itoa(fl.Byte), strconv.FormatInt(v, 10)})
		}
	} else {
		cols, err := parseColumns(o.fields)
		if err != nil {
			return err
		}
		traces, err := parseRanges(o.traces, f.NumTraces())
		if err != nil {
			return fmt.Errorf("%s: %w", o.path, err)
		}
		head = []string{"trace"}
		for _, c := range cols {
			head = append(head, c.name)
		}
		// All traces: one parallel scan; a selection: single reads.
		var scanned [][]int
		if strings.TrimSpace(o.traces) == "" {
			fields := make([]segy.Field, len(cols))
			for i, c := range cols {
				fields[i] = segy.Field{Name: c.name, Byte: c.pos, Width: c.w, Unsigned: c.unsigned}
			}
			if scanned, err = f.ScanKeys(fields); err != nil {
				return err
			}
		}
		for _, tr := range traces {
			row := []string{strconv.Itoa(tr)}
			for i, c := range cols {
				var v int64
				if scanned != nil {
					v = int64(scanned[i][tr])
				} else if v, err = f.HeaderWord(tr, c.pos, c.w, c.unsigned); err != nil {
					return err
				}
				row = append(row, strconv.FormatInt(v, 10))
			}
			rows = append(rows, row)
		}
	}
	if o.csv {
		cw := csv.NewWriter(w)
		cw.Write(head)
		cw.WriteAll(rows)
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	return tw.Flush()
}

// catOptions are the flags of segy cat.
type catOptions struct {
	openOptions
	path              string
	trace             int
	inline, crossline int
}

func newSegyCatCmd() *cobra.Command {
	var o catOptions
	cmd := &cobra.Command{
		Use:   "cat FILE --trace N",
		Short: "Print the samples of one trace, one per line",
		Long: `cat prints the samples of one trace, one per line, as the shortest decimal
that reads back to the same float32 (8-byte formats print as float64).
Pick the trace by index (--trace, from 0) or by --inline and --crossline.`,
		Example: `  segloss segy cat f3.sgy --trace 0
  segloss segy cat f3.sgy --inline 120 --crossline 880 | head`,
		Args: positional("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			if !cmd.Flags().Changed("trace") && !(cmd.Flags().Changed("inline") && cmd.Flags().Changed("crossline")) {
				return fmt.Errorf("give --trace N, or --inline and --crossline")
			}
			if !cmd.Flags().Changed("trace") {
				o.trace = -1
			}
			return runSegyCat(o, cmd.OutOrStdout())
		},
	}
	addOpenFlags(cmd, &o.openOptions)
	cmd.Flags().IntVar(&o.trace, "trace", 0, "trace index, from 0")
	cmd.Flags().IntVar(&o.inline, "inline", 0, "inline number (with --crossline)")
	cmd.Flags().IntVar(&o.crossline, "crossline", 0, "crossline number (with --inline)")
	return cmd
}

// runSegyCat prints one trace; o.trace < 0 selects it by inline/crossline.
func runSegyCat(o catOptions, w io.Writer) error {
	f, err := o.open(o.path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := o.trace
	if tr < 0 {
		g, err := f.Geometry()
		if err != nil {
			return err
		}
		t, ok := g.Trace(o.inline, o.crossline)
		if !ok {
			return fmt.Errorf("%s: no trace at inline %d, crossline %d", o.path, o.inline, o.crossline)
		}
		tr = t
	}
	var sb strings.Builder
	if f.Format().Size() == 8 {
		v := make([]float64, f.NumSamples())
		if err := f.ReadTrace64(tr, v); err != nil {
			return err
		}
		for _, x := range v {
			sb.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			sb.WriteByte('\n')
		}
	} else {
		v := make([]float32, f.NumSamples())
		if err := f.ReadTrace(tr, v); err != nil {
			return err
		}
		for _, x := range v {
			sb.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
			sb.WriteByte('\n')
		}
	}
	_, err = io.WriteString(w, sb.String())
	return err
}
