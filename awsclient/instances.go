package awsclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ContainerInstance is an EC2 instance registered in an ECS cluster, as far
// as it tells what Docker-in-Docker can do there.
type ContainerInstance struct {
	ARN, EC2InstanceID string
	// Attributes are ECS's attributes of the instance by name:
	// ecs.os-type, ecs.os-family, ecs.cpu-architecture, ecs.ami-id,
	// com.amazonaws.ecs.capability.privileged-container (present, with no
	// value, where the agent allows privileged containers), and custom
	// ones such as JetBrains' teamcity.node-responsibility.
	Attributes map[string]string
	// DockerVersion is the host's Docker version, from versionInfo
	// ("DockerVersion: 25.0.8" → "25.0.8").
	DockerVersion string
	// What the cluster query language reads besides attributes.
	AgentVersion   string
	AgentConnected bool
	RegisteredAt   time.Time
	RunningTasks   int
}

// ContainerInstances lists the ARNs of a cluster's ACTIVE container
// instances (ecs:ListContainerInstances), every page.
func (c *Client) ContainerInstances(ctx context.Context, cluster string) ([]string, error) {
	var arns []string
	p := ecs.NewListContainerInstancesPaginator(c.ecs, &ecs.ListContainerInstancesInput{
		Cluster: aws.String(cluster), Status: ecstypes.ContainerInstanceStatusActive,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the container instances of ECS cluster %s: %w", cluster, short(err))
		}
		arns = append(arns, out.ContainerInstanceArns...)
	}
	return arns, nil
}

// DescribeContainerInstances describes up to 100 container instances of
// one cluster (ecs:DescribeContainerInstances).
func (c *Client) DescribeContainerInstances(ctx context.Context, cluster string, arns []string) ([]ContainerInstance, error) {
	out, err := c.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String(cluster), ContainerInstances: arns})
	if err != nil {
		return nil, fmt.Errorf("describe the container instances of ECS cluster %s: %w", cluster, short(err))
	}
	list := make([]ContainerInstance, 0, len(out.ContainerInstances))
	for _, ci := range out.ContainerInstances {
		inst := ContainerInstance{ARN: aws.ToString(ci.ContainerInstanceArn), EC2InstanceID: aws.ToString(ci.Ec2InstanceId), Attributes: map[string]string{},
			AgentConnected: ci.AgentConnected, RegisteredAt: aws.ToTime(ci.RegisteredAt), RunningTasks: int(ci.RunningTasksCount)}
		for _, a := range ci.Attributes {
			inst.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		if ci.VersionInfo != nil {
			inst.DockerVersion = strings.TrimSpace(strings.TrimPrefix(aws.ToString(ci.VersionInfo.DockerVersion), "DockerVersion:"))
			inst.AgentVersion = aws.ToString(ci.VersionInfo.AgentVersion)
		}
		list = append(list, inst)
	}
	return list, nil
}

// ImageNames names AMIs by ID with one ec2:DescribeImages: al2023-ami-ecs-…
// is Amazon Linux 2023, bottlerocket-aws-ecs-… Bottlerocket.
func (c *Client) ImageNames(ctx context.Context, ids []string) (map[string]string, error) {
	logger, mode := debugLogging(c.debug)
	client := ec2.NewFromConfig(c.cfg, func(o *ec2.Options) { o.Logger, o.ClientLogMode = logger, mode })
	out, err := client.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: ids})
	if err != nil {
		return nil, fmt.Errorf("name the hosts' AMIs (ec2:DescribeImages): %w", short(err))
	}
	names := map[string]string{}
	for _, im := range out.Images {
		names[aws.ToString(im.ImageId)] = aws.ToString(im.Name)
	}
	return names, nil
}
