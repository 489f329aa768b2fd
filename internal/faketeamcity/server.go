package faketeamcity

import (
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Token is the token New accepts with every permission; Server.Token holds it.
const Token = "eyJ0eXAiOiAiVENWMiJ9.faketeamcity.full"

// Version is the server version /app/rest/server reports.
const Version = "2025.11 (build 197398)"

// Permission is a TeamCity permission a token may lack. Its value is the
// name TeamCity's 403 message quotes.
type Permission string

const (
	// EnableDisableAgents is needed to PUT enabledInfo or enabled
	// (ENABLE_DISABLE_AGENT in TeamCity's role settings).
	EnableDisableAgents Permission = "Enable / disable agents"
	// ViewAgentDetails is needed to read agents (VIEW_AGENT_DETAILS).
	ViewAgentDetails Permission = "View agent details"
	// ViewProject is needed to read builds (VIEW_PROJECT).
	ViewProject Permission = "View project and all parent projects"
)

// Agent is one build agent as TeamCity knows it.
type Agent struct {
	ID         int // 0: the next free id
	Name       string
	TypeID     int // 0: the same as ID
	Connected  bool
	Enabled    bool
	Authorized bool
	IP         string
	PoolID     int    // 0 is TeamCity's "Default" pool
	PoolName   string // "": "Default"
	// Params are the parameters the agent reports (the Agent entity's
	// "properties"): env.HOSTNAME, docker.server.version, teamcity.* …
	Params map[string]string

	// AppearAfterPolls hides the agent until the agent list has been
	// asked for that many times (a new ECS task's agent registering).
	AppearAfterPolls int

	// Set by the server: the enabledInfo comment and switch-back time
	// (empty unless a PUT set them).
	EnabledComment    string
	StatusSwitchTime  string
	EnabledCommentSet time.Time
}

// Build is one build on an agent.
type Build struct {
	ID          int // 0: the next free id
	BuildTypeID string
	// Name is the build configuration's name; ProjectName its project's.
	Name        string
	ProjectName string
	Number      string
	AgentID     int
	StartDate   time.Time // zero: the clock's now when added
	// Finished is true once the build is over (AddBuild it finished to
	// model history).
	Finished   bool
	FinishDate time.Time

	// FinishAfterPolls finishes the build after that many answers have
	// shown it running; FinishAfter after that much time on the server's
	// clock since StartDate. Zero: runs until FinishBuild.
	FinishAfterPolls int
	FinishAfter      time.Duration

	shownRunning int
}

// Put is one PUT request, answered or not.
type Put struct {
	Path      string
	AgentID   int // 0 when the locator found no agent
	AgentName string
	// Enabled, Comment and SwitchTime are what the body asked for.
	Enabled    bool
	Comment    string
	SwitchTime string
	Status     int // the HTTP status answered
	At         time.Time
}

// Request is one request the server answered.
type Request struct {
	Method string
	Path   string
	Query  string // raw, undecoded
	Accept string
	// Authorization is the header's value as sent.
	Authorization string
	Status        int
}

type fault struct {
	method string
	left   int // <0: forever
	status int
	delay  time.Duration
}

// Server is a running fake TeamCity.
type Server struct {
	URL   string
	Token string

	mu         sync.Mutex
	now        func() time.Time
	tokens     map[string][]Permission // token -> permissions it lacks
	agents     []*Agent
	builds     []*Build
	nextAgent  int
	nextBuild  int
	agentPolls int
	faults     []*fault
	puts       []Put
	requests   []Request
	onPoll     func(n int)
}

// New starts a fake TeamCity server closed when the test ends. It accepts
// Token with every permission and has no agents.
func New(t testing.TB) *Server {
	s := &Server{
		Token:     Token,
		now:       time.Now,
		tokens:    map[string][]Permission{Token: nil},
		nextAgent: 1,
		nextBuild: 100,
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// SetClock sets the server's clock (dates, switch-back times, FinishAfter).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// AddToken makes token valid, lacking the given permissions: what needs
// one of them is answered 403.
func (s *Server) AddToken(token string, lacks ...Permission) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = lacks
}

// AddAgent adds an agent and returns its id.
func (s *Server) AddAgent(a Agent) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == 0 {
		a.ID = s.nextAgent
	}
	s.nextAgent = max(s.nextAgent, a.ID+1)
	if a.TypeID == 0 {
		a.TypeID = a.ID
	}
	if a.PoolName == "" && a.PoolID == 0 {
		a.PoolName = "Default"
	}
	a.Params = cloneParams(a.Params)
	s.agents = append(s.agents, &a)
	return a.ID
}

// SetAgent changes the agent with that id (connect it, give it Docker
// parameters …); it reports false when there is none.
func (s *Server) SetAgent(id int, change func(*Agent)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.agentByID(id)
	if a == nil {
		return false
	}
	change(a)
	return true
}

// RemoveAgent forgets an agent, as TeamCity does a deleted one.
func (s *Server) RemoveAgent(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agents = slices.DeleteFunc(s.agents, func(a *Agent) bool { return a.ID == id })
}

// Agent returns a copy of the agent with that id as it is now.
func (s *Server) Agent(id int) (Agent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTime()
	a := s.agentByID(id)
	if a == nil {
		return Agent{}, false
	}
	c := *a
	c.Params = cloneParams(a.Params)
	return c, true
}

// AddBuild adds a build (running unless Finished) and returns its id.
func (s *Server) AddBuild(b Build) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.ID == 0 {
		b.ID = s.nextBuild
	}
	s.nextBuild = max(s.nextBuild, b.ID+1)
	if b.StartDate.IsZero() {
		b.StartDate = s.now()
	}
	if b.Number == "" {
		b.Number = itoa(b.ID)
	}
	if b.Name == "" {
		b.Name = "Build"
	}
	if b.ProjectName == "" {
		b.ProjectName = "Project"
	}
	if b.BuildTypeID == "" {
		b.BuildTypeID = "Project_Build"
	}
	s.builds = append(s.builds, &b)
	return b.ID
}

// FinishBuild ends a running build now.
func (s *Server) FinishBuild(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.builds {
		if b.ID == id && !b.Finished {
			b.Finished, b.FinishDate = true, s.now()
		}
	}
}

// RunningBuilds returns the ids of the builds running now.
func (s *Server) RunningBuilds() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTime()
	var ids []int
	for _, b := range s.builds {
		if !b.Finished {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

// OnAgentsPoll calls f with n, 1 for the first, before answering each
// request for the agent list, under no lock: f may change the server.
func (s *Server) OnAgentsPoll(f func(n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPoll = f
}

// FailNext answers the next n requests of that method ("" for any) with
// status instead (503, 500 …); n < 0 fails every one.
func (s *Server) FailNext(method string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, left: n, status: status})
}

// SlowNext holds the next n requests of that method ("" for any) for d
// before answering (or until the client gives up); n < 0 slows every one.
func (s *Server) SlowNext(method string, n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, left: n, delay: d})
}

// Puts returns every PUT so far, in order, whatever was answered.
func (s *Server) Puts() []Put {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.puts)
}

// Requests returns every request so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// DockerParams are the parameters TeamCity's Docker integration sets on an
// agent where `docker` answers: docker.version (the CLI),
// docker.server.version (the engine) and docker.server.osType. Source:
// https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html
// ("Parameters Reported by Agent").
func DockerParams(version string) map[string]string {
	return map[string]string{
		"docker.version":        version,
		"docker.server.version": version,
		"docker.server.osType":  "linux",
	}
}

func (s *Server) agentByID(id int) *Agent {
	for _, a := range s.agents {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// applyTime finishes builds whose time is up and flips agents whose
// statusSwitchTime has passed. Called with s.mu held.
func (s *Server) applyTime() {
	now := s.now()
	for _, b := range s.builds {
		if !b.Finished && b.FinishAfter > 0 && !now.Before(b.StartDate.Add(b.FinishAfter)) {
			b.Finished, b.FinishDate = true, now
		}
	}
	for _, a := range s.agents {
		if a.StatusSwitchTime == "" {
			continue
		}
		// enabledinfo.html: "date and time when the agent state should be
		// automatically flipped".
		if at, err := time.Parse(dateLayout, a.StatusSwitchTime); err == nil && !now.Before(at) {
			a.Enabled = !a.Enabled
			a.StatusSwitchTime = ""
		}
	}
}

func cloneParams(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
