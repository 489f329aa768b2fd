package awsclient

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrChangeSetNotFound is a change set that does not exist (any more).
var ErrChangeSetNotFound = errors.New("change set not found")

func isChangeSetNotFound(err error) bool {
	switch ErrorCode(err) {
	case "ChangeSetNotFound", "ChangeSetNotFoundException":
		return true
	case "ValidationError":
		// Emulators answer a missing change set like a missing stack.
		return strings.Contains(ErrorMessage(err), "does not exist")
	}
	return false
}

// Refused reports whether err is AWS's definite refusal of a request: an
// API error with a 4xx status other than throttling, after which the
// request is known to have changed nothing. A 5xx, a throttled request
// whose retries ran out, a timeout or a lost connection leave the outcome
// open: the request may or may not have been carried out.
func Refused(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	if ae.ErrorFault() == smithy.FaultServer {
		return false
	}
	switch ae.ErrorCode() {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestTimeout", "RequestTimeoutException":
		return false
	}
	if status := HTTPStatus(err); status != 0 && (status < 400 || status >= 500) {
		return false
	}
	return true
}

// HTTPStatus is the HTTP status of the answer behind err, or 0.
func HTTPStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// NotFoundError is a stack that does not exist in the region.
type NotFoundError struct {
	Stack, Region string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("stack %s not found in %s: check the name, or pass --region", e.Stack, e.Region)
}

// CapabilitiesError is CloudFormation asking for capabilities the stack was
// not deployed with. tcdind adds none on its own.
type CapabilitiesError struct {
	Stack   string
	Missing []string // e.g. CAPABILITY_IAM; empty when CloudFormation did not name them
	// Parameters are the stack's parameter keys and Have its capabilities,
	// for a complete command; Where is " --region R [--profile P]".
	Parameters, Have []string
	Where            string
	Err              error
}

func (e *CapabilitiesError) Error() string {
	missing := strings.Join(e.Missing, " ")
	if len(e.Missing) == 0 {
		return fmt.Sprintf("stack %s: CloudFormation requires a capability the stack was not deployed with, and did not say which; tcdind adds no capability on its own: see the stack's template for IAM resources or macros", e.Stack)
	}
	// The complete command: an update-stack that leaves out a parameter
	// resets it to its default.
	cmd := "aws cloudformation update-stack --stack-name " + e.Stack + " --use-previous-template"
	if len(e.Parameters) > 0 {
		cmd += " --parameters"
		for _, k := range e.Parameters {
			cmd += " ParameterKey=" + k + ",UsePreviousValue=true"
		}
	}
	cmd += " --capabilities " + strings.Join(append(append([]string(nil), e.Have...), e.Missing...), " ") + e.Where
	return fmt.Sprintf("stack %s: CloudFormation requires %s, which the stack was not deployed with; tcdind adds no capability on its own: update the stack once with it (%s) and run tcdind again",
		e.Stack, missing, cmd)
}

func (e *CapabilitiesError) Unwrap() error { return e.Err }

// Error is an AWS error with its message shortened to one readable line; the
// SDK's error stays reachable with errors.As.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode is the AWS error code of err ("ValidationError", "Throttling",
// ...), or "" when err is not an AWS API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ErrorMessage is the AWS error message of err, or err's text.
func ErrorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// short turns an SDK error into one line: "Code: message" for an API error,
// with a hint for the usual local causes (no credentials, no connection).
func short(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorCode() + ": " + ae.ErrorMessage()
		if notAWS(err, ae) {
			return &Error{Msg: notAWSMessage(err), Err: err}
		}
		switch ae.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch":
			msg += " (check your AWS credentials: aws sts get-caller-identity)"
		case "AccessDenied", "AccessDeniedException":
			msg += " (the credentials in use lack this permission)"
		}
		return &Error{Msg: msg, Err: err}
	}
	text := err.Error()
	switch {
	case strings.Contains(text, "failed to refresh cached credentials") || strings.Contains(text, "failed to retrieve credentials") || strings.Contains(text, "no EC2 IMDS role found"):
		return &Error{Msg: "no AWS credentials found: run aws configure, set AWS_PROFILE or pass --profile", Err: err}
	case isNetError(err):
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			text = oe.Err.Error()
		}
		return &Error{Msg: text + " (check the network, --region and --endpoint-url)", Err: err}
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return &Error{Msg: oe.Err.Error(), Err: err}
	}
	return err
}

// notAWS reports whether an API error is the SDK's reading of an answer
// that was not AWS's: an HTML page, an empty body, a proxy's error page.
func notAWS(err error, ae smithy.APIError) bool {
	code, msg := ae.ErrorCode(), ae.ErrorMessage()
	return code == "UnknownError" || code == "" || (msg == code && HTTPStatus(err) >= 300)
}

func notAWSMessage(err error) string {
	var re *smithyhttp.ResponseError
	status, where := 0, "the endpoint"
	if errors.As(err, &re) && re.Response != nil {
		status = re.Response.StatusCode
		if r := re.Response.Request; r != nil && r.URL != nil {
			where = r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
		}
	}
	return fmt.Sprintf("%s answered HTTP %d with something that is not an AWS API answer (check --endpoint-url, --region and any proxy)", where, status)
}

func isNetError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.As(err, &de)
}

var capabilityRE = regexp.MustCompile(`CAPABILITY_[A-Z_]+`)

// missingCapabilities reads the capability names out of CloudFormation's
// "Requires capabilities : [CAPABILITY_IAM]" message.
func missingCapabilities(msg string) []string {
	return capabilityRE.FindAllString(msg, -1)
}

func isNotFound(err error) bool {
	return ErrorCode(err) == "ValidationError" && strings.Contains(ErrorMessage(err), "does not exist")
}

// Kind is what an error from AWS means for the person running tcdind.
type Kind int

const (
	KindOther       Kind = iota
	KindCredentials      // none found, expired or not recognised
	KindAccess           // the credentials lack a permission
	KindNetwork          // AWS could not be reached
	KindThrottled        // too many requests, even after the retries
)

// Classify tells what err means: the wizard chooses its advice by kind,
// never by the message's text.
func Classify(err error) Kind {
	if err == nil {
		return KindOther
	}
	switch ErrorCode(err) {
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch":
		return KindCredentials
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return KindAccess
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return KindThrottled
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return KindOther
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		text := e.Error()
		if strings.Contains(text, "failed to refresh cached credentials") || strings.Contains(text, "failed to retrieve credentials") || strings.Contains(text, "no EC2 IMDS role found") {
			return KindCredentials
		}
	}
	if isNetError(err) {
		return KindNetwork
	}
	return KindOther
}

// ValidRegion reports whether s looks like an AWS region name: lower-case
// letter groups joined by dashes, ending in a number (us-east-1,
// us-gov-west-1, cn-north-1, eusc-de-east-1).
func ValidRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for _, r := range p {
			digit, lower := r >= '0' && r <= '9', r >= 'a' && r <= 'z'
			if i == len(parts)-1 && !digit || i < len(parts)-1 && !lower {
				return false
			}
		}
	}
	return true
}
