package wizard

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/internal/awsproxy"
)

// The wizard's host read against moto through the fault proxy. moto's
// ECS has no container instances without EC2 instances of its own, so
// the proxy answers ListContainerInstances and DescribeContainerInstances
// as ECS does (attributes: ecs.cpu-architecture, ecs.ami-id and
// com.amazonaws.ecs.capability.privileged-container, registered only
// where privileged containers are allowed,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes;
// versionInfo.dockerVersion "DockerVersion: 25.0.8"), and ec2:DescribeImages
// with the AMI's name; the stack, its resources and the service's desired
// count are moto's.
func testMotoHosts(t *testing.T, e *motoEnv) {
	e.t = t
	instance := func(n int, arch string) map[string]any {
		return map[string]any{
			"containerInstanceArn": fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/ci/%032d", n),
			"ec2InstanceId":        fmt.Sprintf("i-%017d", n), "status": "ACTIVE",
			"attributes": []any{
				map[string]any{"name": "ecs.os-type", "value": "linux"},
				map[string]any{"name": "ecs.cpu-architecture", "value": arch},
				map[string]any{"name": "ecs.ami-id", "value": "ami-0abc"},
				map[string]any{"name": "com.amazonaws.ecs.capability.privileged-container"},
			},
			"versionInfo": map[string]any{"agentVersion": "1.86.3", "dockerVersion": "DockerVersion: 25.0.8"},
		}
	}
	serve := func(p *awsproxy.Proxy, instances ...map[string]any) {
		var arns []string
		for _, i := range instances {
			arns = append(arns, i["containerInstanceArn"].(string))
		}
		p.Intercept("ListContainerInstances", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.JSONReply(map[string]any{"containerInstanceArns": arns})
		})
		p.Intercept("DescribeContainerInstances", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.JSONReply(map[string]any{"containerInstances": instances, "failures": []any{}})
		})
		p.Intercept("DescribeImages", func(int, url.Values) *awsproxy.Reply {
			return &awsproxy.Reply{Status: 200, Body: `<?xml version="1.0" encoding="UTF-8"?><DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>awsproxy</requestId><imagesSet><item><imageId>ami-0abc</imageId><name>al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-arm64</name></item></imagesSet></DescribeImagesResponse>`}
		})
	}
	config := func(p *awsproxy.Proxy, stack string) Config {
		cfg := e.config()
		cfg.Client = func(ctx context.Context, region string) (Client, error) {
			return awsclient.New(ctx, awsclient.Config{Region: region, EndpointURL: p.URL, RetryMaxBackoff: 10 * time.Millisecond})
		}
		cfg.Stack, cfg.Mode, cfg.SudoImage, cfg.RecipeGiven = stack, dind.ModePrivileged, true, true
		cfg.noTeamCity = true // the hosts, not TeamCity (teamcity_moto_test.go)
		return cfg
	}

	t.Run("Arm64", func(t *testing.T) {
		e.t = t
		p := awsproxy.New(t, e.url)
		// The plain image (the fixture's is -sudo), which the -sudo image
		// tags for the hosts' architecture.
		body, err := os.ReadFile("../testdata/stacks/teamcity-service.yaml")
		if err != nil {
			t.Fatal(err)
		}
		plainFile := filepath.Join(t.TempDir(), "plain.yaml")
		if err := os.WriteFile(plainFile, []byte(strings.Replace(string(body), `!Sub '${TeamCityVersion}-linux-sudo'`, `!Ref 'TeamCityVersion'`, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		e.createStackFrom("tc-hosts-arm", plainFile)
		serve(p, instance(1, "arm64"), instance(2, "arm64"))
		r := start(t, config(p, "tc-hosts-arm"), termW, termH)
		r.waitFor("Press enter to create a change set")
		r.inLoop(func(m *Model) {
			c := plain(m.reviewContent(120))
			if !strings.Contains(c, "Hosts: 2 × Amazon Linux 2023, arm64, Docker 25.0.8, privileged allowed (cluster ") {
				t.Errorf("review:\n%s", c)
			}
			if !strings.Contains(string(m.result.Output), "-linux-arm64-sudo") {
				t.Errorf("the patched template has no -linux-arm64-sudo tag:\n%s", m.result.Output)
			}
		})
		// Once, with the stack: 1 ListContainerInstances, 1
		// DescribeContainerInstances (2 hosts), 1 DescribeImages, and one
		// DescribeServices for the desired count.
		for _, op := range []string{"ListContainerInstances", "DescribeContainerInstances", "DescribeImages", "DescribeServices"} {
			if n := p.Count(op); n != 1 {
				t.Errorf("%s called %d times, want 1", op, n)
			}
		}
		if left := e.pending("tc-hosts-arm"); len(left) != 0 {
			t.Errorf("change sets before enter: %v", left)
		}
	})

	// ECS answering 500 on every try: the review says the hosts were not
	// read, with the command, and goes on.
	t.Run("ServerError", func(t *testing.T) {
		e.t = t
		p := awsproxy.New(t, e.url)
		e.createStackFrom("tc-hosts-5xx", "../testdata/stacks/teamcity-service.yaml")
		p.Intercept("ListContainerInstances", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.JSONError(500, "ServerException", "Service Unavailable")
		})
		r := start(t, config(p, "tc-hosts-5xx"), termW, termH)
		r.waitFor("Press enter to create a change set")
		c := r.reviewContentOf()
		if !strings.Contains(c, "Hosts: not read in cluster ") || !strings.Contains(c, "The agents' hosts were not read") || !strings.Contains(c, "aws ecs list-container-instances --cluster ") {
			t.Errorf("review:\n%s", c)
		}
		if n := p.Count("DescribeContainerInstances"); n != 0 {
			t.Errorf("DescribeContainerInstances called %d times after the list failed", n)
		}
	})
}
