// Package awsclient is tcdind's only door to AWS: the few CloudFormation and S3
// calls it makes, each a small function, behind the CloudFormation interface
// so that the wizard and tests can use a fake.
//
// Configuration comes from the SDK's default chain (environment, shared
// config and credentials files, SSO, IMDS) with --region, --profile and
// --endpoint-url on top. Throttling and transient errors are retried by the
// SDK's standard retryer; this package has no retry loop of its own.
//
// Parameter values are never copied out of the SDK's answers: a stack's
// NoEcho parameters are secrets, so only their keys travel.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
)

// CloudFormation is what tcdind asks of AWS.
type CloudFormation interface {
	// Region is the region the client talks to.
	Region() string
	// DescribeStack returns the stack name or ID names; *NotFoundError when
	// there is none.
	DescribeStack(ctx context.Context, stack string) (*Stack, error)
	// GetTemplate returns the stack's deployed template as it was submitted
	// (TemplateStage Original).
	GetTemplate(ctx context.Context, stack string) ([]byte, error)
	// ListStacks lists the region's stacks but the deleted ones; Settled
	// tells those that can be updated now.
	ListStacks(ctx context.Context) ([]StackSummary, error)
	// TaskDefinitionIDs returns the logical IDs of the stack's
	// AWS::ECS::TaskDefinition resources: a cheap call that tells which
	// stacks may hold a TeamCity agent before any template is read.
	TaskDefinitionIDs(ctx context.Context, stack string) ([]string, error)
	// CreateChangeSet creates a change set and returns its ID.
	CreateChangeSet(ctx context.Context, in ChangeSetInput) (string, error)
	// WaitChangeSet waits with the SDK's ChangeSetCreateComplete waiter
	// until the change set is created or has failed, and returns it with all
	// its changes. A FAILED change set is returned, not an error: see
	// ChangeSet.NoChanges.
	WaitChangeSet(ctx context.Context, stack, changeSet string, w Wait) (*ChangeSet, error)
	// DescribeChangeSet returns a change set with all its changes.
	DescribeChangeSet(ctx context.Context, stack, changeSet string) (*ChangeSet, error)
	// ExecuteChangeSet starts the update; the stack's events carry token.
	ExecuteChangeSet(ctx context.Context, stack, changeSet, token string) error
	// DeleteChangeSet deletes a change set that was not executed; one that
	// does not exist is no error.
	DeleteChangeSet(ctx context.Context, stack, changeSet string) error
	// NestedStacks lists the stack's AWS::CloudFormation::Stack resources.
	NestedStacks(ctx context.Context, stack string) ([]StackResource, error)
	// DescribeStackEvents returns the stack's most recent events, newest first
	// (one page: CloudFormation's 100 latest).
	DescribeStackEvents(ctx context.Context, stack string) ([]StackEvent, error)
	// UploadTemplate puts a template into S3 and returns the URL to pass as
	// TemplateURL.
	UploadTemplate(ctx context.Context, u Upload) (string, error)
}

// Stack is what tcdind needs to know about a stack. Parameter values are
// deliberately absent.
type Stack struct {
	ID           string // the stack's ARN
	Name         string
	Status       string
	StatusReason string
	// LastUpdated is the end of the stack's last update; zero when it was
	// never updated (or the endpoint does not say).
	LastUpdated time.Time
	// ParentID is the ARN of the stack that this nested stack belongs to;
	// empty for a root stack.
	ParentID string
	// ParameterKeys are the keys of the stack's parameters, values omitted.
	ParameterKeys []string
	// Capabilities the stack was last deployed with.
	Capabilities []string
	// Outputs are the stack's outputs by key (TeamCityServerUrl in
	// JetBrains' template).
	Outputs map[string]string

	// values are the parameters' deployed values, NoEcho ones masked by
	// AWS; only Values hands any out, by name.
	values map[string]string
}

// WithValues sets the deployed parameter values (fakes and tests).
func (s *Stack) WithValues(values map[string]string) *Stack {
	s.values = values
	return s
}

// Values returns the deployed values of the parameters named in keys, and
// of no other (NoEcho ones come back masked as AWS answers them).
func (s *Stack) Values(keys []string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := s.values[k]; ok {
			out[k] = v
		}
	}
	return out
}

// Partition is the AWS partition in the stack's ARN ("aws", "aws-cn",
// "aws-us-gov", ...); "aws" when the ID is not an ARN.
func (s *Stack) Partition() string {
	if p := arnField(s.ID, 1); p != "" {
		return p
	}
	return "aws"
}

// Account is the AWS account ID in the stack's ARN; "" when it has none.
func (s *Stack) Account() string { return arnField(s.ID, 4) }

// Region is the region in the stack's ARN; "" when the ID is not an ARN.
func (s *Stack) Region() string { return arnField(s.ID, 3) }

// arnField is the i-th colon-separated field of an ARN.
func arnField(arn string, i int) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" {
		return ""
	}
	return f[i]
}

// StackSummary is a stack in a list.
type StackSummary struct {
	ID          string
	Name        string
	Status      string
	Description string
	Updated     time.Time // last update, or creation
	// ParentID is the ARN of the stack a nested stack belongs to; empty
	// for a root stack.
	ParentID string
}

// Settled reports whether the stack can be updated now: it is in a
// settled *_COMPLETE state (not busy, not under review, not failed).
func (s StackSummary) Settled() bool {
	switch s.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE":
		return true
	}
	return false
}

// ChangeSetInput is an UPDATE change set of an existing stack. Every
// parameter in PreviousParameters keeps its value (UsePreviousValue); no tags
// are sent, so the stack's tags stay as they are.
type ChangeSetInput struct {
	Stack       string
	Name        string
	Description string
	// TemplateBody or TemplateURL, not both.
	TemplateBody []byte
	TemplateURL  string
	// PreviousParameters are parameter keys passed with UsePreviousValue,
	// except those in ParameterValues, which get the value given there.
	PreviousParameters []string
	ParameterValues    map[string]string
	Capabilities       []string
	// ClientToken makes a retried CreateChangeSet idempotent.
	ClientToken string
}

// Upload is a template to put into S3 for a change set.
type Upload struct {
	Bucket, Key string
	Body        []byte
	// ExpectedOwner is the account that must own the bucket (the stack's):
	// S3 refuses the upload to a bucket of another account.
	ExpectedOwner string
	// Partition and Region of the stack build the URL CloudFormation reads.
	Partition, Region string
}

// ChangeSet is a created (or failed) change set.
type ChangeSet struct {
	ID              string
	Name            string
	StackID         string
	Status          string // CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED, ...
	StatusReason    string
	ExecutionStatus string // AVAILABLE, UNAVAILABLE, ...
	Changes         []ResourceChange
	// Created is when CloudFormation made the change set.
	Created     time.Time
	Description string
}

// NoChanges reports whether CloudFormation refused the change set because
// the template and parameters equal what is deployed.
func (c *ChangeSet) NoChanges() bool {
	return c.Status == "FAILED" && IsNoChangesReason(c.StatusReason)
}

// IsNoChangesReason reports whether a change set's status reason or an
// error message says that there is nothing to update.
func IsNoChangesReason(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "didn't contain changes") ||
		strings.Contains(s, "did not contain changes") ||
		strings.Contains(s, "no updates are to be performed")
}

// StackResource is one resource of a stack.
type StackResource struct {
	LogicalID, PhysicalID, Type string
}

// ResourceChange is one line of a change set.
type ResourceChange struct {
	Action       string // Add, Modify, Remove, Import, Dynamic
	LogicalID    string
	PhysicalID   string
	ResourceType string
	Replacement  string // True, False, Conditional; empty when not reported
}

// StackEvent is one line of a stack's history.
type StackEvent struct {
	ID                 string
	Time               time.Time
	LogicalID          string
	PhysicalID         string
	ResourceType       string
	Status             string
	Reason             string
	ClientRequestToken string
}

// IsStack reports whether the event is about the stack itself rather than
// one of its resources.
func (e StackEvent) IsStack() bool { return e.ResourceType == "AWS::CloudFormation::Stack" }

// Wait bounds WaitChangeSet.
type Wait struct {
	MinDelay, MaxDelay time.Duration // between DescribeChangeSet calls
	Timeout            time.Duration // the whole wait
}

// DefaultWait polls about every 2 to 5 seconds for up to 10 minutes.
var DefaultWait = Wait{MinDelay: 2 * time.Second, MaxDelay: 5 * time.Second, Timeout: 10 * time.Minute}

// Config selects the account, region and endpoint. Empty fields fall back to
// the SDK's default chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, the
// shared config files).
type Config struct {
	Region      string
	Profile     string
	EndpointURL string
	// RetryMaxBackoff caps the standard retryer's back-off between attempts;
	// zero keeps the SDK's default (20 s). Tests lower it.
	RetryMaxBackoff time.Duration
	// RequestTimeout bounds each HTTP attempt, so that an endpoint that
	// never answers cannot hang a run; zero is DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Debug, when set, receives each request tcdind's clients send and
	// each answer (--debug), redacted: see debugLogger.
	Debug io.Writer
}

// DefaultRequestTimeout bounds one HTTP attempt. CloudFormation answers its
// API calls within a second or two; the waiting tcdind does (for a change
// set, for an update) is done by polling, never by one long request.
const DefaultRequestTimeout = 20 * time.Second

// ErrNoRegion is a configuration without a region.
var ErrNoRegion = errors.New("no AWS region: pass --region or set AWS_REGION")

// ProfileError is a --profile (or AWS_PROFILE) that the shared config
// files do not have: a usage error, as a mistyped flag value is.
type ProfileError struct{ Profile string }

func (e *ProfileError) Error() string {
	return fmt.Sprintf("AWS profile %q not found in the shared config files: check --profile or AWS_PROFILE (aws configure list-profiles)", e.Profile)
}

// Client is the real CloudFormation on top of the AWS SDK.
type Client struct {
	cfn      *cloudformation.Client
	s3       *s3.Client
	ecs      *ecs.Client
	region   string
	endpoint string
	// cfg makes the clients of the calls only status makes (EC2's
	// DescribeRegions), when it makes them.
	cfg   aws.Config
	debug io.Writer
}

var (
	_ CloudFormation = (*Client)(nil)
	_ ECS            = (*Client)(nil)
)

// New loads the AWS configuration and returns a client. It makes no call;
// credentials are resolved on the first one. Call it only when AWS is
// needed: template mode never does.
func New(ctx context.Context, c Config) (*Client, error) {
	timeout := c.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(timeout)),
		// The SDK logs warnings (such as falling back to IMDSv1 while
		// looking for credentials) on standard error; tcdind says what
		// went wrong in its own one line instead.
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				if c.RetryMaxBackoff > 0 {
					o.MaxBackoff = c.RetryMaxBackoff
					o.Backoff = retry.NewExponentialJitterBackoff(c.RetryMaxBackoff)
				}
			})
		}),
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(c.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return nil, &ProfileError{Profile: pe.Profile}
		}
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}
	endpoint := ""
	if cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint
	}
	// Only tcdind's own clients log (--debug): those the SDK made to fetch
	// credentials (STS, SSO) were made above, without it, as their
	// answers are credentials.
	logger, mode := debugLogging(c.Debug)
	return &Client{
		cfn: cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.Logger, o.ClientLogMode = logger, mode }),
		ecs: ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.Logger, o.ClientLogMode = logger, mode }),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// An emulator or proxy at a custom endpoint does not resolve
			// bucket.host names.
			o.UsePathStyle = endpoint != ""
			o.Logger, o.ClientLogMode = logger, mode
			// The template's body, not the upload's bytes, is what helps.
			o.ClientLogMode &^= aws.LogRequestWithBody
		}),
		debug:    c.Debug,
		region:   cfg.Region,
		endpoint: endpoint,
		cfg:      cfg,
	}, nil
}

// Region is the region the client talks to.
func (c *Client) Region() string { return c.region }

// CLIFlags are the --region, --profile and --endpoint-url a printed aws
// (or tcdind) command needs to reach the same stack ("" for each left to
// the default chain). Both commands take --endpoint-url for every service,
// so a command printed for an emulator or a VPC endpoint reaches it too.
func CLIFlags(region, profile, endpoint string) string {
	s := ""
	if region != "" {
		s += " --region " + region
	}
	if profile != "" {
		s += " --profile " + profile
	}
	if endpoint != "" {
		s += " --endpoint-url " + endpoint
	}
	return s
}

// ResolveRegion is the region the SDK's default chain gives for c without
// --region: AWS_REGION, then the profile's region in the shared config
// files. It reads local configuration only, makes no call, and returns ""
// when no region is configured.
func ResolveRegion(ctx context.Context, c Config) string {
	if c.Region != "" {
		return c.Region
	}
	var opts []func(*config.LoadOptions) error
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return ""
	}
	return cfg.Region
}
