package faketeamcity

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// ServeHTTP answers one request: faults first, then auth, then the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Accept: r.Header.Get("Accept"), Authorization: r.Header.Get("Authorization"),
			Status: rec.status,
		})
		s.mu.Unlock()
	}()
	delay, status := s.takeFaults(r.Method)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			rec.status = 0 // the client gave up; nothing was answered
			return
		}
	}
	if status != 0 {
		s.fail(rec, status, "faketeamcity: injected failure", "")
		return
	}
	lacks, ok := s.auth(r)
	if !ok {
		// quick-start.html: "Authorization: Bearer <token_value>"; without a
		// valid one TeamCity asks for authentication.
		rec.Header().Set("WWW-Authenticate", `Basic realm="TeamCity"`)
		rec.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		rec.WriteHeader(http.StatusUnauthorized)
		io.WriteString(rec, "Authentication required\nTo login manually go to \"/login.html\" page\n")
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	textOK := strings.HasSuffix(path, "/enabled")
	if !acceptsJSON(r, textOK) {
		// A real server answers XML here; this fake speaks JSON only, and
		// says so instead of answering something the client cannot parse.
		s.fail(rec, http.StatusNotAcceptable, "faketeamcity answers JSON only: send Accept: application/json", "")
		return
	}
	q := r.URL.Query()
	switch {
	case path == "/app/rest/server" && r.Method == http.MethodGet:
		s.serveServer(rec)
	case path == "/app/rest/agents" && r.Method == http.MethodGet:
		s.serveAgents(rec, q.Get("locator"), q.Get("fields"), lacks)
	case strings.HasPrefix(path, "/app/rest/agents/"):
		s.serveAgent(rec, r, strings.TrimPrefix(path, "/app/rest/agents/"), lacks)
	case path == "/app/rest/builds" && r.Method == http.MethodGet:
		s.serveBuilds(rec, q.Get("locator"), q.Get("fields"), lacks)
	case strings.HasPrefix(path, "/app/rest/builds/") && r.Method == http.MethodGet:
		s.serveBuild(rec, strings.TrimPrefix(path, "/app/rest/builds/"), q.Get("fields"), lacks)
	default:
		s.fail(rec, http.StatusNotFound, fmt.Sprintf("faketeamcity does not model %s %s", r.Method, r.URL.Path), "")
	}
}

func (s *Server) takeFaults(method string) (delay time.Duration, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tookDelay, tookStatus := false, false
	for _, f := range s.faults {
		if f.left == 0 || (f.method != "" && f.method != method) {
			continue
		}
		isDelay := f.delay > 0
		if (isDelay && tookDelay) || (!isDelay && tookStatus) {
			continue
		}
		if f.left > 0 {
			f.left--
		}
		if isDelay {
			delay, tookDelay = f.delay, true
		} else {
			status, tookStatus = f.status, true
		}
	}
	return delay, status
}

func (s *Server) auth(r *http.Request) ([]Permission, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lacks, ok := s.tokens[token]
	return lacks, ok
}

func acceptsJSON(r *http.Request, textOK bool) bool {
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "application/json") {
		return true
	}
	return textOK && (accept == "" || strings.Contains(accept, "text/plain") || strings.Contains(accept, "*/*"))
}

// fail answers TeamCity's JSON error shape, {"errors":[{message,
// additionalMessage, statusText}]}, the shape JetBrains' own client parses
// (github.com/JetBrains/teamcity-cli api/errors_parse.go).
func (s *Server) fail(w http.ResponseWriter, status int, message, additional string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message":           message,
		"additionalMessage": additional,
		"statusText":        fmt.Sprintf("Responding with error, status code: %d (%s).", status, http.StatusText(status)),
	}}})
}

// denied answers 403 as TeamCity does for a missing permission: the
// message quotes the permission's name (teamcity-cli issue 427 shows one).
func (s *Server) denied(w http.ResponseWriter, lacks []Permission, need Permission) bool {
	if !slices.Contains(lacks, need) {
		return false
	}
	msg := fmt.Sprintf("You do not have %q permission.", string(need))
	s.fail(w, http.StatusForbidden, msg, "jetbrains.buildServer.serverSide.auth.AccessDeniedException: "+msg)
	return true
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) serveServer(w http.ResponseWriter) {
	s.writeJSON(w, map[string]any{
		"version":      Version,
		"versionMajor": 2025,
		"versionMinor": 11,
		"buildNumber":  "197398",
		"buildDate":    "20251120T000000+0000",
		"internalId":   "faketeamcity",
		"role":         "main_node",
		"webUrl":       s.URL,
		"agents":       map[string]any{"href": "/app/rest/agents"},
		"builds":       map[string]any{"href": "/app/rest/builds"},
	})
}

var agentDims = []string{"$singleValue", "id", "name", "connected", "authorized", "enabled", "ip", "pool", "defaultFilter", "count", "start"}

// matchAgents filters agents by an AgentLocator
// (https://www.jetbrains.com/help/teamcity/rest/agentlocator.html). The
// list's default filter is authorized:true (manage-agents.html: "Only
// authorized agents are included by default"); defaultFilter:false drops
// it. Called with s.mu held.
func (s *Server) matchAgents(l locator, listing bool) ([]*Agent, error) {
	if u := l.unknown(agentDims...); len(u) > 0 {
		return nil, fmt.Errorf("faketeamcity does not model agent locator dimension(s) %s", strings.Join(u, ", "))
	}
	authDefault := "any"
	if listing && l["defaultFilter"] != "false" {
		authDefault = "true"
	}
	var out []*Agent
	for _, a := range s.agents {
		if a.AppearAfterPolls >= s.agentPolls && a.AppearAfterPolls > 0 {
			continue
		}
		if id, ok := l["id"]; ok && id != itoa(a.ID) {
			continue
		}
		if n, ok := l["name"]; ok && n != a.Name {
			continue
		}
		if n, ok := l["$singleValue"]; ok && n != a.Name {
			continue
		}
		if ip, ok := l["ip"]; ok && ip != a.IP {
			continue
		}
		if p, ok := l["pool"]; ok {
			pl, err := parseLocator(p)
			if err != nil {
				return nil, err
			}
			if (pl["id"] != "" && pl["id"] != itoa(a.PoolID)) || (pl["name"] != "" && pl["name"] != a.PoolName) {
				continue
			}
		}
		keep := true
		for _, c := range []struct {
			dim, def string
			v        bool
		}{{"connected", "any", a.Connected}, {"authorized", authDefault, a.Authorized}, {"enabled", "any", a.Enabled}} {
			ok, err := tristate(l, c.dim, c.def, c.v)
			if err != nil {
				return nil, err
			}
			keep = keep && ok
		}
		if keep {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *Server) serveAgents(w http.ResponseWriter, loc, fieldsParam string, lacks []Permission) {
	if s.denied(w, lacks, ViewAgentDetails) {
		return
	}
	s.mu.Lock()
	s.agentPolls++
	n, hook := s.agentPolls, s.onPoll
	s.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTime()
	l, err := parseLocator(loc)
	if err == nil {
		var agents []*Agent
		if agents, err = s.matchAgents(l, true); err == nil {
			items := []any{}
			for _, a := range page(agents, l) {
				if fieldsParam == "" {
					items = append(items, s.agentShort(a))
				} else {
					items = append(items, s.agentJSON(a, parseFields(fieldsParam).wants("agent", "build")))
				}
			}
			s.writeList(w, "agent", "/app/rest/agents", items, fieldsParam)
			return
		}
	}
	s.fail(w, http.StatusBadRequest, err.Error(), "")
}

func (s *Server) writeList(w http.ResponseWriter, key, href string, items []any, fieldsParam string) {
	var out any = map[string]any{"count": len(items), "href": href, key: items}
	if fieldsParam != "" {
		out = parseFields(fieldsParam).apply(out)
	}
	s.writeJSON(w, out)
}

// page applies count and start.
func page[T any](items []T, l locator) []T {
	if st, err := strconv.Atoi(l["start"]); err == nil && st > 0 {
		items = items[min(st, len(items)):]
	}
	if c, err := strconv.Atoi(l["count"]); err == nil && c >= 0 && c < len(items) {
		items = items[:c]
	}
	return items
}

// serveAgent answers /app/rest/agents/<locator>[/enabledInfo|/enabled].
func (s *Server) serveAgent(w http.ResponseWriter, r *http.Request, rest string, lacks []Permission) {
	loc, sub, _ := strings.Cut(rest, "/")
	if s.denied(w, lacks, ViewAgentDetails) {
		return
	}
	s.mu.Lock()
	s.applyTime()
	l, err := parseLocator(loc)
	var agents []*Agent
	if err == nil {
		agents, err = s.matchAgents(l, false)
	}
	s.mu.Unlock()
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	if len(agents) == 0 {
		if r.Method == http.MethodPut {
			s.recordPut(r.URL.Path, nil, putBody{}, http.StatusNotFound)
		}
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No agent found by locator '%s'.", loc), "")
		return
	}
	a := agents[0]
	switch {
	case sub == "" && r.Method == http.MethodGet:
		s.mu.Lock()
		f := r.URL.Query().Get("fields")
		var out any = s.agentJSON(a, f == "" || parseFields(f).wants("build"))
		s.mu.Unlock()
		if f != "" {
			out = parseFields(f).apply(out)
		}
		s.writeJSON(w, out)
	case sub == "enabledInfo" && r.Method == http.MethodGet:
		s.mu.Lock()
		info := s.agentJSON(a, false)["enabledInfo"]
		s.mu.Unlock()
		s.writeJSON(w, info)
	case sub == "enabled" && r.Method == http.MethodGet:
		s.mu.Lock()
		v := a.Enabled
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strconv.FormatBool(v))
	case (sub == "enabledInfo" || sub == "enabled") && r.Method == http.MethodPut:
		s.putEnabled(w, r, a, sub, lacks)
	default:
		s.fail(w, http.StatusNotFound, fmt.Sprintf("faketeamcity does not model %s %s", r.Method, r.URL.Path), "")
	}
}

type putBody struct {
	Status  bool `json:"status"`
	Comment *struct {
		Text string `json:"text"`
	} `json:"comment"`
	StatusSwitchTime string `json:"statusSwitchTime"`
}

// putEnabled enables or disables an agent: PUT an EnabledInfo entity (JSON,
// with a comment and an optional statusSwitchTime) to …/enabledInfo, or
// "true"/"false" as text/plain to …/enabled (manage-agents.html,
// enabledinfo.html).
func (s *Server) putEnabled(w http.ResponseWriter, r *http.Request, a *Agent, sub string, lacks []Permission) {
	raw, _ := io.ReadAll(r.Body)
	var body putBody
	var bad string
	if sub == "enabled" {
		switch strings.TrimSpace(string(raw)) {
		case "true":
			body.Status = true
		case "false":
		default:
			bad = fmt.Sprintf("expected true or false as text/plain, got %q", raw)
		}
	} else {
		ct := r.Header.Get("Content-Type")
		if !strings.Contains(ct, "application/json") {
			s.recordPut(r.URL.Path, a, body, http.StatusUnsupportedMediaType)
			s.fail(w, http.StatusUnsupportedMediaType, "faketeamcity takes enabledInfo as application/json, got "+ct, "")
			return
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			bad = "bad enabledInfo JSON: " + err.Error()
		} else if body.StatusSwitchTime != "" {
			if _, err := time.Parse(dateLayout, body.StatusSwitchTime); err != nil {
				bad = fmt.Sprintf("statusSwitchTime %q is not in TeamCity's date format (yyyyMMdd'T'HHmmssZ, e.g. 20260106T081500+0000)", body.StatusSwitchTime)
			}
		}
	}
	if bad != "" {
		s.recordPut(r.URL.Path, a, body, http.StatusBadRequest)
		s.fail(w, http.StatusBadRequest, bad, "")
		return
	}
	if slices.Contains(lacks, EnableDisableAgents) {
		s.recordPut(r.URL.Path, a, body, http.StatusForbidden)
		s.denied(w, lacks, EnableDisableAgents)
		return
	}
	s.mu.Lock()
	a.Enabled = body.Status
	a.EnabledComment = ""
	if body.Comment != nil {
		a.EnabledComment = body.Comment.Text
	}
	a.EnabledCommentSet = s.now()
	a.StatusSwitchTime = body.StatusSwitchTime
	info := s.agentJSON(a, false)["enabledInfo"]
	s.mu.Unlock()
	s.recordPut(r.URL.Path, a, body, http.StatusOK)
	if sub == "enabled" {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strconv.FormatBool(body.Status))
		return
	}
	s.writeJSON(w, info)
}

func (s *Server) recordPut(path string, a *Agent, body putBody, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := Put{Path: path, Enabled: body.Status, SwitchTime: body.StatusSwitchTime, Status: status, At: s.now()}
	if body.Comment != nil {
		p.Comment = body.Comment.Text
	}
	if a != nil {
		p.AgentID, p.AgentName = a.ID, a.Name
	}
	s.puts = append(s.puts, p)
}

var buildDims = []string{"$singleValue", "id", "running", "agent", "defaultFilter", "count", "start"}

// matchBuilds filters builds by a BuildLocator. Without running (and
// without defaultFilter:false) only finished builds match: TeamCity's
// default filter keeps "finished builds which are not canceled …"
// (rest/2020.2/manage-builds.html). agent:(<agent locator>) is the builds
// of matching agents (get-build-statistics.html). Called with s.mu held.
func (s *Server) matchBuilds(l locator) ([]*Build, error) {
	if u := l.unknown(buildDims...); len(u) > 0 {
		return nil, fmt.Errorf("faketeamcity does not model build locator dimension(s) %s", strings.Join(u, ", "))
	}
	runningDefault := "false"
	if l["defaultFilter"] == "false" {
		runningDefault = "any"
	}
	var agentIDs []int
	if al, ok := l["agent"]; ok {
		loc, err := parseLocator(al)
		if err != nil {
			return nil, err
		}
		agents, err := s.matchAgents(loc, false)
		if err != nil {
			return nil, err
		}
		for _, a := range agents {
			agentIDs = append(agentIDs, a.ID)
		}
	}
	var out []*Build
	for _, b := range slices.Backward(s.builds) { // newest first, as TeamCity lists
		s.finishIfShown(b)
		if id, ok := l["id"]; ok && id != itoa(b.ID) {
			continue
		}
		if id, ok := l["$singleValue"]; ok && id != itoa(b.ID) {
			continue
		}
		if _, ok := l["agent"]; ok && !slices.Contains(agentIDs, b.AgentID) {
			continue
		}
		ok, err := tristate(l, "running", runningDefault, !b.Finished)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, b)
		}
	}
	return out, nil
}

func (s *Server) serveBuilds(w http.ResponseWriter, loc, fieldsParam string, lacks []Permission) {
	if s.denied(w, lacks, ViewProject) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTime()
	l, err := parseLocator(loc)
	if err == nil {
		var builds []*Build
		if builds, err = s.matchBuilds(l); err == nil {
			items := []any{}
			for _, b := range page(builds, l) {
				if !b.Finished {
					b.shownRunning++ // shown running, for FinishAfterPolls
				}
				if fieldsParam == "" {
					items = append(items, s.buildShort(b))
				} else {
					items = append(items, s.buildJSON(b))
				}
			}
			s.writeList(w, "build", "/app/rest/builds", items, fieldsParam)
			return
		}
	}
	s.fail(w, http.StatusBadRequest, err.Error(), "")
}

func (s *Server) serveBuild(w http.ResponseWriter, loc, fieldsParam string, lacks []Permission) {
	if s.denied(w, lacks, ViewProject) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTime()
	l, err := parseLocator(loc)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	if _, ok := l["running"]; !ok {
		l["running"] = "any" // a build asked for by id is found running or not
	}
	builds, err := s.matchBuilds(l)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error(), "")
		return
	}
	if len(builds) == 0 {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No build found by locator '%s'.", loc), "")
		return
	}
	if !builds[0].Finished {
		builds[0].shownRunning++
	}
	var out any = s.buildJSON(builds[0])
	if fieldsParam != "" {
		out = parseFields(fieldsParam).apply(out)
	}
	s.writeJSON(w, out)
}
