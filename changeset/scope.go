package changeset

import (
	"slices"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// Scope is what the reviewed edit may change.
type Scope struct {
	// Allowed are the edited task definitions, the services whose
	// placement the edit changes (dind.Result.Services: tcdind's
	// distinctInstance, which ECS's UpdateService changes in place,
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
	// placementConstraints) and the resources that refer to them
	// (dind.Template.Dependents).
	Allowed []string
	// Bare are unedited resources without Properties (dind.Template.Bare):
	// the unchanged template gives CloudFormation nothing to modify on
	// them, so a Modify listed for one says nothing (emulators list them).
	Bare []string
}

// ScopeOf is the scope of edit res made on template t.
func ScopeOf(t *dind.Template, res *dind.Result) Scope {
	allowed := append(slices.Clone(res.Targets), t.Dependents(res.Targets)...)
	for _, id := range res.Services {
		if !slices.Contains(allowed, id) {
			allowed = append(allowed, id)
		}
	}
	var bare []string
	for _, id := range t.Bare() {
		if !slices.Contains(allowed, id) {
			bare = append(bare, id)
		}
	}
	return Scope{Allowed: allowed, Bare: bare}
}

// Unexpected are the changes outside the scope: what the change set would
// do that the reviewed edit does not explain (a template replaced between
// the upload and the change set, a parameter someone changed).
func (sc Scope) Unexpected(changes []awsclient.ResourceChange) []awsclient.ResourceChange {
	var out []awsclient.ResourceChange
	for _, c := range changes {
		switch {
		case slices.Contains(sc.Allowed, c.LogicalID):
		case c.Action == "Modify" && slices.Contains(sc.Bare, c.LogicalID):
		default:
			out = append(out, c)
		}
	}
	return out
}
