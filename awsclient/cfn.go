package awsclient

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DescribeStack returns one stack; *NotFoundError when it does not exist.
func (c *Client) DescribeStack(ctx context.Context, stack string) (*Stack, error) {
	out, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		if isNotFound(err) {
			return nil, &NotFoundError{Stack: stack, Region: c.region}
		}
		return nil, fmt.Errorf("describe stack %s: %w", stack, short(err))
	}
	if len(out.Stacks) == 0 {
		return nil, &NotFoundError{Stack: stack, Region: c.region}
	}
	s := out.Stacks[0]
	st := &Stack{
		ID:           aws.ToString(s.StackId),
		Name:         aws.ToString(s.StackName),
		Status:       string(s.StackStatus),
		StatusReason: aws.ToString(s.StackStatusReason),
		LastUpdated:  aws.ToTime(s.LastUpdatedTime),
		ParentID:     aws.ToString(s.ParentId),
	}
	st.values = map[string]string{}
	for _, p := range s.Parameters {
		k := aws.ToString(p.ParameterKey)
		st.ParameterKeys = append(st.ParameterKeys, k)
		st.values[k] = aws.ToString(p.ParameterValue)
	}
	for _, o := range s.Outputs {
		if st.Outputs == nil {
			st.Outputs = map[string]string{}
		}
		st.Outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	for _, cp := range s.Capabilities {
		st.Capabilities = append(st.Capabilities, string(cp))
	}
	return st, nil
}

// NestedStacks lists the stack's nested stacks, every page.
func (c *Client) NestedStacks(ctx context.Context, stack string) ([]StackResource, error) {
	all, err := c.StackResources(ctx, stack)
	var list []StackResource
	for _, r := range all {
		if r.Type == "AWS::CloudFormation::Stack" {
			list = append(list, r)
		}
	}
	return list, err
}

// StackResources lists the stack's resources with their physical IDs,
// every page.
func (c *Client) StackResources(ctx context.Context, stack string) ([]StackResource, error) {
	var list []StackResource
	p := cloudformation.NewListStackResourcesPaginator(c.cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list resources of stack %s: %w", stack, short(err))
		}
		for _, r := range out.StackResourceSummaries {
			list = append(list, StackResource{LogicalID: aws.ToString(r.LogicalResourceId), PhysicalID: aws.ToString(r.PhysicalResourceId), Type: aws.ToString(r.ResourceType)})
		}
	}
	return list, nil
}

// CancelUpdateStack asks CloudFormation to cancel a running update and roll
// the stack back; its events carry token.
func (c *Client) CancelUpdateStack(ctx context.Context, stack, token string) error {
	_, err := c.cfn.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String(stack), ClientRequestToken: aws.String(token)})
	if err != nil {
		return fmt.Errorf("cancel the update of stack %s: %w", stack, short(err))
	}
	return nil
}

// GetTemplate returns the template the stack was last deployed with, as
// submitted (before transforms).
func (c *Client) GetTemplate(ctx context.Context, stack string) ([]byte, error) {
	out, err := c.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{
		StackName:     aws.String(stack),
		TemplateStage: types.TemplateStageOriginal,
	})
	if err != nil {
		if isNotFound(err) {
			return nil, &NotFoundError{Stack: stack, Region: c.region}
		}
		return nil, fmt.Errorf("read template of stack %s: %w", stack, short(err))
	}
	return []byte(aws.ToString(out.TemplateBody)), nil
}

// ListStacks lists the stacks in a settled *_COMPLETE state, every page.
func (c *Client) ListStacks(ctx context.Context) ([]StackSummary, error) {
	// Every stack but the deleted ones: those that cannot be updated now
	// (busy, under review) are counted by the wizard, not hidden.
	var statuses []types.StackStatus
	for _, st := range types.StackStatus("").Values() {
		if st != types.StackStatusDeleteComplete {
			statuses = append(statuses, st)
		}
	}
	in := &cloudformation.ListStacksInput{StackStatusFilter: statuses}
	var list []StackSummary
	p := cloudformation.NewListStacksPaginator(c.cfn, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list stacks in %s: %w", c.region, short(err))
		}
		for _, s := range out.StackSummaries {
			sum := StackSummary{
				ID:          aws.ToString(s.StackId),
				Name:        aws.ToString(s.StackName),
				Status:      string(s.StackStatus),
				Description: aws.ToString(s.TemplateDescription),
				Updated:     aws.ToTime(s.CreationTime),
				ParentID:    aws.ToString(s.ParentId),
			}
			if s.LastUpdatedTime != nil {
				sum.Updated = *s.LastUpdatedTime
			}
			list = append(list, sum)
		}
	}
	return list, nil
}

// TaskDefinitionIDs lists the stack's resources of type
// AWS::ECS::TaskDefinition, every page.
func (c *Client) TaskDefinitionIDs(ctx context.Context, stack string) ([]string, error) {
	var ids []string
	p := cloudformation.NewListStackResourcesPaginator(c.cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			if isNotFound(err) {
				return nil, &NotFoundError{Stack: stack, Region: c.region}
			}
			return nil, fmt.Errorf("list resources of stack %s: %w", stack, short(err))
		}
		for _, r := range out.StackResourceSummaries {
			if aws.ToString(r.ResourceType) == "AWS::ECS::TaskDefinition" {
				ids = append(ids, aws.ToString(r.LogicalResourceId))
			}
		}
	}
	return ids, nil
}

// CreateChangeSet creates an UPDATE change set and returns its ID.
func (c *Client) CreateChangeSet(ctx context.Context, in ChangeSetInput) (string, error) {
	params := make([]types.Parameter, 0, len(in.PreviousParameters))
	for _, k := range in.PreviousParameters {
		if v, ok := in.ParameterValues[k]; ok {
			params = append(params, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
			continue
		}
		params = append(params, types.Parameter{ParameterKey: aws.String(k), UsePreviousValue: aws.Bool(true)})
	}
	caps := make([]types.Capability, 0, len(in.Capabilities))
	for _, cp := range in.Capabilities {
		caps = append(caps, types.Capability(cp))
	}
	req := &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(in.Stack),
		ChangeSetName: aws.String(in.Name),
		ChangeSetType: types.ChangeSetTypeUpdate,
		Parameters:    params,
		Capabilities:  caps,
		// Tags deliberately unset: an absent list keeps the stack's tags.
	}
	if in.Description != "" {
		req.Description = aws.String(in.Description)
	}
	if in.ClientToken != "" {
		req.ClientToken = aws.String(in.ClientToken)
	}
	if in.TemplateURL != "" {
		req.TemplateURL = aws.String(in.TemplateURL)
	} else {
		req.TemplateBody = aws.String(string(in.TemplateBody))
	}
	out, err := c.cfn.CreateChangeSet(ctx, req)
	if err != nil {
		if ErrorCode(err) == "InsufficientCapabilitiesException" {
			return "", &CapabilitiesError{Stack: in.Stack, Missing: missingCapabilities(ErrorMessage(err)), Err: err}
		}
		if isNotFound(err) {
			return "", &NotFoundError{Stack: in.Stack, Region: c.region}
		}
		return "", fmt.Errorf("create change set %s on stack %s: %w", in.Name, in.Stack, short(err))
	}
	return aws.ToString(out.Id), nil
}

// WaitChangeSet waits with the SDK's ChangeSetCreateComplete waiter. A
// FAILED change set ends the wait without an error, so that the caller can
// tell "nothing to change" from a real failure.
func (c *Client) WaitChangeSet(ctx context.Context, stack, changeSet string, w Wait) (*ChangeSet, error) {
	if w.Timeout <= 0 {
		w = DefaultWait
	}
	in := &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(changeSet)}
	waiter := cloudformation.NewChangeSetCreateCompleteWaiter(c.cfn, func(o *cloudformation.ChangeSetCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = w.MinDelay, w.MaxDelay
		modelled := o.Retryable
		o.Retryable = func(ctx context.Context, in *cloudformation.DescribeChangeSetInput, out *cloudformation.DescribeChangeSetOutput, err error) (bool, error) {
			if err == nil && out.Status == types.ChangeSetStatusFailed {
				return false, nil
			}
			retry, werr := modelled(ctx, in, out, err)
			if werr != nil && err != nil {
				// The SDK's error says more than "waiter state
				// transitioned to Failure".
				return false, err
			}
			return retry, werr
		}
	})
	out, err := waiter.WaitForOutput(ctx, in, w.Timeout)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("wait for change set %s of stack %s: %w", changeSet, stack, short(err))
	}
	cs := changeSetFrom(out)
	if out.NextToken != nil {
		if err := c.moreChanges(ctx, in, aws.ToString(out.NextToken), cs); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// DescribeChangeSet returns a change set with all its changes.
func (c *Client) DescribeChangeSet(ctx context.Context, stack, changeSet string) (*ChangeSet, error) {
	in := &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(changeSet)}
	out, err := c.cfn.DescribeChangeSet(ctx, in)
	if err != nil {
		if isChangeSetNotFound(err) {
			return nil, fmt.Errorf("change set %s of stack %s: %w", changeSet, stack, ErrChangeSetNotFound)
		}
		return nil, fmt.Errorf("describe change set %s of stack %s: %w", changeSet, stack, short(err))
	}
	cs := changeSetFrom(out)
	if out.NextToken != nil {
		if err := c.moreChanges(ctx, in, aws.ToString(out.NextToken), cs); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// moreChanges reads the pages after the first.
func (c *Client) moreChanges(ctx context.Context, in *cloudformation.DescribeChangeSetInput, token string, cs *ChangeSet) error {
	for token != "" {
		next := *in
		next.NextToken = aws.String(token)
		out, err := c.cfn.DescribeChangeSet(ctx, &next)
		if err != nil {
			return fmt.Errorf("describe change set %s: %w", aws.ToString(in.ChangeSetName), short(err))
		}
		cs.Changes = append(cs.Changes, changesFrom(out.Changes)...)
		token = aws.ToString(out.NextToken)
	}
	return nil
}

func changeSetFrom(out *cloudformation.DescribeChangeSetOutput) *ChangeSet {
	return &ChangeSet{
		ID:              aws.ToString(out.ChangeSetId),
		Name:            aws.ToString(out.ChangeSetName),
		StackID:         aws.ToString(out.StackId),
		Status:          string(out.Status),
		StatusReason:    aws.ToString(out.StatusReason),
		ExecutionStatus: string(out.ExecutionStatus),
		Changes:         changesFrom(out.Changes),
		Created:         aws.ToTime(out.CreationTime),
		Description:     aws.ToString(out.Description),
	}
}

func changesFrom(changes []types.Change) []ResourceChange {
	var list []ResourceChange
	for _, ch := range changes {
		rc := ch.ResourceChange
		if rc == nil {
			continue
		}
		list = append(list, ResourceChange{
			Action:       string(rc.Action),
			LogicalID:    aws.ToString(rc.LogicalResourceId),
			PhysicalID:   aws.ToString(rc.PhysicalResourceId),
			ResourceType: aws.ToString(rc.ResourceType),
			Replacement:  string(rc.Replacement),
		})
	}
	return list
}

// ExecuteChangeSet starts the update described by a change set.
func (c *Client) ExecuteChangeSet(ctx context.Context, stack, changeSet, token string) error {
	in := &cloudformation.ExecuteChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(changeSet)}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	if _, err := c.cfn.ExecuteChangeSet(ctx, in); err != nil {
		return fmt.Errorf("execute change set %s on stack %s: %w", changeSet, stack, short(err))
	}
	return nil
}

// DeleteChangeSet deletes a change set; one that is already gone is no error.
func (c *Client) DeleteChangeSet(ctx context.Context, stack, changeSet string) error {
	_, err := c.cfn.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(changeSet)})
	if err != nil {
		if isChangeSetNotFound(err) {
			return nil
		}
		return fmt.Errorf("delete change set %s of stack %s: %w (delete it yourself: aws cloudformation delete-change-set --stack-name %s --change-set-name %s)", changeSet, stack, short(err), stack, changeSet)
	}
	return nil
}

// DescribeStackEvents returns the first page of the stack's events, newest first.
func (c *Client) DescribeStackEvents(ctx context.Context, stack string) ([]StackEvent, error) {
	out, err := c.cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, fmt.Errorf("read events of stack %s: %w", stack, short(err))
	}
	events := make([]StackEvent, 0, len(out.StackEvents))
	for _, e := range out.StackEvents {
		events = append(events, StackEvent{
			ID:                 aws.ToString(e.EventId),
			Time:               aws.ToTime(e.Timestamp),
			LogicalID:          aws.ToString(e.LogicalResourceId),
			PhysicalID:         aws.ToString(e.PhysicalResourceId),
			ResourceType:       aws.ToString(e.ResourceType),
			Status:             string(e.ResourceStatus),
			Reason:             aws.ToString(e.ResourceStatusReason),
			ClientRequestToken: aws.ToString(e.ClientRequestToken),
		})
	}
	return events, nil
}

// UploadTemplate puts a template into S3 and returns its TemplateURL. The
// upload names the bucket's expected owner, so that a bucket name taken by
// another account is refused; the URL names the object's version when the
// bucket keeps versions, so that CloudFormation reads the bytes uploaded
// even if the object is replaced afterwards.
func (c *Client) UploadTemplate(ctx context.Context, u Upload) (string, error) {
	ctype := "application/x-yaml"
	if t := bytes.TrimLeft(u.Body, "\ufeff \t\r\n"); len(t) > 0 && t[0] == '{' {
		ctype = "application/json"
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(u.Bucket),
		Key:           aws.String(u.Key),
		Body:          bytes.NewReader(u.Body),
		ContentLength: aws.Int64(int64(len(u.Body))),
		ContentType:   aws.String(ctype),
	}
	if u.ExpectedOwner != "" {
		in.ExpectedBucketOwner = aws.String(u.ExpectedOwner)
	}
	out, err := c.s3.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("upload template to s3://%s/%s: %w", u.Bucket, u.Key, short(err))
	}
	region := u.Region
	if region == "" {
		region = c.region
	}
	return TemplateURL(u.Partition, region, u.Bucket, u.Key, aws.ToString(out.VersionId)), nil
}

// TemplateURL is the path-style https URL of an S3 object in the
// partition's regional endpoint (path style also serves bucket names with
// dots), with its version when it has one.
func TemplateURL(partition, region, bucket, key, version string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := "https://s3." + region + "." + dnsSuffix(partition) + "/" + url.PathEscape(bucket) + "/" + strings.Join(segs, "/")
	if version != "" && version != "null" {
		u += "?versionId=" + url.QueryEscape(version)
	}
	return u
}

// dnsSuffix is the partition's domain for service endpoints.
func dnsSuffix(partition string) string {
	switch partition {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	case "aws-iso-e":
		return "cloud.adc-e.uk"
	case "aws-iso-f":
		return "csp.hci.ic.gov"
	case "aws-eusc":
		return "amazonaws.eu"
	}
	return "amazonaws.com" // aws, aws-us-gov
}
