package dind_test

import (
	"path/filepath"
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestCorpusServices finds, in every JetBrains template, the service that
// runs the agents: what tcdind follows in ECS during an update. Every
// template but the first HA one (2018-05-14) gives the agents' task
// definition a memberOf placement constraint
// (attribute:teamcity.node-responsibility == buildAgent), which narrows
// the hosts tcdind reads; none gives the service one.
func TestCorpusServices(t *testing.T) {
	for _, path := range corpusFiles(t) {
		tmpl, err := dind.Parse(readFile(t, path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var ids []string
		for _, td := range tmpl.Agents() {
			ids = append(ids, td.LogicalID)
		}
		got := tmpl.Services(ids)
		want := []dind.Service{{LogicalID: "AgentService", TaskDefinition: "AgentTaskDefinition", ClusterID: "ECSCluster",
			TaskPlacementConstraints: filepath.Base(path) != "teamcity-server-ha@2018-05-14-e228852.yaml"}}
		if len(got) != 1 || got[0] != want[0] {
			t.Errorf("%s: services of %v = %+v, want %+v", filepath.Base(path), ids, got, want)
		}
	}
}
