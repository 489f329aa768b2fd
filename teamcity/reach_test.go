package teamcity

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcdind/tcdind/internal/faketeamcity"
)

// What a new user gets wrong first: the URL (no context path, https on an
// HTTP port, a certificate this machine does not trust, a web server that
// is not TeamCity) and the token file. Each error is one line that says
// what to do.

func reachClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := New(url, "s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = []time.Duration{time.Millisecond}
	c.RequestTimeout = 2 * time.Second
	return c
}

func oneLineWith(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with %q", wants)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("more than one line: %q", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q: %s", w, msg)
		}
	}
	if strings.Contains(msg, "s3cret-token") {
		t.Errorf("the token is in the error: %s", msg)
	}
}

// TeamCity behind a context path (https://ci.example.com/teamcity): the
// REST API is under it (https://www.jetbrains.com/help/teamcity/rest/quick-start.html).
// Without the path the server answers 404, said with the fix.
func TestServerWithoutContextPathSaysSo(t *testing.T) {
	tc := faketeamcity.New(t)
	mux := http.NewServeMux()
	mux.Handle("/teamcity/", http.StripPrefix("/teamcity", tc))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, u := range []string{srv.URL + "/teamcity", srv.URL + "/teamcity/"} {
		c, err := New(u, tc.Token)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Server(context.Background()); err != nil || v.Version == "" {
			t.Errorf("%s: %+v %v", u, v, err)
		}
	}
	c := reachClient(t, srv.URL)
	_, err := c.Server(context.Background())
	oneLineWith(t, err, "404", "with its context path if it has one (such as https://ci.example.com/teamcity)")
}

// A web server that answers JSON but is not TeamCity.
func TestServerJSONWithoutVersion(t *testing.T) {
	c := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	_, err := c.Server(context.Background())
	oneLineWith(t, err, "without a server version", "the TeamCity server's URL?")
}

// A certificate this machine does not trust: one request (another fails
// alike), and what to do about it.
func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := reachClient(t, srv.URL)
	_, err := c.Server(context.Background())
	oneLineWith(t, err, "does not trust the server's certificate", "SSL_CERT_FILE")
	if conns.Load() != 1 || strings.Contains(err.Error(), `Get "`) {
		t.Errorf("%d connections (want 1), or the URL said twice: %v", conns.Load(), err)
	}
}

// https:// to a port that speaks HTTP.
func TestHTTPSToHTTPPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c := reachClient(t, strings.Replace(srv.URL, "http://", "https://", 1))
	_, err := c.Server(context.Background())
	oneLineWith(t, err, "speaks plain HTTP", "http://")
}

// Nothing listens: tried again, then said with what to check.
func TestConnectionRefusedSaysWhatToCheck(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := reachClient(t, "http://"+addr)
	_, err = c.Server(context.Background())
	oneLineWith(t, err, "could not be reached", "(3 tries)", "check the URL and that this machine can reach the server")
	if strings.Contains(err.Error(), `Get "`) {
		t.Errorf("the URL is said twice: %v", err)
	}
}

func TestTokenFileErrorsSayWhatToDo(t *testing.T) {
	noEnv := func(string) string { return "" }
	dir := t.TempDir()

	_, err := Token(noEnv, filepath.Join(dir, "missing"))
	oneLineWith(t, err, "cannot read the TeamCity token file "+filepath.Join(dir, "missing")+" (no such file or directory)", "or set TEAMCITY_TOKEN")

	_, err = Token(noEnv, dir)
	oneLineWith(t, err, "is a directory", "pass the path of a file that holds only the access token")

	// The token itself passed as the flag's value: not echoed.
	_, err = Token(noEnv, "eyJ0eXAiOiAiVENWMiJ9.s3cret-token")
	oneLineWith(t, err, "takes the path of a file that holds the access token, not the token itself")
	if strings.Contains(err.Error(), "eyJ0eXAi") {
		t.Errorf("the token is echoed: %v", err)
	}

	// A trailing newline or CRLF, as editors and `echo` write it.
	for _, body := range []string{"abc\n", "abc\r\n", "  abc  \r\n\r\n"} {
		f := filepath.Join(dir, "token")
		os.WriteFile(f, []byte(body), 0o600)
		if tok, err := Token(noEnv, f); tok != "abc" || err != nil {
			t.Errorf("%q: %q %v", body, tok, err)
		}
	}
}
