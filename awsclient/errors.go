package awsclient

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"
)

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
	Err     error
}

func (e *CapabilitiesError) Error() string {
	missing := strings.Join(e.Missing, " ")
	if missing == "" {
		missing = "a capability"
	}
	return fmt.Sprintf("stack %s: CloudFormation requires %s, which the stack was not deployed with; tcdind adds no capability on its own: update the stack once with it (aws cloudformation update-stack --stack-name %s --use-previous-template --capabilities %s ...) and run tcdind again",
		e.Stack, missing, e.Stack, missing)
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
