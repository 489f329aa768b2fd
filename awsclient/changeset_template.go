package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// ChangeSetTemplate returns the template a change set would deploy, as
// submitted: GetTemplate with ChangeSetName.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
func (c *Client) ChangeSetTemplate(ctx context.Context, stack, changeSet string) ([]byte, error) {
	out, err := c.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{
		StackName:     aws.String(stack),
		ChangeSetName: aws.String(changeSet),
		TemplateStage: types.TemplateStageOriginal,
	})
	if err != nil {
		return nil, fmt.Errorf("read the template of change set %s of stack %s: %w", changeSet, stack, short(err))
	}
	return []byte(aws.ToString(out.TemplateBody)), nil
}
