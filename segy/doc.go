// Package segy reads and writes SEG-Y (rev 0, 1 and 2) and Seismic Unix files.
//
// A File is a thin layer over an io.ReaderAt (NewReader) or a
// memory-mapped file (Open, on Linux): opening it reads the textual and
// binary file headers, works out the byte order, the sample format and
// the trace layout from the headers and the file size, and then reads
// traces on demand, decoding straight from the mapping without copies. Geometry builds an index from (inline, crossline,
// offset) header words to traces that copes with missing traces and any
// trace order; ReadCube, ReadInline, ReadCrossline, ReadTimeSlice and
// ReadSubCube decode exactly what they are asked for, spread over all
// cores, into []float32 (ReadCubeInto and ReadSubCubeInto into a buffer the
// caller reuses).
//
// Reading a cube:
//
//	f, err := segy.Open("f3.sgy", segy.Options{}) // inline 189, crossline 193, byte order detected
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//	g, err := f.Geometry()
//	if err != nil {
//		return err
//	}
//	cube, err := f.ReadCube() // len(g.Inlines) x len(g.Crosslines) x f.NumSamples(), holes are 0
//
// Copying trace headers into a new file with new samples:
//
//	w, err := segy.Create("out.sgy", segy.WriterOptions{Samples: f.NumSamples(), Interval: f.Interval(), Format: segy.FormatIEEE})
//	for i := 0; i < f.NumTraces(); i++ {
//		h, _ := f.TraceHeader(i)
//		err = w.WriteTrace(h, predicted[i])
//	}
//	err = w.Close() // the file appears atomically
//
// Byte positions are 1-based as in the SEG-Y standard: trace header bytes
// 1-240, binary header bytes 3201-3600 of the file.
package segy
