// Package awsproxy is a test proxy in front of an AWS emulator (moto_server)
// that counts the API calls going through it and injects what the emulator
// cannot do: errors (throttling, 5xx, validation), rewritten answers (a busy
// stack, a FAILED change set) and made-up ones (a rollback's events). It
// speaks the CloudFormation query protocol (form-encoded POST, XML answers).
package awsproxy

import (
	"bytes"
	"context"
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
	Action string     // CloudFormation action, or "S3:PUT" etc.
	Form   url.Values // the CloudFormation request's parameters
	Path   string     // the S3 request's path
}

// Reply is an answer given instead of the emulator's.
type Reply struct {
	Status int
	Body   string
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
}

// New starts a proxy in front of target for t.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{counts: map[string]int{}, intercept: map[string]InterceptFunc{}, rewrite: map[string]RewriteFunc{}}
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
		call := Call{Path: r.URL.Path}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			call.Form, _ = url.ParseQuery(string(body))
			call.Action = call.Form.Get("Action")
		}
		if call.Action == "" {
			call.Action = "S3:" + r.Method
		}
		p.mu.Lock()
		p.calls = append(p.calls, call)
		p.counts[call.Action]++
		n := p.counts[call.Action]
		f := p.intercept[call.Action]
		p.mu.Unlock()
		if f != nil {
			if reply := f(n, call.Form); reply != nil {
				w.Header().Set("Content-Type", "text/xml")
				w.Header().Set("X-Amzn-Requestid", "awsproxy-"+strconv.Itoa(n))
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

// ErrorReply is a CloudFormation error answer.
func ErrorReply(status int, code, message string) *Reply {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	return &Reply{Status: status, Body: fmt.Sprintf(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awsproxy</RequestId></ErrorResponse>`,
		typ, esc(code), esc(message))}
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
