package faketeamcity

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// get asks the fake as a TeamCity client would and decodes the JSON answer.
func get(t *testing.T, s *Server, token, path string, out any) int {
	t.Helper()
	return do(t, s, token, http.MethodGet, path, "", "", out)
}

func do(t *testing.T, s *Server, token, method, path, contentType, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	if out != nil && resp.StatusCode != http.StatusOK {
		if m, ok := out.(*map[string]any); ok {
			json.Unmarshal(raw, m)
		}
	}
	return resp.StatusCode
}

type agentList struct {
	Count int `json:"count"`
	Agent []struct {
		ID         int    `json:"id"`
		Name       string `json:"name"`
		IP         string `json:"ip"`
		Connected  *bool  `json:"connected"`
		Properties *struct {
			Property []struct{ Name, Value string } `json:"property"`
		} `json:"properties"`
		Build *struct {
			ID    int    `json:"id"`
			State string `json:"state"`
		} `json:"build"`
	} `json:"agent"`
}

func TestAuth(t *testing.T) {
	s := New(t)
	s.AddToken("read-only", EnableDisableAgents)
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 401}, {Token, 200}, {"read-only", 200}} {
		if got := get(t, s, c.token, "/app/rest/server", nil); got != c.want {
			t.Errorf("token %q: status %d, want %d", c.token, got, c.want)
		}
	}
	var srv map[string]any
	get(t, s, Token, "/app/rest/server", &srv)
	if srv["version"] != Version {
		t.Errorf("server version %v, want %s", srv["version"], Version)
	}
	reqs := s.Requests()
	if len(reqs) != 5 || reqs[0].Status != 401 || reqs[4].Authorization != "Bearer "+Token {
		t.Errorf("requests recorded: %+v", reqs)
	}
}

func TestNotAcceptableWithoutJSON(t *testing.T) {
	s := New(t)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/app/rest/agents", nil)
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("status %d without Accept: application/json, want 406", resp.StatusCode)
	}
}

func TestAgentListFilterAndFields(t *testing.T) {
	s := New(t)
	s.AddAgent(Agent{Name: "old-1", IP: "10.0.1.5", Connected: true, Enabled: true, Authorized: true,
		Params: map[string]string{"env.HOSTNAME": "ip-10-0-1-5"}})
	s.AddAgent(Agent{Name: "new-unauthorized", IP: "10.0.1.6", Connected: true})

	var l agentList
	get(t, s, Token, "/app/rest/agents", &l)
	if l.Count != 1 || l.Agent[0].Name != "old-1" {
		t.Fatalf("default filter should list the authorized agent only: %+v", l)
	}
	if l.Agent[0].IP != "" || l.Agent[0].Properties != nil {
		t.Errorf("a list without fields= is the short form, got %+v", l.Agent[0])
	}

	l = agentList{}
	get(t, s, Token, "/app/rest/agents?locator="+url.QueryEscape("authorized:any")+
		"&fields="+url.QueryEscape("count,agent(id,name,ip,properties(property(name,value)))"), &l)
	if l.Count != 2 {
		t.Fatalf("authorized:any lists %d agents, want 2", l.Count)
	}
	if l.Agent[0].IP != "10.0.1.5" || l.Agent[0].Properties == nil ||
		l.Agent[0].Properties.Property[0].Value != "ip-10-0-1-5" || l.Agent[0].Connected != nil {
		t.Errorf("fields= should select ip and properties and nothing else: %+v", l.Agent[0])
	}

	l = agentList{}
	get(t, s, Token, "/app/rest/agents?locator=defaultFilter:false,connected:true,name:new-unauthorized&fields=count,agent($long)", &l)
	if l.Count != 1 || l.Agent[0].Connected == nil {
		t.Errorf("defaultFilter:false and name: with $long: %+v", l)
	}

	var e map[string]any
	if got := get(t, s, Token, "/app/rest/agents?locator=hostname:x", &e); got != 400 ||
		!strings.Contains(e["errors"].([]any)[0].(map[string]any)["message"].(string), "hostname") {
		t.Errorf("an unmodelled dimension should be a 400 naming it, got %d %v", got, e)
	}
}

func TestSingleAgent(t *testing.T) {
	s := New(t)
	id := s.AddAgent(Agent{Name: "a1", Connected: true, Authorized: false, Params: DockerParams("27.3.1")})
	var a map[string]any
	if got := get(t, s, Token, "/app/rest/agents/id:"+itoa(id), &a); got != 200 || a["name"] != "a1" {
		t.Fatalf("id locator: %d %v", got, a)
	}
	props := a["properties"].(map[string]any)["property"].([]any)
	if len(props) != 3 || props[1].(map[string]any)["name"] != "docker.server.version" {
		t.Errorf("Docker parameters: %v", props)
	}
	a = nil
	if got := get(t, s, Token, "/app/rest/agents/name:a1?fields=id,name", &a); got != 200 || len(a) != 2 {
		t.Errorf("name locator with fields: %d %v", got, a)
	}
	if got := get(t, s, Token, "/app/rest/agents/id:99", nil); got != 404 {
		t.Errorf("missing agent: %d, want 404", got)
	}
}

func TestDisableWithCommentAndSwitchBack(t *testing.T) {
	s := New(t)
	now := time.Date(2026, 1, 6, 8, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	id := s.AddAgent(Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})

	back := now.Add(time.Hour).Format(DateLayout)
	body := `{"status":false,"comment":{"text":"tcdind: stack tc, change set x"},"statusSwitchTime":"` + back + `"}`
	var info map[string]any
	if got := do(t, s, Token, http.MethodPut, "/app/rest/agents/id:"+itoa(id)+"/enabledInfo", "application/json", body, &info); got != 200 {
		t.Fatalf("PUT enabledInfo: %d", got)
	}
	if info["status"] != false || info["statusSwitchTime"] != back ||
		info["comment"].(map[string]any)["text"] != "tcdind: stack tc, change set x" {
		t.Errorf("enabledInfo answered: %v", info)
	}
	a, _ := s.Agent(id)
	if a.Enabled || a.EnabledComment != "tcdind: stack tc, change set x" {
		t.Errorf("agent after disabling: %+v", a)
	}
	puts := s.Puts()
	if len(puts) != 1 || puts[0].AgentID != id || puts[0].Enabled || puts[0].SwitchTime != back || puts[0].Status != 200 {
		t.Errorf("recorded puts: %+v", puts)
	}

	now = now.Add(time.Hour)
	if a, _ := s.Agent(id); !a.Enabled || a.StatusSwitchTime != "" {
		t.Errorf("the switch-back time passed; agent should be enabled again: %+v", a)
	}

	if got := do(t, s, Token, http.MethodPut, "/app/rest/agents/id:"+itoa(id)+"/enabledInfo", "application/json",
		`{"status":false,"statusSwitchTime":"2026-01-06T09:00:00Z"}`, nil); got != 400 {
		t.Errorf("an RFC 3339 switch time should be refused (400), got %d", got)
	}
	if got := do(t, s, Token, http.MethodPut, "/app/rest/agents/id:"+itoa(id)+"/enabled", "text/plain", "false", nil); got != 200 {
		t.Errorf("PUT enabled text/plain: %d", got)
	}
	if a, _ := s.Agent(id); a.Enabled {
		t.Error("PUT enabled false left the agent enabled")
	}
}

func TestForbiddenNamesPermission(t *testing.T) {
	s := New(t)
	s.AddToken("viewer", EnableDisableAgents)
	id := s.AddAgent(Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})
	var e map[string]any
	got := do(t, s, "viewer", http.MethodPut, "/app/rest/agents/id:"+itoa(id)+"/enabledInfo", "application/json", `{"status":false}`, &e)
	if got != 403 {
		t.Fatalf("status %d, want 403", got)
	}
	msg := e["errors"].([]any)[0].(map[string]any)["message"].(string)
	if !strings.Contains(msg, `"Enable / disable agents" permission`) {
		t.Errorf("403 message should name the permission: %q", msg)
	}
	if a, _ := s.Agent(id); !a.Enabled {
		t.Error("a denied PUT disabled the agent")
	}
	if p := s.Puts(); len(p) != 1 || p[0].Status != 403 {
		t.Errorf("the denied PUT should be recorded with 403: %+v", p)
	}
}

func TestRunningBuildsFinishAfterPolls(t *testing.T) {
	s := New(t)
	a1 := s.AddAgent(Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})
	a2 := s.AddAgent(Agent{Name: "a2", Connected: true, Enabled: true, Authorized: true})
	b1 := s.AddBuild(Build{AgentID: a1, Name: "Build", FinishAfterPolls: 2})
	s.AddBuild(Build{AgentID: a2, Finished: true})

	var l struct {
		Count int `json:"count"`
		Build []struct {
			ID    int    `json:"id"`
			State string `json:"state"`
		} `json:"build"`
	}
	get(t, s, Token, "/app/rest/builds?locator=agent:(id:"+itoa(a1)+")", &l)
	if l.Count != 0 {
		t.Errorf("without running: only finished builds are listed, got %+v", l)
	}
	path := "/app/rest/builds?locator=" + url.QueryEscape("running:true,agent:(id:"+itoa(a1)+")")
	for i := 1; i <= 2; i++ {
		get(t, s, Token, path, &l)
		if l.Count != 1 || l.Build[0].ID != b1 || l.Build[0].State != "running" {
			t.Fatalf("poll %d: want build %d running, got %+v", i, b1, l)
		}
	}
	var ag agentList
	get(t, s, Token, "/app/rest/agents?fields=agent(id,build(id,state))", &ag)
	for _, a := range ag.Agent {
		if a.Build != nil {
			t.Errorf("build shown running twice should be finished; agent %d still shows %+v", a.ID, a.Build)
		}
	}
	get(t, s, Token, path, &l)
	if l.Count != 0 {
		t.Errorf("after two polls the build should be finished: %+v", l)
	}
	if r := s.RunningBuilds(); len(r) != 0 {
		t.Errorf("running builds: %v", r)
	}
}

func TestAgentFieldsBuildAndFinishAfterTime(t *testing.T) {
	s := New(t)
	now := time.Date(2026, 1, 6, 8, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	id := s.AddAgent(Agent{Name: "a1", Connected: true, Enabled: true, Authorized: true})
	b := s.AddBuild(Build{AgentID: id, Name: "Integration tests", FinishAfter: 10 * time.Minute})
	now = now.Add(4 * time.Minute)
	var a struct {
		Build struct {
			ID          int `json:"id"`
			RunningInfo struct {
				Elapsed int `json:"elapsedSeconds"`
			} `json:"running-info"`
			BuildType struct{ Name string } `json:"buildType"`
		} `json:"build"`
	}
	get(t, s, Token, "/app/rest/agents/id:"+itoa(id)+"?fields=build", &a)
	if a.Build.ID != b || a.Build.RunningInfo.Elapsed != 240 || a.Build.BuildType.Name != "Integration tests" {
		t.Errorf("agent's running build: %+v", a)
	}
	now = now.Add(6 * time.Minute)
	if r := s.RunningBuilds(); len(r) != 0 {
		t.Errorf("FinishAfter passed; still running: %v", r)
	}
	s.AddBuild(Build{AgentID: id})
	b3 := s.AddBuild(Build{AgentID: id})
	s.FinishBuild(b3)
	if r := s.RunningBuilds(); len(r) != 1 {
		t.Errorf("FinishBuild: running %v, want one", r)
	}
}

func TestAgentsAppearLater(t *testing.T) {
	s := New(t)
	s.AddAgent(Agent{Name: "new-1", Connected: true, Enabled: true, Authorized: true, AppearAfterPolls: 2})
	var connected int
	s.OnAgentsPoll(func(n int) {
		if n == 3 {
			connected = s.AddAgent(Agent{Name: "new-2", Authorized: true})
		}
		if n == 4 {
			s.SetAgent(connected, func(a *Agent) { a.Connected = true; a.Params = DockerParams("27.3.1") })
		}
	})
	counts := []int{}
	for range 4 {
		var l agentList
		get(t, s, Token, "/app/rest/agents?locator=connected:true", &l)
		counts = append(counts, l.Count)
	}
	if want := []int{0, 0, 1, 2}; !equal(counts, want) {
		t.Errorf("connected agents per poll %v, want %v", counts, want)
	}
}

func TestFaultsAndSlowAnswers(t *testing.T) {
	s := New(t)
	s.FailNext(http.MethodGet, 2, 503)
	s.FailNext(http.MethodPut, 1, 500)
	for i, want := range []int{503, 503, 200} {
		if got := get(t, s, Token, "/app/rest/server", nil); got != want {
			t.Errorf("GET %d: %d, want %d", i+1, got, want)
		}
	}
	id := s.AddAgent(Agent{Name: "a1", Enabled: true, Authorized: true})
	for i, want := range []int{500, 200} {
		if got := do(t, s, Token, http.MethodPut, "/app/rest/agents/id:"+itoa(id)+"/enabled", "text/plain", "false", nil); got != want {
			t.Errorf("PUT %d: %d, want %d", i+1, got, want)
		}
	}

	s.SlowNext("", 1, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/app/rest/server", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+Token)
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a slow answer should outlast the client's deadline, got %v", err)
	}
	if got := get(t, s, Token, "/app/rest/server", nil); got != 200 {
		t.Errorf("after the one slow answer: %d", got)
	}
}

func TestFieldsParse(t *testing.T) {
	f := parseFields("count,agent(id,name,pool(name),properties($long)),$locator(count:1)")
	if !f.wants("agent", "pool", "name") || f.wants("agent", "ip") || !f.wants("agent", "properties", "anything") || f.wants("href") {
		t.Errorf("parsed %+v", f)
	}
	l, err := parseLocator("running:true,agent:(id:3,pool:(name:x)),Agent-7")
	if err != nil || l["running"] != "true" || l["agent"] != "id:3,pool:(name:x)" || l["$singleValue"] != "Agent-7" {
		t.Errorf("locator %v %v", l, err)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
