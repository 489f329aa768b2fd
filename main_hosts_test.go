package main

// The agents' hosts on the stack path (issue 17, item 1), read through the
// fault proxy in front of moto: ECS's container instance attributes
// (ecs.os-type, ecs.cpu-architecture, ecs.ami-id, and
// com.amazonaws.ecs.capability.privileged-container, which the ECS agent
// registers only where privileged containers are allowed:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html#attributes,
// Bottlerocket's settings.ecs.allow-privileged-containers, default false:
// https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/), versionInfo's
// Docker version, and the AMI's name from ec2:DescribeImages. moto's ECS
// has no container instances without EC2 instances of its own, so the
// proxy answers those calls as ECS does.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/internal/awsproxy"
)

// instance is a container instance as DescribeContainerInstances answers,
// one of JetBrains' agent hosts (teamcity.node-responsibility =
// buildAgent, set with ECS_INSTANCE_ATTRIBUTES in their launch
// configuration's user data).
func instance(n int, arch, ami string, privileged bool) map[string]any {
	return instanceFor("buildAgent", n, arch, ami, privileged)
}

// instanceFor is a container instance with JetBrains' node responsibility
// (server, buildAgent).
func instanceFor(role string, n int, arch, ami string, privileged bool) map[string]any {
	attrs := []any{
		map[string]any{"name": "ecs.os-type", "value": "linux"},
		map[string]any{"name": "ecs.cpu-architecture", "value": arch},
		map[string]any{"name": "ecs.ami-id", "value": ami},
		map[string]any{"name": "teamcity.node-responsibility", "value": role},
	}
	if privileged {
		attrs = append(attrs, map[string]any{"name": "com.amazonaws.ecs.capability.privileged-container"})
	}
	return map[string]any{
		"containerInstanceArn": fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/ci/%032d", n),
		"ec2InstanceId":        fmt.Sprintf("i-%017d", n), "status": "ACTIVE", "attributes": attrs,
		"versionInfo": map[string]any{"agentVersion": "1.86.3", "dockerVersion": "DockerVersion: 25.0.8"},
	}
}

// serveHosts makes the proxy answer for the cluster's container instances
// and, unless amiName is empty (denied), the AMI's name.
func serveHosts(p *awsproxy.Proxy, amiName string, instances ...map[string]any) {
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
		if amiName == "" {
			return &awsproxy.Reply{Status: 403, Body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>awsproxy</RequestID></Response>`}
		}
		return &awsproxy.Reply{Status: 200, Body: `<?xml version="1.0" encoding="UTF-8"?><DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>awsproxy</requestId><imagesSet><item><imageId>ami-0abc</imageId><name>` + amiName + `</name></item></imagesSet></DescribeImagesResponse>`}
	})
}

func testHosts(t *testing.T, e *stackEnv) {
	ctx := context.Background()
	body, err := os.ReadFile(serviceTemplate)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Shown", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-al2023", body, "")
		serveHosts(p, "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64", instance(1, "x86_64", "ami-0abc", true), instance(2, "x86_64", "ami-0abc", true))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-al2023", "--mode", "privileged", "--diff", "--non-interactive")
		if code != 0 || !strings.Contains(errOut, "hosts: 2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster ") || out == "" {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if p.Count("ListContainerInstances") != 1 || p.Count("DescribeContainerInstances") != 1 || p.Count("DescribeImages") != 1 {
			t.Errorf("the host read cost %d ListContainerInstances, %d DescribeContainerInstances, %d DescribeImages; want 1 each",
				p.Count("ListContainerInstances"), p.Count("DescribeContainerInstances"), p.Count("DescribeImages"))
		}
	})

	t.Run("BottlerocketRefusesPrivileged", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-br", body, "")
		serveHosts(p, "bottlerocket-aws-ecs-2-x86_64-v1.20.0-fcf71a47", instance(1, "x86_64", "ami-0abc", false), instance(2, "x86_64", "ami-0abc", false))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-br", "--mode", "privileged", "--diff", "--non-interactive")
		if code != 1 || out != "" || !strings.Contains(errOut, "none of the 2 container instances of cluster") ||
			!strings.Contains(errOut, "settings.ecs.allow-privileged-containers = true") || !strings.Contains(errOut, "or use --mode socket") {
			t.Fatalf("privileged on Bottlerocket without the setting: exit %d, stdout %q\n%s", code, out, errOut)
		}
		// Socket mode works there, with the socket's caveat.
		code, _, errOut = withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-br", "--mode", "socket", "--diff", "--non-interactive")
		if code != 0 || !strings.Contains(errOut, "hosts: 2 × Bottlerocket, x86_64, Docker 25.0.8, privileged not allowed") || !strings.Contains(errOut, "/run/docker.sock") {
			t.Fatalf("socket on Bottlerocket: exit %d\n%s", code, errOut)
		}
	})

	t.Run("Arm64DeniedAMIs", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		// The plain image (the fixture's is -sudo), which --sudo-image tags
		// for the hosts' architecture.
		e.createStack("tc-hosts-arm", plainAgentImage(body), "")
		serveHosts(p, "", instance(1, "arm64", "ami-0abc", true))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-arm", "--mode", "privileged", "--sudo-image", "--diff", "--non-interactive")
		if code != 0 || !strings.Contains(out, "-linux-arm64-sudo") || !strings.Contains(errOut, "hosts: 1 × linux, arm64, Docker 25.0.8, privileged allowed") ||
			!strings.Contains(errOut, "the hosts' AMIs were not named") {
			t.Fatalf("arm64 hosts: exit %d\n%s\n%s", code, errOut, out)
		}
	})

	t.Run("DeniedIsANote", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-denied", body, "")
		p.Intercept("ListContainerInstances", func(int, url.Values) *awsproxy.Reply {
			return awsproxy.JSONError(400, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:ListContainerInstances")
		})
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-denied", "--mode", "privileged", "--diff", "--non-interactive")
		if code != 0 || out == "" || !strings.Contains(errOut, "the agents' hosts were not read") || !strings.Contains(errOut, "aws ecs list-container-instances --cluster ") {
			t.Fatalf("denied: exit %d\n%s", code, errOut)
		}
	})
	// One agent an instance (issue 17, item 4): socket mode with the build
	// directories gives the service distinctInstance, which places at most
	// one task on a container instance
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html);
	// the service wants 2 agents (moto's DescribeServices, from the
	// template's DesiredCount: 2) and the cluster has 1 ACTIVE instance.
	t.Run("TooFewForOneAnInstance", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-few", body, "")
		serveHosts(p, "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64", instance(1, "x86_64", "ami-0abc", true))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-few", "--mode", "socket", "--diff", "--non-interactive")
		want := "tcdind: warning: service AgentService wants 2 agents but cluster "
		if code != 0 || !strings.Contains(out, "+        - Type: distinctInstance") || !strings.Contains(errOut, want) ||
			!strings.Contains(errOut, "has 1 container instance: with one agent an instance (distinctInstance), 1 agent will not be placed until the cluster has 2") {
			t.Fatalf("too few hosts: exit %d\n%s\n%s", code, errOut, out)
		}
		if p.Count("DescribeServices") != 1 {
			t.Errorf("DescribeServices: %d calls, want 1", p.Count("DescribeServices"))
		}
		p.Reset()
		// Without the build directories there is no constraint and no
		// warning (and no DescribeServices for it).
		code, _, errOut = withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-few", "--mode", "socket", "--build-dirs=false", "--diff", "--non-interactive")
		if code != 0 || strings.Contains(errOut, "wants 2 agents") || p.Count("DescribeServices") != 0 {
			t.Fatalf("--build-dirs=false: exit %d, DescribeServices %d\n%s", code, p.Count("DescribeServices"), errOut)
		}
		// Enough instances: no warning.
		p2 := awsproxy.New(t, e.moto.URL)
		serveHosts(p2, "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64", instance(1, "x86_64", "ami-0abc", true), instance(2, "x86_64", "ami-0abc", true))
		code, _, errOut = withHook(fast).runStack(ctx, p2.URL, "", "--stack", "tc-hosts-few", "--mode", "socket", "--diff", "--non-interactive")
		if code != 0 || strings.Contains(errOut, "will not be placed") {
			t.Fatalf("2 hosts for 2 agents: exit %d\n%s", code, errOut)
		}
	})

	// Placement constraints narrow the hosts (memberOf, in ECS's cluster
	// query language:
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html).
	// The fixture's agent task definition has JetBrains' own constraint
	// (teamcity-server.yaml 2021-01-12: attribute:teamcity.node-responsibility
	// == buildAgent), so the server's instance is no agent host. ECS
	// registers a task definition's placementConstraints as given
	// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html);
	// moto's CloudFormation model drops them (its answer has
	// "placementConstraints": []), so the proxy puts them back.
	withConstraint := func(p *awsproxy.Proxy) {
		p.Rewrite("DescribeTaskDefinition", func(_ int, _ url.Values, body []byte) []byte {
			return []byte(strings.Replace(string(body), `"placementConstraints": []`, `"placementConstraints": [{"type": "memberOf", "expression": "attribute:teamcity.node-responsibility == buildAgent"}]`, 1))
		})
	}
	al2023 := "al2023-ami-ecs-hvm-2023.0.20240515-kernel-6.1-x86_64"
	t.Run("NarrowedByMemberOf", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-member", body, "")
		withConstraint(p)
		serveHosts(p, al2023, instance(1, "x86_64", "ami-0abc", true), instanceFor("server", 2, "arm64", "ami-0abc", false), instance(3, "x86_64", "ami-0abc", true))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-member", "--mode", "privileged", "--diff", "--non-interactive")
		want := ", 2 of 3 instances match memberOf attribute:teamcity.node-responsibility == buildAgent)\n"
		if code != 0 || out == "" || !strings.Contains(errOut, "hosts: 2 × Amazon Linux 2023, x86_64, Docker 25.0.8, privileged allowed (cluster ") || !strings.Contains(errOut, want) ||
			strings.Contains(errOut, "only 2 of the 3") {
			t.Fatalf("narrowed hosts: exit %d\n%s", code, errOut)
		}
		if p.Count("DescribeTaskDefinition") != 1 || p.Count("DescribeServices") != 0 {
			t.Errorf("the constraints cost %d DescribeTaskDefinition and %d DescribeServices, want 1 and 0", p.Count("DescribeTaskDefinition"), p.Count("DescribeServices"))
		}
		if c, _ := p.Last("DescribeTaskDefinition"); !strings.Contains(c.Form.Get("taskDefinition"), "task-definition/teamcity-agent:") {
			t.Errorf("DescribeTaskDefinition did not ask for the agents' registered revision: %v", c.Form)
		}
	})
	t.Run("OnlyTheServerAllowsPrivileged", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-member-priv", body, "")
		withConstraint(p)
		serveHosts(p, al2023, instance(1, "x86_64", "ami-0abc", false), instanceFor("server", 2, "x86_64", "ami-0abc", true))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-member-priv", "--mode", "privileged", "--diff", "--non-interactive")
		if code != 1 || out != "" || !strings.Contains(errOut, "the one container instance of cluster ") ||
			!strings.Contains(errOut, " matching memberOf attribute:teamcity.node-responsibility == buildAgent does not allow privileged containers") {
			t.Fatalf("privileged where only the server's instance allows it: exit %d, stdout %q\n%s", code, out, errOut)
		}
	})
	t.Run("TooFewMatchingForOneAnInstance", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-member-few", body, "")
		withConstraint(p)
		serveHosts(p, al2023, instance(1, "x86_64", "ami-0abc", true), instanceFor("server", 2, "x86_64", "ami-0abc", true), instanceFor("server", 3, "x86_64", "ami-0abc", true))
		code, _, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-member-few", "--mode", "socket", "--diff", "--non-interactive")
		if code != 0 || !strings.Contains(errOut, "has 1 container instance matching memberOf attribute:teamcity.node-responsibility == buildAgent: with one agent an instance (distinctInstance), 1 agent will not be placed until the cluster has 2") {
			t.Fatalf("3 instances, 1 an agent host, 2 agents: exit %d\n%s", code, errOut)
		}
		if p.Count("DescribeServices") != 1 || p.Count("DescribeTaskDefinition") != 1 {
			t.Errorf("DescribeServices %d, DescribeTaskDefinition %d; want 1 each", p.Count("DescribeServices"), p.Count("DescribeTaskDefinition"))
		}
	})
	t.Run("NoneMatches", func(t *testing.T) {
		p := awsproxy.New(t, e.moto.URL)
		e.createStack("tc-hosts-member-none", body, "")
		withConstraint(p)
		serveHosts(p, al2023, instanceFor("server", 1, "x86_64", "ami-0abc", false))
		code, out, errOut := withHook(fast).runStack(ctx, p.URL, "", "--stack", "tc-hosts-member-none", "--mode", "privileged", "--diff", "--non-interactive")
		if code != 0 || out == "" || !strings.Contains(errOut, "hosts: the one container instance of cluster ") ||
			!strings.Contains(errOut, "does not match memberOf attribute:teamcity.node-responsibility == buildAgent: ECS cannot place the agents there until one does") {
			t.Fatalf("no agent host (the agents' Auto Scaling group at 0): exit %d\n%s", code, errOut)
		}
		if p.Count("DescribeImages") != 0 {
			t.Errorf("named the AMIs of instances that are no agent hosts: %d DescribeImages", p.Count("DescribeImages"))
		}
	})
}

// plainAgentImage is a stack fixture with the agent on the plain image
// (the fixtures' is -sudo, which starts Docker in privileged mode), for
// tests of what --sudo-image writes.
func plainAgentImage(body []byte) []byte {
	return []byte(strings.Replace(string(body), `!Sub '${TeamCityVersion}-linux-sudo'`, `!Ref 'TeamCityVersion'`, 1))
}
