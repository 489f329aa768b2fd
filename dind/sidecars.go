package dind

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// warnVolumesFrom warns about containers that take VolumesFrom an agent:
// Docker gives them every mount of the agent, so after the recipe the host's
// Docker socket (root on the host) or the agent daemon's data. recipes.md
// keeps the socket and Privileged to the agent; tcdind warns rather than
// refuses because real templates (AWS's own examples) have sidecars that
// take VolumesFrom the main container, and the user may accept it.
func (r *recipe) warnVolumesFrom() {
	if r.opts.Mode != ModeSocket && r.opts.Mode != ModePrivileged {
		return
	}
	for _, sc := range r.td.containers {
		if slices.Contains(r.td.agents, sc) {
			continue
		}
		for _, vf := range volumesFromSources(mapGet(sc, "VolumesFrom")) {
			src := vf.n
			for _, a := range r.td.agents {
				if r.td.branch[a] != r.td.branch[sc] {
					continue
				}
				sure, maybe := r.namesContainer(src, a)
				if !sure && !maybe {
					continue
				}
				sure = sure && len(vf.why) == 0
				gets := r.inheritedMounts(a)
				if gets == "" {
					continue
				}
				takes := fmt.Sprintf("takes VolumesFrom %s (line %d), so it gets", r.name(a), src.Line)
				if !sure {
					takes = fmt.Sprintf("may take VolumesFrom %s (SourceContainer %s, line %d), so it would get", r.name(a), describeValue(src), src.Line)
				}
				r.warn("%s/%s %s %s too; give %s its own MountPoints instead of VolumesFrom if it does not need them",
					r.td.id, r.name(sc), takes, gets, r.name(sc))
			}
		}
	}
}

// inheritedMounts describes what a container taking VolumesFrom agent a
// gets from the recipe, or "" for nothing of Docker's.
func (r *recipe) inheritedMounts(a *yaml.Node) string {
	switch r.opts.Mode {
	case ModeSocket:
		s := "the host's Docker socket " + dockerSocketPath + " (root on the EC2 host)"
		if !r.opts.Minimal && r.opts.BuildDirs {
			s += " and the /opt/buildagent host directories"
		}
		return s
	case ModePrivileged:
		if r.opts.Minimal && !r.hasMount(a, dockerDataPath) {
			return ""
		}
		return "the agent's Docker data at " + dockerDataPath + " (it can change the images and containers of the agent's Docker daemon)"
	}
	return ""
}

// namesContainer reports whether the SourceContainer src names agent a
// surely, or maybe (an Fn::If or a value tcdind cannot work out that may be
// the agent's name).
func (r *recipe) namesContainer(src, a *yaml.Node) (sure, maybe bool) {
	name := r.t.nameOf(a)
	if name == "" {
		return false, false
	}
	if v := scalarValue(src); v != "" || src.Kind == yaml.ScalarNode && !isTagged(src) {
		return v == name, false
	}
	for _, v := range r.t.values(src) {
		if !v.known() || v.s == name {
			maybe = true
		}
	}
	return false, maybe
}

// volumesFromSources are the SourceContainer values of a VolumesFrom list,
// of every Fn::If branch (why is set for those under one); an item or list tcdind cannot read stands as its
// own node, which namesContainer treats as maybe the agent.
func volumesFromSources(vf *yaml.Node) []nodeAlt {
	var out []nodeAlt
	for _, l := range branches(vf, nil) {
		if l.n.Kind != yaml.SequenceNode {
			out = append(out, l)
			continue
		}
		for _, item := range l.n.Content {
			for _, it := range branches(item, l.why) {
				if it.n.Kind != yaml.MappingNode || intrinsic(it.n) != "" {
					out = append(out, it)
					continue
				}
				if s := mapGet(it.n, "SourceContainer"); s != nil {
					out = append(out, nodeAlt{s, it.why})
				}
			}
		}
	}
	return out
}
