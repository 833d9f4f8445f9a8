package dataset

import (
	"archive/zip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The labelled F3 release of Alaudah et al. (2019) on Zenodo.
const (
	AlaudahURL = "https://zenodo.org/record/3755060/files/data.zip"
	AlaudahMD5 = "bc5932279831a95c0b244fd765376d85"
)

// F3SEGYPages are the landing pages of the original F3 SEG-Y; the files
// sit behind them, so fetch-data takes a direct URL or a local path.
var F3SEGYPages = []string{
	"https://terranubis.com/datainfo/Netherlands-Offshore-F3-Block-Complete",
	"https://terranubis.com/datainfo/F3-Demo-2020",
}

// DownloadOptions configure Download.
type DownloadOptions struct {
	// URL to fetch; redirects are followed.
	URL string
	// MD5 is the expected hex digest; empty skips the check.
	MD5 string
	// Path is where the file goes; the transfer writes Path+".part" and
	// renames it when complete and verified.
	Path string
	// Client defaults to http.DefaultClient.
	Client *http.Client
	// Retries is how often an interrupted transfer is resumed (default 3;
	// negative: none).
	Retries int
	// RetryWait is the pause before a resume (default 1 s).
	RetryWait time.Duration
	// Progress, when set, is called with bytes done and the total (-1 when
	// unknown) as the transfer advances.
	Progress func(done, total int64)
	// Notice, when set, receives messages about what Download does besides
	// the transfer (an existing file kept aside).
	Notice func(msg string)
}

// DownloadResult says what Download did.
type DownloadResult struct {
	// Skipped is true when Path already held the file (verified unless
	// the MD5 was empty).
	Skipped bool
	// Verified is true when the file's MD5 was checked and matched.
	Verified bool
	// KeptAside names where a file already at Path whose MD5 differed was
	// moved ("" when none was).
	KeptAside string
	// Resumed counts transfers that continued a partial file.
	Resumed int
	// Bytes is the size of the file.
	Bytes int64
}

// Download fetches opts.URL to opts.Path, resuming a partial Path+".part"
// with an HTTP range request (starting over when the server ignores
// ranges), retrying interrupted transfers, and verifying the MD5. A Path
// that exists and verifies (or any Path when the MD5 is empty) is left
// alone; one whose MD5 differs is renamed to Path+".bad-md5" (".bad-md5.1"
// ... when taken), never deleted, and downloaded again. A checksum mismatch
// of the download removes the partial file and is an error.
func Download(ctx context.Context, opts DownloadOptions) (DownloadResult, error) {
	var res DownloadResult
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Retries == 0 {
		opts.Retries = 3
	}
	if opts.RetryWait == 0 {
		opts.RetryWait = time.Second
	}
	want := strings.ToLower(strings.TrimSpace(opts.MD5))
	if want != "" && len(want) != 32 {
		return res, fmt.Errorf("MD5 %q: want 32 hex digits", opts.MD5)
	}
	if st, err := os.Stat(opts.Path); err == nil {
		if want == "" {
			return DownloadResult{Skipped: true, Bytes: st.Size()}, nil
		}
		got, err := fileMD5(opts.Path)
		if err != nil {
			return res, err
		}
		if got == want {
			return DownloadResult{Skipped: true, Verified: true, Bytes: st.Size()}, nil
		}
		if res.KeptAside, err = keepAside(opts.Path, ".bad-md5"); err != nil {
			return res, err
		}
		if opts.Notice != nil {
			opts.Notice(fmt.Sprintf("%s has MD5 %s, want %s: kept as %s; downloading it again", opts.Path, got, want, res.KeptAside))
		}
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
		return res, err
	}
	part := opts.Path + ".part"
	for attempt := 0; ; attempt++ {
		resumed, done, err := transfer(ctx, opts, part)
		if resumed {
			res.Resumed++
		}
		if err == nil && done {
			break
		}
		var perm *permanentError
		if errors.As(err, &perm) || attempt >= opts.Retries || ctx.Err() != nil {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(opts.RetryWait):
		}
	}
	got, err := fileMD5(part)
	if err != nil {
		return res, err
	}
	if want != "" && got != want {
		os.Remove(part)
		return res, fmt.Errorf("%s: MD5 %s, want %s: the download is corrupt and was removed; run again", opts.URL, got, want)
	}
	if err := os.Rename(part, opts.Path); err != nil {
		return res, err
	}
	st, err := os.Stat(opts.Path)
	if err != nil {
		return res, err
	}
	res.Bytes, res.Verified = st.Size(), want != ""
	return res, nil
}

// keepAside renames p to p+suffix, or p+suffix+".N" for the first free N,
// and returns the new name.
func keepAside(p, suffix string) (string, error) {
	for n := 0; n < 1000; n++ {
		to := p + suffix
		if n > 0 {
			to += "." + strconv.Itoa(n)
		}
		if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
			return to, os.Rename(p, to)
		}
	}
	return "", fmt.Errorf("%s: no free name to keep it aside", p)
}

// offline reports whether err is a failure to reach the server at all (a
// name lookup or a connection that could not be made).
func offline(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

// permanentError marks failures a retry cannot fix (404, 403 ...).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// transfer makes one request, appending to part from its current size. It
// reports whether it resumed and whether the file is complete.
func transfer(ctx context.Context, opts DownloadOptions, part string) (resumed, done bool, err error) {
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.URL, nil)
	if err != nil {
		return false, false, &permanentError{fmt.Errorf("URL %q: %v", opts.URL, err)}
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return false, false, fmt.Errorf("%s: %w", opts.URL, err)
	}
	defer resp.Body.Close()
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return false, false, fmt.Errorf("%s: server answered range %d- with %q", opts.URL, have, resp.Header.Get("Content-Range"))
		}
		resumed, total = true, size
	case resp.StatusCode == http.StatusOK:
		if have > 0 { // ranges ignored: start over
			if err := f.Truncate(0); err != nil {
				return false, false, err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return false, false, err
			}
			have = 0
		}
		total = resp.ContentLength
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// The partial file already holds everything (checked by the MD5).
		return false, true, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
		return false, false, &permanentError{fmt.Errorf("%s: %s", resp.Request.URL, resp.Status)}
	default:
		return false, false, fmt.Errorf("%s: %s", resp.Request.URL, resp.Status)
	}
	w := &progressWriter{w: f, done: have, total: total, fn: opts.Progress}
	if opts.Progress != nil {
		opts.Progress(have, total)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return resumed, false, fmt.Errorf("%s: transfer interrupted after %d bytes: %w", opts.URL, have+n, err)
	}
	if total >= 0 && have+n != total {
		return resumed, false, fmt.Errorf("%s: transfer ended at %d of %d bytes", opts.URL, have+n, total)
	}
	return resumed, true, f.Close()
}

// parseContentRange reads "bytes START-END/SIZE" (SIZE may be "*": -1).
func parseContentRange(s string) (start, size int64, ok bool) {
	s, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	size = -1
	if sz != "*" {
		if size, err = strconv.ParseInt(sz, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, size, true
}

type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return n, err
}

func fileMD5(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Unzip extracts the regular files and directories of zipPath under dest.
// Entries with absolute paths, ".." components or links are refused before
// anything is written. Each file is written to a temporary name and renamed,
// and files already present with the entry's size are skipped. It returns
// the number of files written.
func Unzip(zipPath, dest string) (int, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", zipPath, err)
	}
	defer zr.Close()
	type item struct {
		f      *zip.File
		target string
	}
	var items []item
	for _, f := range zr.File {
		name := f.Name
		if strings.Contains(name, "\\") || path.IsAbs(name) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
			return 0, fmt.Errorf("%s: entry %q: absolute or Windows path refused", zipPath, name)
		}
		clean := path.Clean(name)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			return 0, fmt.Errorf("%s: entry %q: escapes the destination, refused", zipPath, name)
		}
		mode := f.Mode()
		if mode&os.ModeSymlink != 0 || (!mode.IsRegular() && !mode.IsDir()) {
			return 0, fmt.Errorf("%s: entry %q: %v is not a regular file, refused", zipPath, name, mode.Type())
		}
		items = append(items, item{f, filepath.Join(dest, filepath.FromSlash(clean))})
	}
	written := 0
	for _, it := range items {
		if it.f.Mode().IsDir() {
			if err := os.MkdirAll(it.target, 0o755); err != nil {
				return written, err
			}
			continue
		}
		if st, err := os.Stat(it.target); err == nil && st.Mode().IsRegular() && uint64(st.Size()) == it.f.UncompressedSize64 {
			continue
		}
		rc, err := it.f.Open()
		if err != nil {
			return written, fmt.Errorf("%s: entry %q: %w", zipPath, it.f.Name, err)
		}
		err = writeAtomic(it.target, func(w io.Writer) error {
			_, err := io.Copy(w, rc) // zip checks the CRC-32 at EOF
			return err
		})
		rc.Close()
		if err != nil {
			return written, fmt.Errorf("%s: entry %q: %w", zipPath, it.f.Name, err)
		}
		written++
	}
	return written, nil
}

// segyRegistry is the file in a data directory naming the F3 SEG-Y.
const segyRegistry = "segy.json"

// RegisterSEGY records the absolute path of a SEG-Y in dataDir/segy.json.
func RegisterSEGY(dataDir, segyPath string) error {
	abs, err := filepath.Abs(segyPath)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(map[string]string{"segy_file": abs}, "", "  ")
	return writeAtomic(filepath.Join(dataDir, segyRegistry), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// RegisteredSEGY returns the SEG-Y recorded by RegisterSEGY in dataDir, or
// "" when none is.
func RegisteredSEGY(dataDir string) (string, error) {
	p := filepath.Join(dataDir, segyRegistry)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || m["segy_file"] == "" {
		return "", fmt.Errorf("%s: want {\"segy_file\": PATH}", p)
	}
	return m["segy_file"], nil
}

// alaudahUnpacked reports whether dest holds the six npy files of the
// Alaudah layout, each with a readable header and the size it announces.
func alaudahUnpacked(dest string) bool {
	for _, f := range AlaudahFiles {
		if !npyWhole(filepath.Join(dest, f)) {
			return false
		}
	}
	return true
}

// npyWhole reports whether p is a .npy file as long as its header says.
func npyWhole(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	h, err := ReadNPYHeader(f)
	if err != nil {
		return false
	}
	dt, err := parseDescr(h.Descr)
	if err != nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Size() == h.DataOffset+int64(h.Len())*int64(dt.size)
}

// FileNameFromURL returns the last path element of a URL ("download" when
// it has none).
func FileNameFromURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || path.Base(p.Path) == "/" || path.Base(p.Path) == "." {
		return "download"
	}
	return path.Base(p.Path)
}

// AlaudahFiles are the npy files of the labelled release, relative to the
// directory data.zip is unpacked into.
var AlaudahFiles = []string{
	"data/train/train_seismic.npy", "data/train/train_labels.npy",
	"data/test_once/test1_seismic.npy", "data/test_once/test1_labels.npy",
	"data/test_once/test2_seismic.npy", "data/test_once/test2_labels.npy",
}

// FetchResult says what FetchAlaudah did.
type FetchResult struct {
	// LabelsPresent is true when data.zip was absent but its six npy files
	// were already unpacked and whole, so nothing was downloaded.
	LabelsPresent bool
	// Download reports the transfer of data.zip.
	Download DownloadResult
	// Extracted counts the files written by unzipping (0: all present).
	Extracted int
}

// FetchAlaudah downloads data.zip of the labelled F3 release into dest
// (opts.URL and opts.MD5 default to AlaudahURL and AlaudahMD5, opts.Path to
// dest/data.zip), verifies it, unpacks it safely into dest and checks that
// the six npy files of the Alaudah layout are there. Re-running skips a
// verified zip and files already unpacked; when the zip is gone but the
// unpacked files are whole, nothing is downloaded. A data.zip put into dest
// by hand is used once its MD5 verifies. When the server cannot be reached,
// the error says how to download the zip by hand.
func FetchAlaudah(ctx context.Context, dest string, opts DownloadOptions) (FetchResult, error) {
	var res FetchResult
	if opts.URL == "" {
		opts.URL = AlaudahURL
		if opts.MD5 == "" {
			opts.MD5 = AlaudahMD5
		}
	}
	if opts.Path == "" {
		opts.Path = filepath.Join(dest, "data.zip")
	}
	if _, err := os.Stat(opts.Path); errors.Is(err, os.ErrNotExist) && alaudahUnpacked(dest) {
		res.LabelsPresent = true
		return res, nil
	}
	var err error
	if res.Download, err = Download(ctx, opts); err != nil {
		if offline(err) {
			return res, fmt.Errorf("%w\nno network? download data.zip yourself from %s and put it at %s, then rerun (it is verified by MD5)", err, opts.URL, opts.Path)
		}
		return res, err
	}
	if res.Extracted, err = Unzip(opts.Path, dest); err != nil {
		return res, err
	}
	var missing []string
	for _, f := range AlaudahFiles {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return res, fmt.Errorf("%s: unpacked into %s but %s missing: not the Alaudah layout", opts.Path, dest, strings.Join(missing, ", "))
	}
	return res, nil
}
