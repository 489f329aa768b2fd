package dind

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// One agent an instance. The complete socket recipe mounts
// /opt/buildagent/{work,temp,tools,plugins,system} from the host at the same
// paths, so two agents placed on one instance would share their checkout,
// temp and system directories. The services that run the edited task
// definition therefore get ECS's distinctInstance placement constraint,
// "Place each task on a different container instance"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
// A task definition cannot carry it (its PlacementConstraints take only
// memberOf, per the same page), so the edit is on the service.
//
// distinctInstance fits a rolling update only where the update does not need
// a second task beside the old one on an instance: with MaximumPercent: 100
// and MinimumHealthyPercent: 0 (JetBrains' AgentService) ECS stops an old
// agent before it starts the new one, so the new task finds its instance
// free. With the defaults (200/100) it needs spare instances, one for each
// agent it starts ahead, or the deployment waits for them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-options.html,
// "minimumHealthyPercent" and "maximumPercent"); the capacity check on a
// stack says so before the change set is executed.
const distinctInstance = "distinctInstance"

// DistinctInstanceReason ends the change that adds the constraint.
const distinctInstanceReason = "because the build directories are host directories"

// serviceDistinct adds or removes tcdind's distinctInstance constraint on
// the services that run td, after the recipe has planned td's edits.
func (t *Template) serviceDistinct(l *layout, ed *editor, td *taskDef, opts Options, res *Result) {
	want := opts.OneAgentAnInstance()
	// tcdind adds the constraint only with the socket and the mirrored build
	// directories, so only a task definition that has both (the socket
	// before this edit, or from it) can have tcdind's; elsewhere a
	// distinctInstance is the user's own. The build directory mounts are
	// what no recipe removes: deciding on them, and not on the socket alone
	// (which a socket recipe adds), keeps a second run of the same recipe a
	// no-op — the minimal recipe on a template without the socket once kept
	// a user's constraint and removed it on the next run.
	hadSocket := res.Before[td.id] == ModeSocket || res.Before[td.id] == ModeMixed
	if !want && (!buildDirMounted(td) || !hadSocket && opts.Mode != ModeSocket) {
		return
	}
	resources := mapGet(t.root, "Resources")
	for _, s := range t.Services([]string{td.id}) {
		i := mapIndex(resources, s.LogicalID)
		if i < 0 {
			continue
		}
		key, resource := resources.Content[i], resources.Content[i+1]
		props := mapGet(resource, "Properties")
		if props == nil || props.Kind != yaml.MappingNode || isTagged(props) {
			continue
		}
		if scalarValue(mapGet(props, "SchedulingStrategy")) == "DAEMON" {
			continue // one task an instance already
		}
		l.index(resource, nil, key, false, key.Column-1)
		svc := &taskDef{id: s.LogicalID, key: key, resource: resource, props: props}
		st := t.detectStyle(l, svc)
		label := ed.label
		ed.label = "service " + s.LogicalID + ": "
		pc := mapGet(props, "PlacementConstraints")
		plain := pc == nil || isNull(pc) || pc.Kind == yaml.SequenceNode && !isTagged(pc)
		change := func(format string, args ...any) {
			res.Changes = append(res.Changes, Change{TaskDefinition: td.id, Summary: fmt.Sprintf("service %s: ", s.LogicalID) + fmt.Sprintf(format, args...)})
			if len(res.Services) == 0 || res.Services[len(res.Services)-1] != s.LogicalID {
				res.Services = append(res.Services, s.LogicalID)
			}
		}
		switch {
		case want && !plain:
			res.Warnings = append(res.Warnings, fmt.Sprintf("service %s: PlacementConstraints (line %d) is not a plain list, so tcdind did not add distinctInstance: add {Type: distinctInstance} by hand so that at most one agent runs an instance (the build directories are host directories)", s.LogicalID, pc.Line))
		case want && distinctIndex(pc, false) < 0:
			ed.appendItem(props, "PlacementConstraints", mapping("Type", str(distinctInstance)), st)
			change("at most one agent an instance (%s), %s", distinctInstance, distinctInstanceReason)
		case !want && plain:
			if j := distinctIndex(pc, true); j >= 0 {
				ed.removeItem(pc, j, st)
				change("remove placement constraint %s (%s)", distinctInstance, distinctWhy(opts))
				if buildDirMounted(td) {
					res.Warnings = append(res.Warnings, fmt.Sprintf("service %s: removed distinctInstance while the /opt/buildagent host mounts stay: two agents on one instance would share those directories; remove the mounts too, or apply the complete socket recipe to keep one agent an instance", s.LogicalID))
				}
			}
		}
		ed.label = label
	}
}

// distinctIndex is the index of a distinctInstance constraint in list pc,
// or -1; exact asks for the item tcdind writes, {Type: distinctInstance}
// and nothing else, which is the only one tcdind removes.
func distinctIndex(pc *yaml.Node, exact bool) int {
	if pc == nil || pc.Kind != yaml.SequenceNode {
		return -1
	}
	for i, item := range pc.Content {
		if exact && (item.Kind != yaml.MappingNode || len(item.Content) != 2 || item.Anchor != "") {
			continue
		}
		if scalarValue(mapGet(deref(item), "Type")) == distinctInstance {
			return i
		}
	}
	return -1
}

func distinctWhy(opts Options) string {
	switch {
	case opts.Mode == ModeNone:
		return "none mode"
	case opts.Mode == ModePrivileged:
		return "privileged mode shares no host directory"
	case opts.Minimal:
		return "the minimal recipe mounts no build directory"
	}
	return "--build-dirs=false"
}

// buildDirMounted reports an agent container of td that mounts one of the
// build directories (none and privileged leave them in place).
func buildDirMounted(td *taskDef) bool {
	for _, c := range td.agents {
		for _, d := range buildAgentDirs {
			if mountIndex(c, "/opt/buildagent/"+d) >= 0 {
				return true
			}
		}
	}
	return false
}
