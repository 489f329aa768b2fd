package ecsarn

import "testing"

func TestService(t *testing.T) {
	for _, tc := range []struct{ arn, name, cluster string }{
		{"arn:aws:ecs:eu-west-1:123456789012:service/tc-cluster/teamcity-AgentService-W6VHS9X91H9D", "teamcity-AgentService-W6VHS9X91H9D", "tc-cluster"},
		{"arn:aws:ecs:eu-west-1:123456789012:service/agents", "agents", ""},
		{"agents", "agents", ""},
	} {
		if n, c := Service(tc.arn); n != tc.name || c != tc.cluster {
			t.Errorf("Service(%q) = %q, %q; want %q, %q", tc.arn, n, c, tc.name, tc.cluster)
		}
	}
}

func TestCluster(t *testing.T) {
	if got := Cluster("arn:aws:ecs:eu-west-1:123456789012:cluster/tc-cluster"); got != "tc-cluster" {
		t.Errorf("Cluster(ARN) = %q", got)
	}
	if got := Cluster("tc-cluster"); got != "tc-cluster" {
		t.Errorf("Cluster(name) = %q", got)
	}
}

func TestRevision(t *testing.T) {
	if got := Revision("arn:aws:ecs:eu-west-1:123456789012:task-definition/teamcity-agent:8"); got != "teamcity-agent:8" {
		t.Errorf("Revision(ARN) = %q", got)
	}
	if got := Revision("teamcity-agent:8"); got != "teamcity-agent:8" {
		t.Errorf("Revision(family:revision) = %q", got)
	}
}
