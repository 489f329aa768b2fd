package awsclient

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// debugLogging is the SDK's own request and answer logging (ClientLogMode)
// into w, through debugLogger; with a nil w, none.
func debugLogging(w io.Writer) (logging.Logger, aws.ClientLogMode) {
	if w == nil {
		return logging.Nop{}, 0
	}
	return &debugLogger{w: w}, aws.LogRequestWithBody | aws.LogResponseWithBody | aws.LogRetries
}

// debugLogger writes what the SDK logs, each line prefixed "debug: ", one
// entry at a time (status reads regions at once), with what must never be
// printed taken out: the Authorization header (the access key ID and
// signature), the session token, and every parameter value (a NoEcho
// parameter's value comes back in clear from some endpoints) and container
// environment value (it may hold a NoEcho value the template passed on).
type debugLogger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *debugLogger) Logf(_ logging.Classification, format string, v ...any) {
	text := Redact(fmt.Sprintf(format, v...))
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(text, "\r\n"), "\n") {
		fmt.Fprintf(l.w, "debug: %s\n", strings.TrimRight(line, "\r"))
	}
}

var redactions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?mi)^(authorization|x-amz-security-token|x-amz-credential|x-amz-signature):.*$`), "$1: [redacted]"},
	{regexp.MustCompile(`((?:^|&)[^=&\s]*ParameterValue=)[^&\s]*`), "${1}[redacted]"},
	{regexp.MustCompile(`(<ParameterValue>)[^<]*(</ParameterValue>)`), "${1}[redacted]${2}"},
	{regexp.MustCompile(`("(?:value|parameterValue|ParameterValue|secretAccessKey|SecretAccessKey|sessionToken|SessionToken|accessKeyId|AccessKeyId)"\s*:\s*)"(?:[^"\\]|\\.)*"`), `${1}"[redacted]"`},
	{regexp.MustCompile(`(<(SecretAccessKey|SessionToken|AccessKeyId)>)[^<]*(</(SecretAccessKey|SessionToken|AccessKeyId)>)`), "${1}[redacted]${3}"},
}

// Redact takes out of SDK log text what --debug never prints.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}
