package dind

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// checkTargets refuses what the recipes would have to guess at: an Fn::If
// (or another function) as an item of a list they read and edit, or as the
// value of a key they match on, hides which mounts, variables or volumes the
// task gets; and a mount at /var/run/docker.sock that is not the host's
// socket is neither mode, while adding ours would clash on the same path.
func (r *recipe) checkTargets() error {
	where := "task definition " + r.td.id
	if err := r.checkItems(mapGet(r.td.props, "Volumes"), "Volumes", where, "Name"); err != nil {
		return err
	}
	for _, c := range r.td.agents {
		where := fmt.Sprintf("container %s in %s", r.name(c), r.td.id)
		if err := r.checkItems(mapGet(c, "MountPoints"), "MountPoints", where, "ContainerPath", "SourceVolume"); err != nil {
			return err
		}
		if err := r.checkItems(mapGet(c, "Environment"), "Environment", where, "Name"); err != nil {
			return err
		}
		if err := r.checkSocketMount(c); err != nil {
			return err
		}
		if err := r.checkDataMount(c); err != nil {
			return err
		}
		if err := r.checkUser(c); err != nil {
			return err
		}
	}
	return nil
}

// checkItems refuses list items that are not plain mappings and items whose
// keys are computed.
func (r *recipe) checkItems(list *yaml.Node, key, where string, keys ...string) error {
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	for _, item := range list.Content {
		item = deref(item) // an alias stands for its anchor's value
		if fn := intrinsic(item); fn != "" || item.Kind != yaml.MappingNode {
			what := "an item that is not a mapping"
			if fn != "" {
				what = "an " + fn + " item"
			}
			return &RefusedError{Reason: fmt.Sprintf("%s of %s has %s (line %d); tcdind cannot tell what the task gets, so it will not edit it: edit it by hand", key, where, what, item.Line)}
		}
		for _, k := range keys {
			v := mapGet(item, k)
			if v == nil || v.Kind == yaml.ScalarNode && !isTagged(v) {
				continue
			}
			what := "an expression"
			if fn := intrinsic(v); fn != "" {
				what = "an " + fn
			}
			return &RefusedError{Reason: fmt.Sprintf("%s of %s has a %s set by %s (line %d); tcdind cannot tell what the task gets, so it will not edit it: edit it by hand", key, where, k, what, v.Line)}
		}
	}
	return nil
}

func (r *recipe) checkSocketMount(c *yaml.Node) error {
	if socketMount(r.td.props, c) != socketOther {
		return nil
	}
	m := mapGet(c, "MountPoints").Content[mountIndex(c, dockerSocketPath)]
	name := scalarValue(mapGet(m, "SourceVolume"))
	var what string
	switch v := taskVolume(r.td.props, name); {
	case name == "":
		what = "no SourceVolume"
	case v == nil:
		what = fmt.Sprintf("volume %s, which the task definition does not define", name)
	default:
		what = fmt.Sprintf("volume %s, which is not a host volume with SourcePath %s (or /run/docker.sock)", name, dockerSocketPath)
	}
	return &RefusedError{Reason: fmt.Sprintf("container %s in %s mounts %s (line %d) from %s: that is not the host's Docker socket, and tcdind's mount would clash with it; remove or fix that mount by hand", r.name(c), r.td.id, dockerSocketPath, m.Line, what)}
}

// checkDataMount refuses privileged mode over a host path at
// /var/lib/docker: the daemon inside the agent would share its data
// directory with the host's daemon (or another task's), and two daemons on
// one data directory corrupt each other's state.
func (r *recipe) checkDataMount(c *yaml.Node) error {
	if r.opts.Mode != ModePrivileged {
		return nil
	}
	kind, m := dataMount(r.td.props, c)
	if kind != dataHost {
		return nil
	}
	v := taskVolume(r.td.props, scalarValue(mapGet(m, "SourceVolume")))
	src := scalarValue(mapGet(mapGet(v, "Host"), "SourcePath"))
	what := "the host's " + src
	if !samePath(src, dockerDataPath) {
		what = "the host path " + src
	}
	return &RefusedError{Reason: fmt.Sprintf("container %s in %s mounts %s at %s (line %d): a Docker daemon inside the agent must not share a data directory with the host; remove that mount (tcdind then adds a task-scoped Docker volume) and run again", r.name(c), r.td.id, what, dockerDataPath, m.Line)}
}

// checkUser refuses an Fn::If User that the socket recipe needs to be root
// on a branch where it is not: tcdind would have to change one branch.
func (r *recipe) checkUser(c *yaml.Node) error {
	u := mapGet(c, "User")
	if r.opts.Mode != ModeSocket || r.opts.Minimal || !isIf(u) {
		return nil
	}
	for _, v := range r.t.values(u) {
		if !isRootUser(v.s) || hasNoValueBranch(u) {
			return &RefusedError{Reason: fmt.Sprintf("User of container %s in %s (line %d) is an Fn::If that is not root on every branch (%s), and the Docker socket needs root; set it by hand", r.name(c), r.td.id, u.Line, describeValue(u))}
		}
	}
	return nil
}

// hasNoValueBranch reports an Fn::If with an AWS::NoValue branch: the key
// is absent there.
func hasNoValueBranch(n *yaml.Node) bool {
	args := ifArgs(n)
	if args == nil {
		return false
	}
	for _, b := range args[1:] {
		if isNoValue(b) || hasNoValueBranch(b) {
			return true
		}
	}
	return false
}
