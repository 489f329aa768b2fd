package teamcity

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tcdind/tcdind/pause"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for a Client's bounds.
const (
	// DefaultRequestTimeout bounds one try of one request: TeamCity
	// answers these calls in well under a second.
	DefaultRequestTimeout = 20 * time.Second
	// DefaultTries is how many times a request that timed out or got a
	// 5xx is sent in all.
	DefaultTries = 3
)

// DefaultBackoff are the pauses before the second and later tries.
var DefaultBackoff = []time.Duration{time.Second, 3 * time.Second}

// Client calls one TeamCity server.
type Client struct {
	base  *url.URL
	token string
	// HTTP sends the requests (default: a client of its own with no
	// overall timeout: each try has RequestTimeout).
	HTTP *http.Client
	// RequestTimeout bounds one try (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// Tries bounds the tries of a request that timed out or got a 5xx
	// (default DefaultTries).
	Tries int
	// Backoff are the pauses between tries (default DefaultBackoff; the
	// last repeats).
	Backoff []time.Duration
	// Debug, when set, receives one line per request and answer (never
	// the token).
	Debug io.Writer
}

// New is a client of the server at serverURL (http or https, with its
// context path if any: https://ci.example.com/teamcity) calling with token.
func New(serverURL, token string) (*Client, error) {
	u, err := ParseURL(serverURL)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, ErrNoToken
	}
	return &Client{base: u, token: token}, nil
}

// ParseURL checks a TeamCity server URL.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a TeamCity server URL: pass one such as https://teamcity.example.com", s)
	}
	if u.User != nil {
		return nil, fmt.Errorf("the TeamCity URL must not carry credentials: pass the access token in %s or --teamcity-token-file", TokenEnv)
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// URL is the server's URL as given (no credentials).
func (c *Client) URL() string { return c.base.String() }

// call is one REST call: method, path and query, and what it needs.
type call struct {
	method     string
	path       string // from /app/rest…, already escaped
	query      url.Values
	body       any // sent as JSON
	what       string
	permission string
}

func (c *Client) endpoint(cl call) string {
	u := c.base.String() + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	return u
}

// do sends cl, trying again after a timeout, a dropped connection or a
// 5xx, and decodes a 2xx JSON answer into out (nil: discarded).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("encode the request to %s %s: %w", cl.method, cl.path, err)
		}
	}
	tries := c.Tries
	if tries <= 0 {
		tries = DefaultTries
	}
	var last error
	for try := 1; try <= tries; try++ {
		if try > 1 {
			if err := pause.For(ctx, c.pause(try-1)); err != nil {
				return err
			}
		}
		retry, err := c.once(ctx, cl, body, out, try)
		if err == nil || !retry {
			return err
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return last
}

// once is one try; retry says whether another may help.
func (c *Client) once(parent context.Context, cl call, body []byte, out any, try int) (retry bool, err error) {
	timeout := c.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, c.endpoint(cl), rd)
	if err != nil {
		return false, fmt.Errorf("TeamCity request %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.debugf("TeamCity request (try %d): %s %s", try, cl.method, req.URL.RequestURI())
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return false, parent.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			within := fmt.Sprintf("within %s", timeout)
			if try > 1 {
				within = fmt.Sprintf("within %s, %d tries", timeout, try)
			}
			return true, fmt.Errorf("TeamCity at %s did not answer %s %s %s", c.URL(), cl.method, cl.path, within)
		}
		return c.unreachable(cl, err, try)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	c.debugf("TeamCity answer: %s (%d bytes)", resp.Status, len(data))
	if err != nil {
		if parent.Err() != nil {
			return false, parent.Err()
		}
		return true, fmt.Errorf("TeamCity at %s: reading the answer to %s %s: %v", c.URL(), cl.method, cl.path, oneLine(err))
	}
	callName := cl.method + " " + cl.path
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return false, &AuthError{Status: resp.StatusCode, Server: c.URL(), Call: callName, What: cl.what, Permission: cl.permission}
	case resp.StatusCode >= 500:
		return true, &StatusError{Status: resp.StatusCode, Server: c.URL(), Call: callName, Body: firstLine(data), Tries: try}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return false, &StatusError{Status: resp.StatusCode, Server: c.URL(), Call: callName, Body: firstLine(data), Tries: try}
	}
	if out == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return false, fmt.Errorf("TeamCity at %s answered %s with what is not its JSON (%v): is %s the TeamCity server's URL?", c.URL(), callName, oneLine(err), c.URL())
	}
	return false, nil
}

func (c *Client) pause(n int) time.Duration {
	b := c.Backoff
	if b == nil {
		b = DefaultBackoff
	}
	if len(b) == 0 {
		return 0
	}
	return b[min(n-1, len(b)-1)]
}

func (c *Client) debugf(format string, args ...any) {
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, format+"\n", args...)
	}
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// firstLine is the first line of an error answer, trimmed to 200 bytes;
// of a JSON one ({"errors":[{"message":…}]}), its messages.
func firstLine(b []byte) string {
	var j struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &j) == nil && len(j.Errors) > 0 {
		var msgs []string
		for _, e := range j.Errors {
			msgs = append(msgs, e.Message)
		}
		b = []byte(strings.Join(msgs, "; "))
	}
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// unreachable is a request that got no answer: the reason without the
// repeated URL, and what to do. A certificate this machine does not trust
// and HTTPS to an HTTP port are not tried again: another try fails alike.
func (c *Client) unreachable(cl call, err error, try int) (retry bool, _ error) {
	reason := err
	var ue *url.Error
	if errors.As(err, &ue) {
		reason = ue.Err
	}
	msg := fmt.Sprintf("TeamCity at %s could not be reached for %s %s: %s", c.URL(), cl.method, cl.path, oneLine(reason))
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &unknownCA) || errors.As(err, &verify) || errors.As(err, &hostname):
		// Go reads the system's trust store, and SSL_CERT_FILE /
		// SSL_CERT_DIR on Linux (https://pkg.go.dev/crypto/x509#SystemCertPool).
		return false, errors.New(msg + ": this machine does not trust the server's certificate; add the CA that signed it to the system's trust store (or name its PEM file in SSL_CERT_FILE), or pass the URL the certificate is for")
	case strings.Contains(reason.Error(), "server gave HTTP response to HTTPS client"):
		return false, errors.New(msg + ": the server speaks plain HTTP on that port; pass the URL with http:// or the server's HTTPS port")
	}
	if try > 1 {
		msg += fmt.Sprintf(" (%d tries)", try)
	}
	return true, errors.New(msg + ": check the URL and that this machine can reach the server (proxy, firewall, VPN)")
}
