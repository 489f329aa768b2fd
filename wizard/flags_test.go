package wizard

import (
	"testing"

	"github.com/tcdind/tcdind/dind"
)

// TestSuggestedCommandCarriesOptions: the follow-up command repeats every
// answer that changes what is written.
func TestSuggestedCommandCarriesOptions(t *testing.T) {
	for _, tc := range []struct {
		a    answers
		want string
	}{
		{answers{mode: dind.ModeSocket}, " --mode socket"},
		{answers{mode: dind.ModeSocket, recipe: recipeNoBuildDirs}, " --mode socket --build-dirs=false"},
		{answers{mode: dind.ModeSocket, recipe: recipeMinimal, taskDef: "AgentTaskDefinition"}, " --mode socket --task-definition AgentTaskDefinition --minimal"},
		{answers{mode: dind.ModePrivileged, recipe: recipeSudoImage, taskDefs: []string{"A", "B"}}, " --mode privileged --task-definition A,B --sudo-image"},
		{answers{mode: dind.ModeNone, recipe: recipeMinimal}, " --mode none"},
		{answers{mode: dind.ModeSocket, containers: []string{"agent"}}, " --mode socket --container agent"},
	} {
		if got := tc.a.flags(); got != tc.want {
			t.Errorf("%+v: flags %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestRecipeLabelClaimsOnlyWhatChanged: the -sudo image is named only when
// the tag was switched.
func TestRecipeLabelClaimsOnlyWhatChanged(t *testing.T) {
	if got := recipeLabel(recipeSudoImage, dind.ModePrivileged, &dind.Result{SudoTag: true}); got != "complete recipe with the -sudo image tag" {
		t.Errorf("tag switched: %q", got)
	}
	for _, res := range []*dind.Result{nil, {}} {
		if got := recipeLabel(recipeSudoImage, dind.ModePrivileged, res); got != "complete recipe; the image tag was not changed (see the warnings)" {
			t.Errorf("tag kept: %q", got)
		}
	}
}
