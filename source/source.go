// Package source loads a template from a file, an https URL or standard input,
// with CloudFormation's size limit and a timeout for downloads.
package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// MaxSize is the largest template read: CloudFormation's own limit for a
// template in S3. Anything larger is refused before it is parsed.
const MaxSize = 1 << 20

// Stdin is the argument that names standard input.
const Stdin = "-"

// JetBrainsTemplateURL is JetBrains' published TeamCity stack template.
const JetBrainsTemplateURL = "https://s3.amazonaws.com/teamcity.jetbrains.com/teamcity-server.yaml"

// DownloadTimeout bounds a whole download, connection to last byte.
const DownloadTimeout = 30 * time.Second

// Template is a loaded template and where it came from.
type Template struct {
	Bytes []byte
	// Name is what the user gave: a path, a URL, or "-".
	Name string
	// Path is the local file path; empty for URLs and standard input.
	Path string
}

// IsURL reports whether arg names a template to download.
func IsURL(arg string) bool {
	return strings.HasPrefix(arg, "https://") || strings.HasPrefix(arg, "http://")
}

// Load reads the template that arg names. stdin is read for "-".
func Load(ctx context.Context, arg string, stdin io.Reader) (*Template, error) {
	switch {
	case arg == Stdin:
		data, err := readStdin(ctx, stdin)
		if err != nil {
			return nil, err
		}
		return &Template{Bytes: data, Name: arg}, nil
	case IsURL(arg):
		data, err := Download(ctx, http.DefaultClient, arg)
		if err != nil {
			return nil, err
		}
		return &Template{Bytes: data, Name: arg}, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read template %s: no such file", arg)
		}
		return nil, fmt.Errorf("read template: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		return nil, fmt.Errorf("read template %s: it is a directory; name the template file in it", arg)
	}
	if err == nil && info.Size() > MaxSize {
		return nil, tooLarge(arg, info.Size())
	}
	data, err := readLimited(f, arg)
	if err != nil {
		return nil, err
	}
	return &Template{Bytes: data, Name: arg, Path: arg}, nil
}

// readStdin reads standard input until its end or ctrl+c, whichever comes
// first: a read of a terminal or a stalled pipe cannot be interrupted, so
// it goes on in the background and the process exits without it.
func readStdin(ctx context.Context, stdin io.Reader) ([]byte, error) {
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		data, err := readLimited(stdin, "standard input")
		done <- read{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read template from standard input: %w", ctx.Err())
	}
}

// Download fetches an https URL (http is refused: a template decides what
// runs in the stack, so it must not be open to tampering on the way).
func Download(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("template URL %q is not a valid URL", rawURL)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("template URL %s: only https URLs are downloaded; download it yourself and pass the file", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, DownloadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("download template %s: %w", rawURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, &DownloadError{URL: rawURL, Err: fmt.Errorf("no answer within %s: %w", DownloadTimeout, context.DeadlineExceeded)}
		}
		return nil, &DownloadError{URL: rawURL, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download template %s: the server answered %s", rawURL, resp.Status)
	}
	if resp.ContentLength > MaxSize {
		return nil, tooLarge(rawURL, resp.ContentLength)
	}
	return readLimited(resp.Body, rawURL)
}

// DownloadError is a download that got no answer: offline, a name that
// does not resolve, a refused connection, a failed TLS handshake.
type DownloadError struct {
	URL string
	Err error
}

func (e *DownloadError) Error() string {
	s := e.Short()
	if Offline(e.Err) {
		s += " (offline? pass a file path instead)"
	}
	return s
}

// Short is the error without the advice.
func (e *DownloadError) Short() string { return "download template " + e.URL + ": " + e.Err.Error() }

func (e *DownloadError) Unwrap() error { return e.Err }

// Offline reports whether err looks like no network: a name that does not
// resolve, a connection that could not be made, no answer in time. A TLS
// or certificate error is not: something answered.
func Offline(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &op):
		return op.Op == "dial"
	}
	return false
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func readLimited(r io.Reader, name string) ([]byte, error) {
	var buf bytes.Buffer
	if f, ok := r.(*os.File); ok {
		// A file says how large it is: read it in one go.
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			buf.Grow(int(min(info.Size(), MaxSize)) + bytes.MinRead)
		}
	}
	_, err := buf.ReadFrom(io.LimitReader(r, MaxSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, tooLarge(name, -1)
	}
	return data, nil
}

func tooLarge(name string, size int64) error {
	if size > 0 {
		return fmt.Errorf("template %s is %d bytes, over CloudFormation's limit of 1 MB (%d bytes), so no stack can use it: shorten it (comments, unused resources, a nested stack) and run tcdind again", name, size, MaxSize)
	}
	return fmt.Errorf("template %s is over CloudFormation's limit of 1 MB (%d bytes), so no stack can use it: shorten it (comments, unused resources, a nested stack) and run tcdind again", name, MaxSize)
}

// PatchedName proposes where to save the patched template: <name>.dind<ext>
// beside a local file, or in the current directory for a URL or stdin.
func PatchedName(t *Template, json bool) string {
	name := t.Path
	if name == "" && IsURL(t.Name) {
		if u, err := url.Parse(t.Name); err == nil {
			name = path.Base(u.Path)
		}
	}
	if name == "" || name == "." || name == "/" {
		name = "template.yaml"
		if json {
			name = "template.json"
		}
	}
	ext := filepath.Ext(name)
	return strings.TrimSuffix(name, ext) + ".dind" + ext
}
