package segy

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Field describes one header word: its name, 1-based byte position
// (within the 240-byte trace header, or within the file for the binary
// header, 3201-3600), width in bytes and signedness.
type Field struct {
	Name     string
	Byte     int
	Width    int
	Unsigned bool
}

// TraceHeaderSize is the size of a trace header in bytes.
const TraceHeaderSize = 240

// TraceFields lists every standard trace header word of SEG-Y rev 1 and 2
// in byte order. Bytes 233-240 (rev 2 header name) are left to Raw.
var TraceFields = []Field{
	{"trace_seq_line", 1, 4, false}, {"trace_seq_file", 5, 4, false},
	{"field_record", 9, 4, false}, {"trace_number", 13, 4, false},
	{"energy_source_point", 17, 4, false}, {"cdp", 21, 4, false},
	{"cdp_trace", 25, 4, false}, {"trace_id", 29, 2, false},
	{"summed_traces", 31, 2, false}, {"stacked_traces", 33, 2, false},
	{"data_use", 35, 2, false}, {"offset", 37, 4, false},
	{"receiver_elevation", 41, 4, false}, {"source_elevation", 45, 4, false},
	{"source_depth", 49, 4, false}, {"receiver_datum", 53, 4, false},
	{"source_datum", 57, 4, false}, {"source_water_depth", 61, 4, false},
	{"group_water_depth", 65, 4, false}, {"elevation_scalar", 69, 2, false},
	{"coord_scalar", 71, 2, false}, {"source_x", 73, 4, false},
	{"source_y", 77, 4, false}, {"group_x", 81, 4, false},
	{"group_y", 85, 4, false}, {"coord_units", 89, 2, false},
	{"weathering_velocity", 91, 2, false}, {"subweathering_velocity", 93, 2, false},
	{"source_uphole_time", 95, 2, false}, {"group_uphole_time", 97, 2, false},
	{"source_static", 99, 2, false}, {"group_static", 101, 2, false},
	{"total_static", 103, 2, false}, {"lag_a", 105, 2, false},
	{"lag_b", 107, 2, false}, {"delay_time", 109, 2, false},
	{"mute_start", 111, 2, false}, {"mute_end", 113, 2, false},
	{"ns", 115, 2, true}, {"dt", 117, 2, false},
	{"gain_type", 119, 2, false}, {"gain_constant", 121, 2, false},
	{"initial_gain", 123, 2, false}, {"correlated", 125, 2, false},
	{"sweep_freq_start", 127, 2, false}, {"sweep_freq_end", 129, 2, false},
	{"sweep_length", 131, 2, false}, {"sweep_type", 133, 2, false},
	{"sweep_taper_start", 135, 2, false}, {"sweep_taper_end", 137, 2, false},
	{"taper_type", 139, 2, false}, {"alias_freq", 141, 2, false},
	{"alias_slope", 143, 2, false}, {"notch_freq", 145, 2, false},
	{"notch_slope", 147, 2, false}, {"low_cut_freq", 149, 2, false},
	{"high_cut_freq", 151, 2, false}, {"low_cut_slope", 153, 2, false},
	{"high_cut_slope", 155, 2, false}, {"year", 157, 2, false},
	{"day", 159, 2, false}, {"hour", 161, 2, false},
	{"minute", 163, 2, false}, {"second", 165, 2, false},
	{"time_basis", 167, 2, false}, {"weighting_factor", 169, 2, false},
	{"group_roll1", 171, 2, false}, {"group_first", 173, 2, false},
	{"group_last", 175, 2, false}, {"gap_size", 177, 2, false},
	{"overtravel", 179, 2, false}, {"cdp_x", 181, 4, false},
	{"cdp_y", 185, 4, false}, {"inline", 189, 4, false},
	{"crossline", 193, 4, false}, {"shot_point", 197, 4, false},
	{"shot_point_scalar", 201, 2, false}, {"measurement_unit", 203, 2, false},
	{"transduction_mantissa", 205, 4, false}, {"transduction_power", 209, 2, false},
	{"transduction_unit", 211, 2, false}, {"device_id", 213, 2, false},
	{"time_scalar", 215, 2, false}, {"source_type", 217, 2, false},
	{"source_direction_mantissa", 219, 4, false}, {"source_direction_power", 223, 2, false},
	{"source_measurement_mantissa", 225, 4, false}, {"source_measurement_power", 229, 2, false},
	{"source_measurement_unit", 231, 2, false},
}

// BinaryFields lists the binary header words of SEG-Y rev 2.1 with their
// file byte positions (3201-3600). The revision bytes 3501 and 3502 are
// single bytes and are never byte-swapped.
var BinaryFields = []Field{
	{"job_id", 3201, 4, false}, {"line_number", 3205, 4, false},
	{"reel_number", 3209, 4, false}, {"traces_per_ensemble", 3213, 2, false},
	{"aux_traces_per_ensemble", 3215, 2, false}, {"interval", 3217, 2, false},
	{"interval_orig", 3219, 2, false}, {"samples", 3221, 2, true},
	{"samples_orig", 3223, 2, true}, {"format", 3225, 2, false},
	{"ensemble_fold", 3227, 2, false}, {"sorting_code", 3229, 2, false},
	{"vertical_sum", 3231, 2, false}, {"sweep_freq_start", 3233, 2, false},
	{"sweep_freq_end", 3235, 2, false}, {"sweep_length", 3237, 2, false},
	{"sweep_type", 3239, 2, false}, {"sweep_channel", 3241, 2, false},
	{"sweep_taper_start", 3243, 2, false}, {"sweep_taper_end", 3245, 2, false},
	{"taper_type", 3247, 2, false}, {"correlated", 3249, 2, false},
	{"gain_recovery", 3251, 2, false}, {"amplitude_recovery", 3253, 2, false},
	{"measurement_system", 3255, 2, false}, {"impulse_polarity", 3257, 2, false},
	{"vibratory_polarity", 3259, 2, false}, {"ext_traces_per_ensemble", 3261, 4, false},
	{"ext_aux_traces", 3265, 4, false}, {"ext_samples", 3269, 4, false},
	{"ext_interval_bits", 3273, 8, true}, {"ext_interval_orig_bits", 3281, 8, true},
	{"ext_samples_orig", 3289, 4, false}, {"ext_ensemble_fold", 3293, 4, false},
	{"byte_order_const", 3297, 4, true}, {"revision_major", 3501, 1, true},
	{"revision_minor", 3502, 1, true}, {"fixed_length", 3503, 2, false},
	{"ext_text_headers", 3505, 2, false}, {"extra_trace_headers", 3507, 2, true},
	{"survey_type", 3509, 2, false}, {"time_basis", 3511, 2, false},
	{"num_traces", 3513, 8, true}, {"first_trace_offset", 3521, 8, true},
	{"trailer_stanzas", 3529, 4, false},
}

// LookupField finds a field by name (case-insensitive) in fields, or by
// its byte position written as a number.
func LookupField(fields []Field, name string) (Field, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, f := range fields {
		if f.Name == n || fmt.Sprint(f.Byte) == n {
			return f, nil
		}
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	sort.Strings(names)
	return Field{}, fmt.Errorf("unknown header field %q (known: %s)", name, strings.Join(names, ", "))
}

// getWord reads a width-byte word (1, 2, 3, 4 or 8) at 0-based offset off.
func getWord(b []byte, off, width int, unsigned bool, bo binary.ByteOrder) int64 {
	switch width {
	case 1:
		if unsigned {
			return int64(b[off])
		}
		return int64(int8(b[off]))
	case 2:
		v := bo.Uint16(b[off:])
		if unsigned {
			return int64(v)
		}
		return int64(int16(v))
	case 3:
		big := bo == binary.ByteOrder(binary.BigEndian)
		if unsigned {
			return int64(uint24(b[off:], big))
		}
		return int64(int24(b[off:], big))
	case 4:
		v := bo.Uint32(b[off:])
		if unsigned {
			return int64(v)
		}
		return int64(int32(v))
	case 8:
		return int64(bo.Uint64(b[off:]))
	}
	return 0
}

// putWord writes v as a width-byte word at 0-based offset off.
func putWord(b []byte, off, width int, v int64, bo binary.ByteOrder) {
	switch width {
	case 1:
		b[off] = byte(v)
	case 2:
		bo.PutUint16(b[off:], uint16(v))
	case 3:
		u := uint32(v)
		if bo == binary.ByteOrder(binary.BigEndian) {
			b[off], b[off+1], b[off+2] = byte(u>>16), byte(u>>8), byte(u)
		} else {
			b[off], b[off+1], b[off+2] = byte(u), byte(u>>8), byte(u>>16)
		}
	case 4:
		bo.PutUint32(b[off:], uint32(v))
	case 8:
		bo.PutUint64(b[off:], uint64(v))
	}
}

// fitsWord reports whether v fits a width-byte word of the given signedness.
func fitsWord(v int64, width int, unsigned bool) bool {
	if width >= 8 {
		return true
	}
	bits := uint(8 * width)
	if unsigned {
		return v >= 0 && v < 1<<bits
	}
	return v >= -(1<<(bits-1)) && v < 1<<(bits-1)
}

// swapFields reverses the bytes of every multi-byte field of table in b,
// whose byte 1 is at base (1 for trace headers, 3201 for the binary header).
func swapFields(b []byte, table []Field, base int) {
	for _, f := range table {
		if f.Width < 2 {
			continue
		}
		w := b[f.Byte-base : f.Byte-base+f.Width]
		for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
			w[i], w[j] = w[j], w[i]
		}
	}
}

// TraceHeader is one 240-byte trace header. The named fields hold the
// standard words most programs need; Raw holds all 240 bytes with every
// standard word in big-endian order (swapped on reading a little-endian
// file), and Get/Set reach any word of TraceFields. When a header is
// written, the named fields are written over Raw, so they win.
type TraceHeader struct {
	TraceSeqLine      int // 1-4
	TraceSeqFile      int // 5-8
	FieldRecord       int // 9-12
	TraceNumber       int // 13-16
	EnergySourcePoint int // 17-20
	CDP               int // 21-24
	CDPTrace          int // 25-28
	TraceID           int // 29-30
	Offset            int // 37-40, source-receiver offset
	ElevationScalar   int // 69-70
	CoordScalar       int // 71-72: >0 multiply, <0 divide coordinates
	SourceX           int // 73-76
	SourceY           int // 77-80
	GroupX            int // 81-84
	GroupY            int // 85-88
	CoordUnits        int // 89-90
	DelayTime         int // 109-110, ms before TimeScalar
	NumSamples        int // 115-116 (unsigned); often wrong, the binary header wins
	Interval          int // 117-118, µs
	Year              int // 157-158
	Day               int // 159-160
	Hour              int // 161-162
	Minute            int // 163-164
	Second            int // 165-166
	CDPX              int // 181-184
	CDPY              int // 185-188
	Inline            int // 189-192
	Crossline         int // 193-196
	ShotPoint         int // 197-200
	ShotPointScalar   int // 201-202
	TimeScalar        int // 215-216: >0 multiply, <0 divide DelayTime
	Raw               [TraceHeaderSize]byte
}

// field returns the named field stored at byte position pos, or nil.
func (h *TraceHeader) field(pos int) *int {
	switch pos {
	case 1:
		return &h.TraceSeqLine
	case 5:
		return &h.TraceSeqFile
	case 9:
		return &h.FieldRecord
	case 13:
		return &h.TraceNumber
	case 17:
		return &h.EnergySourcePoint
	case 21:
		return &h.CDP
	case 25:
		return &h.CDPTrace
	case 29:
		return &h.TraceID
	case 37:
		return &h.Offset
	case 69:
		return &h.ElevationScalar
	case 71:
		return &h.CoordScalar
	case 73:
		return &h.SourceX
	case 77:
		return &h.SourceY
	case 81:
		return &h.GroupX
	case 85:
		return &h.GroupY
	case 89:
		return &h.CoordUnits
	case 109:
		return &h.DelayTime
	case 115:
		return &h.NumSamples
	case 117:
		return &h.Interval
	case 157:
		return &h.Year
	case 159:
		return &h.Day
	case 161:
		return &h.Hour
	case 163:
		return &h.Minute
	case 165:
		return &h.Second
	case 181:
		return &h.CDPX
	case 185:
		return &h.CDPY
	case 189:
		return &h.Inline
	case 193:
		return &h.Crossline
	case 197:
		return &h.ShotPoint
	case 201:
		return &h.ShotPointScalar
	case 215:
		return &h.TimeScalar
	}
	return nil
}

// decodeTraceHeader builds a TraceHeader from 240 bytes in order bo.
func decodeTraceHeader(b []byte, bo binary.ByteOrder) TraceHeader {
	var h TraceHeader
	copy(h.Raw[:], b[:TraceHeaderSize])
	if bo != binary.ByteOrder(binary.BigEndian) {
		swapFields(h.Raw[:], TraceFields, 1)
	}
	h.fromRaw()
	return h
}

// fromRaw sets the named fields from Raw.
func (h *TraceHeader) fromRaw() {
	for _, f := range TraceFields {
		if p := h.field(f.Byte); p != nil {
			*p = int(getWord(h.Raw[:], f.Byte-1, f.Width, f.Unsigned, binary.BigEndian))
		}
	}
}

// Get returns the standard trace header word called name (see
// TraceFields; a byte position such as "189" works too).
func (h *TraceHeader) Get(name string) (int64, error) {
	f, err := LookupField(TraceFields, name)
	if err != nil {
		return 0, err
	}
	if p := h.field(f.Byte); p != nil {
		return int64(*p), nil
	}
	return getWord(h.Raw[:], f.Byte-1, f.Width, f.Unsigned, binary.BigEndian), nil
}

// Set stores v in the standard word called name, keeping the named field
// and Raw in step. It fails when v does not fit the word.
func (h *TraceHeader) Set(name string, v int64) error {
	f, err := LookupField(TraceFields, name)
	if err != nil {
		return err
	}
	if !fitsWord(v, f.Width, f.Unsigned) {
		return fmt.Errorf("trace header %s (bytes %d-%d): %d does not fit %d bytes", f.Name, f.Byte, f.Byte+f.Width-1, v, f.Width)
	}
	putWord(h.Raw[:], f.Byte-1, f.Width, v, binary.BigEndian)
	if p := h.field(f.Byte); p != nil {
		*p = int(v)
	}
	return nil
}

// SetWord stores v as a width-byte (1, 2, 4 or 8) big-endian word at any
// 1-based byte position pos of Raw, then refreshes the named fields, so
// keys can live at non-standard positions (an inline at 221, say).
func (h *TraceHeader) SetWord(pos, width int, v int64) error {
	if width != 1 && width != 2 && width != 4 && width != 8 {
		return fmt.Errorf("trace header word width %d: want 1, 2, 4 or 8", width)
	}
	if pos < 1 || pos+width-1 > TraceHeaderSize {
		return fmt.Errorf("trace header word at byte %d (%d bytes) lies outside the 240-byte header", pos, width)
	}
	if !fitsWord(v, width, false) {
		return fmt.Errorf("trace header bytes %d-%d: %d does not fit %d bytes", pos, pos+width-1, v, width)
	}
	h.sync()
	putWord(h.Raw[:], pos-1, width, v, binary.BigEndian)
	h.fromRaw()
	return nil
}

// Word reads a width-byte (1, 2, 4 or 8) signed big-endian word at 1-based
// byte pos of the header (named fields written over Raw first).
func (h *TraceHeader) Word(pos, width int) (int64, error) {
	if width != 1 && width != 2 && width != 4 && width != 8 {
		return 0, fmt.Errorf("trace header word width %d: want 1, 2, 4 or 8", width)
	}
	if pos < 1 || pos+width-1 > TraceHeaderSize {
		return 0, fmt.Errorf("trace header word at byte %d (%d bytes) lies outside the 240-byte header", pos, width)
	}
	raw, err := h.encode(binary.BigEndian)
	if err != nil {
		return 0, err
	}
	return getWord(raw[:], pos-1, width, false, binary.BigEndian), nil
}

// sync writes the named fields into Raw where they fit.
func (h *TraceHeader) sync() {
	for _, f := range TraceFields {
		if p := h.field(f.Byte); p != nil && fitsWord(int64(*p), f.Width, f.Unsigned) {
			putWord(h.Raw[:], f.Byte-1, f.Width, int64(*p), binary.BigEndian)
		}
	}
}

// encode returns the 240 bytes of h in order bo, named fields written over
// Raw. It fails when a named field does not fit its word.
func (h *TraceHeader) encode(bo binary.ByteOrder) ([TraceHeaderSize]byte, error) {
	out := h.Raw
	for _, f := range TraceFields {
		p := h.field(f.Byte)
		if p == nil {
			continue
		}
		if !fitsWord(int64(*p), f.Width, f.Unsigned) {
			return out, fmt.Errorf("trace header %s (bytes %d-%d): %d does not fit %d bytes", f.Name, f.Byte, f.Byte+f.Width-1, *p, f.Width)
		}
		putWord(out[:], f.Byte-1, f.Width, int64(*p), binary.BigEndian)
	}
	if bo != binary.ByteOrder(binary.BigEndian) {
		swapFields(out[:], TraceFields, 1)
	}
	return out, nil
}

// applyScalar applies a SEG-Y scalar (>0 multiply, <0 divide, 0 = 1).
func applyScalar(v, scalar int) float64 {
	switch {
	case scalar > 0:
		return float64(v) * float64(scalar)
	case scalar < 0:
		return float64(v) / float64(-scalar)
	}
	return float64(v)
}

// CDPXY returns the CDP coordinates (181-188) with the coordinate scalar
// (71-72) applied.
func (h TraceHeader) CDPXY() (x, y float64) {
	return applyScalar(h.CDPX, h.CoordScalar), applyScalar(h.CDPY, h.CoordScalar)
}

// DelayMs returns the delay recording time (109-110) in ms with the time
// scalar (215-216) applied.
func (h TraceHeader) DelayMs() float64 { return applyScalar(h.DelayTime, h.TimeScalar) }

// BinaryHeaderSize is the size of the binary file header in bytes.
const BinaryHeaderSize = 400

// BinaryHeader is the 400-byte binary file header. Raw holds the bytes as
// found in the file (file byte order); the named fields are decoded from
// it, and Get reaches any word of BinaryFields.
type BinaryHeader struct {
	JobID             int     // 3201-3204
	LineNumber        int     // 3205-3208
	ReelNumber        int     // 3209-3212
	TracesPerEnsemble int     // 3213-3214
	AuxTraces         int     // 3215-3216
	Interval          int     // 3217-3218, µs
	IntervalOrig      int     // 3219-3220
	Samples           int     // 3221-3222, read unsigned
	SamplesOrig       int     // 3223-3224
	Format            Format  // 3225-3226
	EnsembleFold      int     // 3227-3228
	SortingCode       int     // 3229-3230
	MeasurementSystem int     // 3255-3256: 1 metres, 2 feet
	ExtSamples        int     // 3269-3272, rev 2 samples per trace
	ExtInterval       float64 // 3273-3280, rev 2 interval (float64)
	ByteOrderConst    uint32  // 3297-3300, rev 2: 0x01020304 in file order
	RevisionMajor     int     // 3501, single byte
	RevisionMinor     int     // 3502, single byte
	FixedLength       int     // 3503-3504
	ExtTextHeaders    int     // 3505-3506, -1 = scan for ((SEG: EndText))
	ExtraTraceHeaders int     // 3507-3508, rev 2 additional 240-byte trace headers
	NumTraces         uint64  // 3513-3520, rev 2
	FirstTraceOffset  uint64  // 3521-3528, rev 2
	Raw               [BinaryHeaderSize]byte
	order             binary.ByteOrder
}

// decodeBinaryHeader decodes the 400 bytes b in order bo.
func decodeBinaryHeader(b []byte, bo binary.ByteOrder) BinaryHeader {
	h := BinaryHeader{order: bo}
	copy(h.Raw[:], b[:BinaryHeaderSize])
	g := func(pos, width int, unsigned bool) int64 {
		return getWord(h.Raw[:], pos-3201, width, unsigned, bo)
	}
	h.JobID = int(g(3201, 4, false))
	h.LineNumber = int(g(3205, 4, false))
	h.ReelNumber = int(g(3209, 4, false))
	h.TracesPerEnsemble = int(g(3213, 2, false))
	h.AuxTraces = int(g(3215, 2, false))
	h.Interval = int(g(3217, 2, false))
	h.IntervalOrig = int(g(3219, 2, false))
	h.Samples = int(g(3221, 2, true))
	h.SamplesOrig = int(g(3223, 2, true))
	h.Format = Format(g(3225, 2, false))
	h.EnsembleFold = int(g(3227, 2, false))
	h.SortingCode = int(g(3229, 2, false))
	h.MeasurementSystem = int(g(3255, 2, false))
	h.ExtSamples = int(g(3269, 4, false))
	h.ExtInterval = math.Float64frombits(uint64(g(3273, 8, true)))
	h.ByteOrderConst = binary.BigEndian.Uint32(h.Raw[3297-3201:])
	h.RevisionMajor = int(h.Raw[3501-3201])
	h.RevisionMinor = int(h.Raw[3502-3201])
	h.FixedLength = int(g(3503, 2, false))
	h.ExtTextHeaders = int(g(3505, 2, false))
	h.ExtraTraceHeaders = int(g(3507, 2, true))
	h.NumTraces = uint64(g(3513, 8, true))
	h.FirstTraceOffset = uint64(g(3521, 8, true))
	return h
}

// Get returns the binary header word called name (see BinaryFields; a
// byte position such as "3225" works too), read in the file's byte order.
func (h BinaryHeader) Get(name string) (int64, error) {
	f, err := LookupField(BinaryFields, name)
	if err != nil {
		return 0, err
	}
	bo := h.order
	if bo == nil {
		bo = binary.BigEndian
	}
	return getWord(h.Raw[:], f.Byte-3201, f.Width, f.Unsigned, bo), nil
}

// Revision returns the SEG-Y revision as major and minor numbers. Rev 2
// stores two single bytes (major at 3501, minor at 3502); older writers
// stored one 16-bit word (0x0100 for rev 1), which in a file of the other
// byte order reads as major 0, minor 1. Such a (0, n) pair with n in 1-3 is
// read as revision n.0.
func (h BinaryHeader) Revision() (major, minor int) {
	if h.RevisionMajor == 0 && h.RevisionMinor >= 1 && h.RevisionMinor <= 3 {
		return h.RevisionMinor, 0
	}
	return h.RevisionMajor, h.RevisionMinor
}
