// Package motoserver starts moto_server, a local AWS emulator, for
// integration tests: on a free loopback port, stopped (with its whole
// process group) when the test ends.
//
// Outside CI a missing moto_server skips the test; in CI (CI=true) it fails
// it, so that the integration tests cannot silently stop running.
package motoserver

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running moto_server.
type Server struct {
	URL    string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	log    *bytes.Buffer
	exited chan struct{}
	once   sync.Once
}

// fallback is where the development image installs moto_server.
const fallback = "/root/.pyenv/shims/moto_server"

// Binary finds moto_server: $MOTO_SERVER, then PATH, then the pyenv shim.
func Binary() (string, error) {
	if p := os.Getenv("MOTO_SERVER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback, nil
	}
	return "", errors.New("moto_server not found: pip install 'moto[server]' or set MOTO_SERVER")
}

// Start starts moto_server for t and stops it at t's end. It sets fake AWS
// credentials in t's environment.
func Start(t testing.TB) *Server {
	t.Helper()
	SetFakeCredentials(t)
	s, err := Launch()
	if err != nil {
		if os.Getenv("CI") == "" && errors.Is(err, errNotInstalled) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

var errNotInstalled = errors.New("moto_server not installed")

// Launch starts moto_server on a free port and waits until it answers. The
// caller must Stop it (a TestMain, typically).
func Launch() (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotInstalled, err)
	}
	var lastErr error
	for range 3 { // the free port may be taken between probe and bind
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), log: &bytes.Buffer{}}
		s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		s.exited = make(chan struct{})
		go func() { s.cmd.Wait(); close(s.exited) }()
		if lastErr = s.waitReady(s.exited, 30*time.Second); lastErr == nil {
			return s, nil
		}
		s.Stop()
	}
	return nil, lastErr
}

func (s *Server) waitReady(exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("moto_server exited at start: %s", s.log.String())
		default:
		}
		resp, err := client.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("moto_server did not answer on %s within %s", s.URL, timeout)
}

// Stop kills moto_server and everything it started.
func (s *Server) Stop() {
	s.once.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		pgid := s.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(3 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.exited
		}
	})
}

// Reset clears every resource moto holds.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// SetFakeCredentials points the AWS SDK and CLI at fake credentials for t,
// so that no real account can be reached.
func SetFakeCredentials(t testing.TB) {
	for k, v := range FakeEnv() {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "") // restored at the end of t
		os.Unsetenv(k)  // unset, not empty: boto and the SDK read "" as a profile name
	}
}

// FakeEnv are environment variables for fake credentials in us-east-1.
func FakeEnv() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "testing",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "us-east-1",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
