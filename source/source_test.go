package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadFileAndStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	os.WriteFile(path, []byte("Resources: {}\n"), 0o644)
	got, err := Load(context.Background(), path, nil)
	if err != nil || string(got.Bytes) != "Resources: {}\n" || got.Path != path {
		t.Fatalf("file: %+v %v", got, err)
	}
	got, err = Load(context.Background(), Stdin, strings.NewReader("a: 1"))
	if err != nil || string(got.Bytes) != "a: 1" || got.Path != "" {
		t.Fatalf("stdin: %+v %v", got, err)
	}
}

func TestLoadErrorsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, bytes.Repeat([]byte("#\n"), MaxSize/2+1), 0o644)
	for _, tc := range []struct{ arg, want string }{
		{filepath.Join(dir, "missing.yaml"), "no such file"},
		{dir, "is a directory"},
		{big, "over CloudFormation's limit of 1 MB (1048576 bytes), so no stack can use it: shorten it"},
		{"http://example.com/t.yaml", "only https URLs"},
		{"https://", "not a valid URL"},
	} {
		_, err := Load(context.Background(), tc.arg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v, want an error with %q", tc.arg, err, tc.want)
		}
	}
	if _, err := Load(context.Background(), Stdin, bytes.NewReader(make([]byte, MaxSize+1))); err == nil {
		t.Error("stdin over the limit accepted")
	}
}

func TestDownload(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/t.yaml":
			w.Write([]byte("Resources: {}\n"))
		case "/big.yaml":
			w.Write(make([]byte, MaxSize+10))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	got, err := Download(context.Background(), srv.Client(), srv.URL+"/t.yaml")
	if err != nil || string(got) != "Resources: {}\n" {
		t.Fatalf("download: %q %v", got, err)
	}
	if _, err := Download(context.Background(), srv.Client(), srv.URL+"/missing.yaml"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	if _, err := Download(context.Background(), srv.Client(), srv.URL+"/big.yaml"); err == nil || !strings.Contains(err.Error(), "1 MB") {
		t.Errorf("oversized download: %v", err)
	}
	srv.Close()
	if _, err := Download(context.Background(), srv.Client(), srv.URL+"/t.yaml"); err == nil || !strings.Contains(err.Error(), "offline?") {
		t.Errorf("closed server: %v", err)
	}
}

func TestPatchedName(t *testing.T) {
	for _, tc := range []struct {
		t    Template
		json bool
		want string
	}{
		{Template{Name: "dir/t.yaml", Path: "dir/t.yaml"}, false, "dir/t.dind.yaml"},
		{Template{Name: "t.json", Path: "t.json"}, true, "t.dind.json"},
		{Template{Name: JetBrainsTemplateURL}, false, "teamcity-server.dind.yaml"},
		{Template{Name: Stdin}, true, "template.dind.json"},
	} {
		if got := PatchedName(&tc.t, tc.json); got != tc.want {
			t.Errorf("PatchedName(%+v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// ctrl+c while the template is read from standard input (a terminal with
// nothing typed, a pipe whose writer stalls) ends the read: "every way out
// leaves no hang". The wait below only bounds a failing test.
func TestLoadStdinEndsOnCancel(t *testing.T) {
	r, w := io.Pipe() // nothing is ever written: the read blocks
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := Load(ctx, Stdin, r)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading standard input goes on after ctrl+c")
	}

	// Without ctrl+c the whole input is read, as before.
	got, err := Load(t.Context(), Stdin, strings.NewReader("a: 1\n"))
	if err != nil || string(got.Bytes) != "a: 1\n" {
		t.Errorf("Load = %v, %v", got, err)
	}
}
