package teamcity

import (
	"context"
	"errors"
	"io"
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

// Small httptest handlers shaped as TeamCity's REST API documents its
// answers (https://www.jetbrains.com/help/teamcity/rest/agent.html,
// https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html); the
// fuller fake server lives in internal/faketeamcity.

func testClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/tc/", "s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = []time.Duration{time.Millisecond}
	c.RequestTimeout = 2 * time.Second
	return c
}

func TestAgentsReadsStateParametersAndPages(t *testing.T) {
	var calls atomic.Int32
	c := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if got := r.Header.Get("Authorization"); got != "Bearer s3cret-token" {
			t.Errorf("Authorization = %q", got)
		}
		if !strings.HasPrefix(r.URL.Path, "/tc/app/rest/agents") {
			t.Errorf("path %s lost the context path", r.URL.Path)
		}
		if r.URL.Query().Get("start") == "" {
			if loc := r.URL.Query().Get("locator"); loc != "authorized:any" {
				t.Errorf("locator = %q: unauthorized agents are left out by default", loc)
			}
			io.WriteString(w, `{"count":1,"nextHref":"/tc/app/rest/agents?locator=authorized:any,count:1,start:1&fields=nextHref,agent(id,name,properties(property(name,value)))&start=1","agent":[
			  {"id":7,"name":"a1b2c3d4e5f6","connected":true,"enabled":false,"authorized":true,"ip":"10.0.1.5",
			   "pool":{"id":0,"name":"Default"},
			   "enabledInfo":{"status":false,"statusSwitchTime":"20261206T100000+0000","comment":{"text":"tcdind: draining"}},
			   "properties":{"count":2,"property":[{"name":"env.HOSTNAME","value":"a1b2c3d4e5f6"},{"name":"docker.server.version","value":"27.3.1"}]}}]}`)
			return
		}
		io.WriteString(w, `{"count":1,"agent":[{"id":8,"name":"other","connected":false,"enabled":true,"authorized":false}]}`)
	})
	agents, err := c.Agents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 || calls.Load() != 2 {
		t.Fatalf("agents %+v in %d calls", agents, calls.Load())
	}
	a := agents[0]
	if a.ID != 7 || !a.Connected || a.Enabled || a.IP != "10.0.1.5" || a.PoolName != "Default" ||
		a.EnabledInfo.Comment != "tcdind: draining" || a.EnabledInfo.SwitchTime != "20261206T100000+0000" ||
		a.Parameters[ParamHostname] != "a1b2c3d4e5f6" || a.Parameters[ParamDockerServerVersion] != "27.3.1" {
		t.Errorf("agent = %+v", a)
	}
	if agents[1].Authorized || agents[1].Connected || !agents[1].EnabledInfo.Status {
		t.Errorf("second agent = %+v", agents[1])
	}
}

// onFake is a client of a fake TeamCity (internal/faketeamcity, modelled
// on TeamCity's REST documentation) with short retry pauses.
func onFake(t *testing.T, token string) (*faketeamcity.Server, *Client) {
	t.Helper()
	tc := faketeamcity.New(t)
	if token == "" {
		token = tc.Token
	}
	c, err := New(tc.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = []time.Duration{time.Millisecond}
	c.RequestTimeout = 2 * time.Second
	return tc, c
}

// enabledInfo PUT with a comment and a statusSwitchTime, "when the agent
// state should be automatically flipped"
// (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html).
func TestSetEnabledSendsCommentAndSwitchTime(t *testing.T) {
	tc, c := onFake(t, "")
	id := tc.AddAgent(faketeamcity.Agent{Name: "a1b2c3d4e5f6", Connected: true, Enabled: true, Authorized: true, IP: "10.0.1.5",
		Params: map[string]string{ParamHostname: "a1b2c3d4e5f6"}})
	when := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	got, err := c.SetEnabled(context.Background(), id, EnabledInfo{Status: false, Comment: "tcdind draining", SwitchTime: FormatTime(when)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status || got.Comment != "tcdind draining" || !ParseTime(got.SwitchTime).Equal(when) {
		t.Errorf("answer = %+v", got)
	}
	puts := tc.Puts()
	if len(puts) != 1 || puts[0].AgentID != id || puts[0].Enabled || puts[0].Comment != "tcdind draining" || !ParseTime(puts[0].SwitchTime).Equal(when) {
		t.Errorf("puts = %+v", puts)
	}
	back, err := c.ReadEnabled(context.Background(), id)
	if err != nil || back.Status || back.Comment != "tcdind draining" {
		t.Errorf("read back %+v, %v", back, err)
	}
	agents, err := c.Agents(context.Background())
	if err != nil || len(agents) != 1 || agents[0].Enabled || agents[0].Parameters[ParamHostname] != "a1b2c3d4e5f6" || agents[0].IP != "10.0.1.5" || agents[0].PoolName != "Default" {
		t.Errorf("agents %+v, %v", agents, err)
	}
}

// Unauthorized agents are listed too (locator authorized:any): a new
// agent may wait for authorization.
func TestAgentsListsUnauthorized(t *testing.T) {
	tc, c := onFake(t, "")
	tc.AddAgent(faketeamcity.Agent{Name: "new", Connected: true, Enabled: true, Authorized: false})
	agents, err := c.Agents(context.Background())
	if err != nil || len(agents) != 1 || agents[0].Authorized {
		t.Errorf("agents %+v, %v", agents, err)
	}
}

// 401: the token is refused; one line that says where the token goes.
func TestUnauthorizedIsOneLineWithWhatToDo(t *testing.T) {
	tc, c := onFake(t, "not-a-token")
	_, err := c.Agents(context.Background())
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"401 Unauthorized", "TEAMCITY_TOKEN", "--teamcity-token-file", "Access Tokens"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "not-a-token") || strings.Contains(msg, "\n") {
		t.Errorf("message leaks the token or spans lines: %q", msg)
	}
	if n := len(tc.Requests()); n != 1 {
		t.Errorf("a 401 was sent %d times", n)
	}
}

// 403 names the permission the call needs.
func TestForbiddenNamesThePermission(t *testing.T) {
	tc, c := onFake(t, "viewer")
	tc.AddToken("viewer", faketeamcity.EnableDisableAgents)
	id := tc.AddAgent(faketeamcity.Agent{Name: "a", Connected: true, Enabled: true, Authorized: true})
	if _, err := c.Agents(context.Background()); err != nil {
		t.Fatalf("reading agents: %v", err)
	}
	_, err := c.SetEnabled(context.Background(), id, EnabledInfo{Status: false, Comment: "x"})
	if err == nil || !strings.Contains(err.Error(), `"Enable / disable agents"`) || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("err = %v", err)
	}
	tc.AddToken("blind", faketeamcity.ViewAgentDetails)
	c2, _ := New(tc.URL, "blind")
	_, err = c2.Agents(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"View agent details"`) {
		t.Errorf("err = %v", err)
	}
}

// A 5xx is tried again, a bounded number of times.
func TestServerErrorsAreRetriedBounded(t *testing.T) {
	tc, c := onFake(t, "")
	tc.FailNext("GET", 2, http.StatusServiceUnavailable)
	s, err := c.Server(context.Background())
	if err != nil || s.Version != faketeamcity.Version || len(tc.Requests()) != 3 {
		t.Fatalf("server %+v, err %v, %d requests", s, err, len(tc.Requests()))
	}

	tc.FailNext("GET", -1, http.StatusInternalServerError)
	_, err = c.Server(context.Background())
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 500 || se.Tries != DefaultTries {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "500 Internal Server Error") || !strings.Contains(err.Error(), "3 tries") {
		t.Errorf("err = %v", err)
	}
	if n := len(tc.Requests()); n != 3+DefaultTries {
		t.Errorf("%d requests, want %d", n, 3+DefaultTries)
	}
}

// A slow answer times out each try, and the error says so.
func TestSlowAnswerTimesOut(t *testing.T) {
	tc, c := onFake(t, "")
	tc.SlowNext("GET", -1, time.Minute)
	c.RequestTimeout = 50 * time.Millisecond
	c.Tries = 2
	start := time.Now()
	_, err := c.RunningBuilds(context.Background(), 7)
	if err == nil || !strings.Contains(err.Error(), "did not answer") || !strings.Contains(err.Error(), "2 tries") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
}

// One slow answer, then a quick one: the second try succeeds.
func TestOneSlowAnswerIsTriedAgain(t *testing.T) {
	tc, c := onFake(t, "")
	tc.SlowNext("GET", 1, time.Minute)
	c.RequestTimeout = 100 * time.Millisecond
	if _, err := c.Server(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A cancelled context stops at once, between tries too.
func TestCancelStopsRetrying(t *testing.T) {
	tc, c := onFake(t, "")
	tc.FailNext("", -1, http.StatusBadGateway)
	c.Backoff = []time.Duration{time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.Agents(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second || len(tc.Requests()) != 1 {
		t.Errorf("took %s and %d requests", time.Since(start), len(tc.Requests()))
	}
}

func TestRunningBuilds(t *testing.T) {
	tc, c := onFake(t, "")
	id := tc.AddAgent(faketeamcity.Agent{Name: "a", Connected: true, Enabled: true, Authorized: true})
	other := tc.AddAgent(faketeamcity.Agent{Name: "b", Connected: true, Enabled: true, Authorized: true})
	started := time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)
	tc.AddBuild(faketeamcity.Build{AgentID: id, Name: "Build", ProjectName: "App", Number: "118", StartDate: started})
	tc.AddBuild(faketeamcity.Build{AgentID: other, Number: "7"})
	tc.AddBuild(faketeamcity.Build{AgentID: id, Number: "117", Finished: true})
	bs, err := c.RunningBuilds(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Number != "118" || bs[0].BuildType != "Build" || bs[0].Project != "App" || !bs[0].Started.Equal(started) {
		t.Errorf("builds = %+v", bs)
	}
}

func TestNotJSONSaysCheckTheURL(t *testing.T) {
	c := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>login</html>")
	})
	_, err := c.Agents(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is not its JSON") {
		t.Errorf("err = %v", err)
	}
}

func TestToken(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == TokenEnv {
				return v
			}
			return ""
		}
	}
	if tok, err := Token(env(" abc \n"), ""); tok != "abc" || err != nil {
		t.Errorf("env: %q %v", tok, err)
	}
	if _, err := Token(env(""), ""); !errors.Is(err, ErrNoToken) {
		t.Errorf("none: %v", err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "token")
	os.WriteFile(f, []byte("from-file\n"), 0o600)
	if tok, err := Token(env("from-env"), f); tok != "from-file" || err != nil {
		t.Errorf("file: %q %v", tok, err)
	}
	os.WriteFile(f, []byte("\n"), 0o600)
	if _, err := Token(env(""), f); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := Token(env(""), filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file is no error")
	}
}

func TestParseURL(t *testing.T) {
	for _, bad := range []string{"", "teamcity.example.com", "ftp://x", "https://user:pw@tc.example.com"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	u, err := ParseURL("https://ci.example.com/teamcity/")
	if err != nil || u.String() != "https://ci.example.com/teamcity" {
		t.Errorf("%v %v", u, err)
	}
}

// One try that timed out says so in the singular: no "(1 tries)".
func TestSlowAnswerOneTry(t *testing.T) {
	tc, c := onFake(t, "")
	tc.SlowNext("GET", -1, time.Minute)
	c.RequestTimeout = 50 * time.Millisecond
	c.Tries = 1
	_, err := c.RunningBuilds(context.Background(), 7)
	if err == nil || !strings.HasSuffix(err.Error(), "did not answer GET /app/rest/builds within 50ms") {
		t.Fatalf("err = %v", err)
	}
}
