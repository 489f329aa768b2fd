// Package awsproxy is a test proxy in front of an AWS emulator (moto_server)
// that counts the API calls going through it and injects what the emulator
// cannot do: errors (throttling, 5xx, validation), rewritten answers (a busy
// stack, a FAILED change set) and made-up ones (a rollback's events, an ECS
// rollout). It speaks the CloudFormation query protocol (form-encoded POST,
// XML answers) and ECS's JSON protocol (X-Amz-Target, JSON answers), and
// counts S3 calls by method.
package awsproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request that reached the proxy.
type Call struct {
	Action string // CloudFormation or ECS action, or "S3:PUT" etc.
	// Form are the CloudFormation request's parameters; for an ECS
	// request, its top-level string fields.
	Form   url.Values
	Path   string // the S3 request's path
	Header http.Header
}

// Reply is an answer given instead of the emulator's.
type Reply struct {
	Status int
	Body   string
	// ContentType is the answer's type; empty is text/xml (text/html for
	// a body that starts with <html).
	ContentType string
}

func (r *Reply) contentType() string {
	switch {
	case r.ContentType != "":
		return r.ContentType
	case strings.HasPrefix(r.Body, "<html"):
		return "text/html"
	}
	return "text/xml"
}

// InterceptFunc may answer the n-th call (1-based) of an action itself; nil
// lets it through to the emulator.
type InterceptFunc func(n int, form url.Values) *Reply

// RewriteFunc changes the emulator's answer to the n-th call of an action.
type RewriteFunc func(n int, form url.Values, body []byte) []byte

// Proxy forwards to an emulator, counting and altering calls.
type Proxy struct {
	URL string

	mu        sync.Mutex
	calls     []Call
	counts    map[string]int
	intercept map[string]InterceptFunc
	rewrite   map[string]RewriteFunc
	lose      map[string]LoseFunc
	holds     map[string]*Gate
	denied    map[string]bool // regions that answer AccessDenied
	target    *url.URL
}

// LoseFunc decides the fate of the n-th call of an action that reached the
// emulator: a non-nil Reply is answered instead of the emulator's (a 500
// or a gateway's 504 after the work was done); Drop closes the connection
// without an answer; nil passes the emulator's answer on.
type LoseFunc func(n int) *Reply

// Drop is a LoseFunc reply that closes the connection unanswered.
var Drop = &Reply{Status: -1}

// Gate holds the calls of an action as if they were in flight: they reach
// the emulator only when released, and then also when the client gave up
// waiting (AWS carries out what it received).
type Gate struct {
	which   func(n int) bool
	arrived chan struct{}
	once    sync.Once
	release chan struct{}
	drop    bool
	mu      sync.Mutex
}

// Arrived is closed when the first held call arrives.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Release lets the held calls through to the emulator.
func (g *Gate) Release() { g.mu.Lock(); defer g.mu.Unlock(); g.close(false) }

// Lose ends the held calls without forwarding them: the request never
// reached AWS, and the connection closes unanswered.
func (g *Gate) Lose() { g.mu.Lock(); defer g.mu.Unlock(); g.close(true) }

func (g *Gate) close(drop bool) {
	select {
	case <-g.release:
	default:
		g.drop = drop
		close(g.release)
	}
}

// Hold holds the calls of action for which which(n) is true (nil: all)
// until the gate is released or lost.
func (p *Proxy) Hold(action string, which func(n int) bool) *Gate {
	g := &Gate{which: which, arrived: make(chan struct{}), release: make(chan struct{})}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holds[action] = g
	return g
}

// Lose sets (or, with nil, removes) what happens to the answers of an
// action that reached the emulator.
func (p *Proxy) Lose(action string, f LoseFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f == nil {
		delete(p.lose, action)
		return
	}
	p.lose[action] = f
}

// New starts a proxy in front of target for t.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{counts: map[string]int{}, intercept: map[string]InterceptFunc{}, rewrite: map[string]RewriteFunc{},
		lose: map[string]LoseFunc{}, holds: map[string]*Gate{}, denied: map[string]bool{}, target: u}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		action, _ := resp.Request.Context().Value(ctxKey{}).(*reqInfo)
		if action == nil {
			return nil
		}
		p.mu.Lock()
		f := p.rewrite[action.action]
		p.mu.Unlock()
		if f == nil {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = f(action.n, action.form, body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		call := Call{Path: r.URL.Path, Header: r.Header.Clone()}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			call.Form, _ = url.ParseQuery(string(body))
			call.Action = call.Form.Get("Action")
		}
		if target := r.Header.Get("X-Amz-Target"); target != "" {
			call.Action = target[strings.LastIndex(target, ".")+1:]
			call.Form = jsonFields(body)
		}
		if call.Action == "" {
			call.Action = "S3:" + r.Method
		}
		p.mu.Lock()
		p.calls = append(p.calls, call)
		p.counts[call.Action]++
		n := p.counts[call.Action]
		f := p.intercept[call.Action]
		lose := p.lose[call.Action]
		gate := p.holds[call.Action]
		deny := p.denied[signedRegion(r)]
		p.mu.Unlock()
		if deny {
			reply := deniedReply(call)
			w.Header().Set("Content-Type", reply.contentType())
			w.WriteHeader(reply.Status)
			io.WriteString(w, reply.Body)
			return
		}
		if gate != nil && (gate.which == nil || gate.which(n)) {
			gate.once.Do(func() { close(gate.arrived) })
			<-gate.release
			gate.mu.Lock()
			drop := gate.drop
			gate.mu.Unlock()
			if drop {
				hangUp(w)
				return
			}
			if r.Context().Err() != nil {
				// The client gave up; AWS still does what it received.
				p.forward(r, body)
				return
			}
		}
		if f != nil {
			if reply := f(n, call.Form); reply != nil {
				w.Header().Set("Content-Type", reply.contentType())
				w.Header().Set("X-Amzn-Requestid", "awsproxy-"+strconv.Itoa(n))
				w.WriteHeader(reply.Status)
				io.WriteString(w, reply.Body)
				return
			}
		}
		if lose != nil {
			if reply := lose(n); reply != nil {
				p.forward(r, body)
				if reply.Status < 0 {
					hangUp(w)
					return
				}
				w.Header().Set("Content-Type", reply.contentType())
				w.WriteHeader(reply.Status)
				io.WriteString(w, reply.Body)
				return
			}
		}
		info := &reqInfo{action: call.Action, n: n, form: call.Form}
		rp.ServeHTTP(w, r.WithContext(contextWith(r, info)))
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// forward sends a request on to the emulator and throws the answer away,
// whatever became of the client.
func (p *Proxy) forward(r *http.Request, body []byte) {
	u := *p.target
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// GatewayTimeout is what a gateway answers when the service behind it was
// too slow: an HTML page, not an AWS answer.
var GatewayTimeout = &Reply{Status: 504, Body: "<html><body><h1>504 Gateway Time-out</h1></body></html>"}

// Intercept sets (or, with nil, removes) the interceptor of an action.
func (p *Proxy) Intercept(action string, f InterceptFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f == nil {
		delete(p.intercept, action)
		return
	}
	p.intercept[action] = f
}

// Rewrite sets (or, with nil, removes) the rewriter of an action's answers.
func (p *Proxy) Rewrite(action string, f RewriteFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f == nil {
		delete(p.rewrite, action)
		return
	}
	p.rewrite[action] = f
}

// Reset forgets the calls counted so far and every interceptor and rewriter.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
	p.counts = map[string]int{}
	p.intercept = map[string]InterceptFunc{}
	p.rewrite = map[string]RewriteFunc{}
	p.lose = map[string]LoseFunc{}
	p.holds = map[string]*Gate{}
}

// Calls are the requests so far, in order.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Count is the number of calls of action so far.
func (p *Proxy) Count(action string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[action]
}

// Actions are the actions called so far, in order.
func (p *Proxy) Actions() []string {
	var list []string
	for _, c := range p.Calls() {
		list = append(list, c.Action)
	}
	return list
}

// Last is the last call of action, if any.
func (p *Proxy) Last(action string) (Call, bool) {
	calls := p.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Action == action {
			return calls[i], true
		}
	}
	return Call{}, false
}

// Header is a header of the last call of action, if any.
func (p *Proxy) Header(action, name string) string {
	if c, ok := p.Last(action); ok {
		return c.Header.Get(name)
	}
	return ""
}

// ErrorReply is a CloudFormation error answer.
func ErrorReply(status int, code, message string) *Reply {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	return &Reply{Status: status, Body: fmt.Sprintf(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awsproxy</RequestId></ErrorResponse>`,
		typ, esc(code), esc(message))}
}

// jsonFields are the top-level string fields of a JSON request body.
func jsonFields(body []byte) url.Values {
	var m map[string]any
	v := url.Values{}
	if json.Unmarshal(body, &m) != nil {
		return v
	}
	for k, x := range m {
		switch x := x.(type) {
		case string:
			v.Set(k, x)
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					v.Add(k, s)
				}
			}
		}
	}
	return v
}

// JSONReply is an answer of a JSON-protocol service (ECS) with v as its
// body.
func JSONReply(v any) *Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a test's own value: a bug in the test
	}
	return &Reply{Status: 200, Body: string(b), ContentType: "application/x-amz-json-1.1"}
}

// JSONError is an error answer of a JSON-protocol service (ECS):
// AccessDeniedException, ThrottlingException, ServerException, …
func JSONError(status int, code, message string) *Reply {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": message})
	return &Reply{Status: status, Body: string(b), ContentType: "application/x-amz-json-1.1"}
}

// Event is a made-up stack event.
type Event struct {
	LogicalID, PhysicalID, ResourceType, Status, Reason, Token string
	Time                                                       time.Time
}

// EventsReply is a DescribeStackEvents answer listing events newest first.
func EventsReply(stackName, stackID string, events []Event) *Reply {
	var b strings.Builder
	b.WriteString(`<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>`)
	for i, e := range events {
		fmt.Fprintf(&b, `<member><EventId>%s-%d-%s</EventId><StackId>%s</StackId><StackName>%s</StackName><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId><ResourceType>%s</ResourceType><Timestamp>%s</Timestamp><ResourceStatus>%s</ResourceStatus>`,
			esc(e.LogicalID), len(events)-i, esc(e.Status), esc(stackID), esc(stackName), esc(e.LogicalID), esc(e.PhysicalID), esc(e.ResourceType), e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), esc(e.Status))
		if e.Reason != "" {
			fmt.Fprintf(&b, `<ResourceStatusReason>%s</ResourceStatusReason>`, esc(e.Reason))
		}
		if e.Token != "" {
			fmt.Fprintf(&b, `<ClientRequestToken>%s</ClientRequestToken>`, esc(e.Token))
		}
		b.WriteString(`</member>`)
	}
	b.WriteString(`</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>awsproxy</RequestId></ResponseMetadata></DescribeStackEventsResponse>`)
	return &Reply{Status: 200, Body: b.String()}
}

var (
	statusRE       = regexp.MustCompile(`<Status>[^<]*</Status>`)
	statusReasonRE = regexp.MustCompile(`<StatusReason>[^<]*</StatusReason>|<StatusReason\s*/>`)
	stackStatusRE  = regexp.MustCompile(`<StackStatus>[^<]*</StackStatus>`)
)

// SetChangeSetStatus rewrites a DescribeChangeSet answer's Status and
// StatusReason.
func SetChangeSetStatus(body []byte, status, reason string) []byte {
	body = statusReasonRE.ReplaceAll(body, nil)
	repl := "<Status>" + esc(status) + "</Status><StatusReason>" + esc(reason) + "</StatusReason>"
	return statusRE.ReplaceAllLiteral(body, []byte(repl))
}

// SetStackStatus rewrites a DescribeStacks answer's StackStatus.
func SetStackStatus(body []byte, status string) []byte {
	return stackStatusRE.ReplaceAllLiteral(body, []byte("<StackStatus>"+esc(status)+"</StackStatus>"))
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

type ctxKey struct{}

type reqInfo struct {
	action string
	n      int
	form   url.Values
}

func contextWith(r *http.Request, info *reqInfo) context.Context {
	return context.WithValue(r.Context(), ctxKey{}, info)
}

// DenyRegion makes every request signed for region answer AccessDenied, as
// an organisation's service control policy that denies a region does:
// "… is not authorized to perform: cloudformation:ListStacks … with an
// explicit deny in a service control policy".
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region
func (p *Proxy) DenyRegion(region string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.denied[region] = true
}

// signedRegion is the region of a request's SigV4 credential scope
// (Credential=AKID/DATE/REGION/SERVICE/aws4_request).
func signedRegion(r *http.Request) string {
	_, scope, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(scope, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func deniedReply(c Call) *Reply {
	msg := "User: arn:aws:sts::123456789012:assumed-role/ci/session is not authorized to perform: " + c.Action + " with an explicit deny in a service control policy"
	if c.Form != nil && c.Form.Get("Action") == "" {
		return JSONError(400, "AccessDeniedException", msg)
	}
	return ErrorReply(403, "AccessDenied", msg)
}
