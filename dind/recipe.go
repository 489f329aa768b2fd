package dind

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// recipe plans the edits of one mode on one agent task definition. It keeps
// a view of the volumes and mounts as they will be, so that each edit sees
// the ones planned before it.
type recipe struct {
	t    *Template
	ed   *editor
	td   *taskDef
	st   *style
	opts Options
	res  *Result

	volumes        []volume
	removedMounts  map[*yaml.Node]map[int]bool // container → MountPoints indexes
	addedMounts    []mount                     // new mounts
	maybeOrphaned  []string                    // volumes of removed mounts
	removedVolumes map[int]bool

	// noDocker is set while the privileged recipe edits a container whose
	// image, as written, certainly cannot start Docker (a warning says so):
	// the docker info health check would then make ECS replace every agent.
	noDocker bool
	// agentVersionUsed is set when --agent-version pinned (or was to pin)
	// the container's floating tag; a pinned tag leaves it unused.
	agentVersionUsed bool
}

type mount struct {
	container *yaml.Node
	volume    string
}

type volume struct {
	name     string
	hostPath string
	docker   bool // DockerVolumeConfiguration
	index    int  // in Volumes; -1 for a new one
}

func newRecipe(t *Template, ed *editor, td *taskDef, st *style, opts Options, res *Result) (*recipe, error) {
	r := &recipe{t: t, ed: ed, td: td, st: st, opts: opts, res: res,
		removedMounts: map[*yaml.Node]map[int]bool{}, removedVolumes: map[int]bool{}}
	if err := r.checkList(td.props, "Volumes", "task definition "+td.id); err != nil {
		return nil, err
	}
	if vols := mapGet(td.props, "Volumes"); vols != nil && vols.Kind == yaml.SequenceNode {
		for i, v := range vols.Content {
			r.volumes = append(r.volumes, volume{
				name:     scalarValue(mapGet(v, "Name")),
				hostPath: scalarValue(mapGet(mapGet(v, "Host"), "SourcePath")),
				docker:   mapGet(v, "DockerVolumeConfiguration") != nil,
				index:    i,
			})
		}
	}
	for _, c := range td.agents {
		for _, key := range []string{"MountPoints", "Environment"} {
			if err := r.checkList(c, key, "container "+r.name(c)); err != nil {
				return nil, err
			}
		}
		if p := mapGet(c, "Privileged"); p != nil && !isTrue(p) && !isFalse(p) {
			return nil, &RefusedError{Reason: fmt.Sprintf("Privileged of container %s in %s (line %d) is neither true nor false; set it by hand", r.name(c), td.id, p.Line)}
		}
	}
	if err := r.checkTargets(); err != nil {
		return nil, err
	}
	return r, nil
}

// checkList refuses a key tcdind must edit whose value is not a plain list
// (an Fn::If, say): editing it would be a guess.
func (r *recipe) checkList(m *yaml.Node, key, where string) error {
	v := mapGet(m, key)
	if v == nil || isNull(v) || (v.Kind == yaml.SequenceNode && !isTagged(v)) {
		return nil
	}
	return &RefusedError{Reason: fmt.Sprintf("%s of %s in %s (line %d) is not a plain list; tcdind cannot edit it safely, edit it by hand", key, where, r.td.id, v.Line)}
}

func (r *recipe) name(c *yaml.Node) string {
	return r.t.nameLabel(c)
}

func (r *recipe) change(c *yaml.Node, format string, args ...any) {
	ch := Change{TaskDefinition: r.td.id, Summary: fmt.Sprintf(format, args...)}
	if c != nil {
		ch.Container = r.name(c)
	}
	r.res.Changes = append(r.res.Changes, ch)
}

func (r *recipe) warn(format string, args ...any) {
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(format, args...))
}

// noDockerImage records that the agent's image, as written, cannot start
// Docker in privileged mode (Result.NoDocker: the front ends refuse), and
// marks the container so that no health check is added to it. flag says
// the same command with --sudo-image or --agent-version works.
func (r *recipe) noDockerImage(flag bool, format string, args ...any) {
	r.noDocker = true
	r.res.NoDocker = append(r.res.NoDocker, &SudoNeededError{Reason: fmt.Sprintf(format, args...), Flag: flag})
}

func (r *recipe) run() error {
	if r.res.Before == nil {
		r.res.Before = map[string]Mode{}
	}
	r.res.Before[r.td.id] = r.t.describe(r.td).Mode()
	for _, c := range r.td.agents {
		var err error
		switch r.opts.Mode {
		case ModeSocket:
			err = r.socket(c)
		case ModePrivileged:
			err = r.privileged(c)
		case ModeNone:
			err = r.none(c)
		default:
			err = fmt.Errorf("unknown mode %q", r.opts.Mode)
		}
		if err != nil {
			return err
		}
	}
	r.removeOrphanedVolumes()
	r.warnVolumesFrom()
	r.cloudProfileNote()
	return nil
}

func (r *recipe) socket(c *yaml.Node) error {
	priv := isTrue(mapGet(c, "Privileged"))
	r.keptSudoTag(c)
	r.removePrivileged(c)
	r.removeEnv(c, dindVariable)
	r.removeDataMount(c, priv)
	r.ensureHostMount(c, dockerSocketPath, "docker-sock")
	if r.opts.Minimal {
		return nil
	}
	r.ensureRootUser(c)
	if r.opts.BuildDirs {
		for _, d := range buildAgentDirs {
			r.ensureHostMount(c, "/opt/buildagent/"+d, "buildagent-"+d)
		}
	}
	r.ensureHealthCheck(c)
	return nil
}

func (r *recipe) privileged(c *yaml.Node) error {
	r.removeMount(c, dockerSocketPath)
	if err := r.setPrivileged(c); err != nil {
		return err
	}
	if r.opts.Minimal {
		return nil
	}
	if err := r.setEnv(c, dindVariable, dindStart); err != nil {
		return err
	}
	if !r.hasMount(c, dockerDataPath) {
		name := r.ensureVolume(c, volume{docker: true}, "docker-data")
		r.addMount(c, dockerDataPath, name)
	}
	r.noDocker, r.agentVersionUsed = false, false
	if err := r.sudoImage(c); err != nil {
		return err
	}
	if r.opts.AgentVersion != "" && !r.agentVersionUsed {
		r.warn("%s: --agent-version %s was not used: it pins only a floating tag (latest, or none), and this agent's image names its version already; change the tag in the template to change the version", r.td.id+"/"+r.name(c), r.opts.AgentVersion)
	}
	r.ensureHealthCheck(c)
	return nil
}

func (r *recipe) none(c *yaml.Node) error {
	had := containerMode(r.td.props, c) != ModeNone
	r.keptSudoTag(c)
	r.removePrivileged(c)
	r.removeMount(c, dockerSocketPath)
	r.removeEnv(c, dindVariable)
	r.removeDataMount(c, had)
	r.removeHealthCheck(c, "none mode")
	var left []string
	if u := mapGet(c, "User"); u != nil && !isNull(u) {
		left = append(left, "User: "+describeValue(u))
	}
	for _, d := range buildAgentDirs {
		if r.hasMount(c, "/opt/buildagent/"+d) {
			left = append(left, "the /opt/buildagent mounts")
			break
		}
	}
	if had && len(left) > 0 {
		pronoun := "it"
		if len(left) > 1 || strings.HasSuffix(left[0], "mounts") {
			pronoun = "them"
		}
		r.warn("%s/%s: left %s in place: the socket recipe may have added %s; remove %s by hand if nothing else needs %s", r.td.id, r.name(c), strings.Join(left, " and "), pronoun, pronoun, pronoun)
	}
	return nil
}

// removeDataMount removes the privileged recipe's Docker data volume. Any
// other mount at /var/lib/docker is the user's (a host path, a shared or
// EFS volume): tcdind leaves it, and says so when the container was a
// Docker-in-Docker agent (warn), where that mount may have served it.
func (r *recipe) removeDataMount(c *yaml.Node, warn bool) {
	kind, m := dataMount(r.td.props, c)
	switch kind {
	case dataTask:
		r.removeMount(c, dockerDataPath)
	case dataHost, dataOther:
		if !warn {
			return
		}
		r.warn("%s/%s: left the mount at %s (volume %s, line %d) in place: it is not the task-scoped Docker volume tcdind adds; remove it by hand if nothing needs it", r.td.id, r.name(c), dockerDataPath, scalarValue(mapGet(m, "SourceVolume")), m.Line)
	}
}

func (r *recipe) removePrivileged(c *yaml.Node) {
	if i := mapIndex(c, "Privileged"); i >= 0 && isTrue(c.Content[i+1]) {
		r.ed.removeKey(c, i, r.st)
		r.change(c, "remove Privileged: true")
	}
}

func (r *recipe) setPrivileged(c *yaml.Node) error {
	p := mapGet(c, "Privileged")
	switch {
	case p == nil:
		r.ed.setKey(c, "Privileged", boolean(true), r.st)
		r.change(c, "add Privileged: true")
	case isFalse(p):
		if err := r.ed.replaceScalar(p, "true", r.st); err != nil {
			return err
		}
		r.change(c, "change Privileged: false to true")
	}
	return nil
}

func (r *recipe) ensureRootUser(c *yaml.Node) {
	u := mapGet(c, "User")
	switch {
	case u == nil:
		r.ed.setKey(c, "User", str("root"), r.st)
		r.change(c, "add User: root (the image runs as buildagent; the Docker socket needs root)")
	case !isRootUser(r.t.resolve(u)):
		r.warn("%s/%s runs as user %s: the Docker socket needs root, so docker commands in builds may fail with permission denied; tcdind left User as it is", r.td.id, r.name(c), describeValue(u))
	}
}

// hasMount reports a mount at path that stays.
func (r *recipe) hasMount(c *yaml.Node, path string) bool {
	i := mountIndex(c, path)
	return i >= 0 && !r.removedMounts[c][i]
}

func (r *recipe) ensureHostMount(c *yaml.Node, path, volumeName string) {
	if r.hasMount(c, path) {
		return
	}
	name := r.ensureVolume(c, volume{hostPath: path}, volumeName)
	r.addMount(c, path, name)
}

func (r *recipe) addMount(c *yaml.Node, path, volumeName string) {
	r.ed.appendItem(c, "MountPoints", mapping("ContainerPath", str(path), "SourceVolume", str(volumeName)), r.st)
	r.addedMounts = append(r.addedMounts, mount{c, volumeName})
	r.change(c, "mount %s (volume %s)", path, volumeName)
}

func (r *recipe) removeMount(c *yaml.Node, path string) {
	i := mountIndex(c, path)
	if i < 0 || r.removedMounts[c][i] {
		return
	}
	mounts := mapGet(c, "MountPoints")
	if r.removedMounts[c] == nil {
		r.removedMounts[c] = map[int]bool{}
	}
	r.removedMounts[c][i] = true
	r.ed.removeItem(mounts, i, r.st)
	r.maybeOrphaned = append(r.maybeOrphaned, scalarValue(mapGet(mounts.Content[i], "SourceVolume")))
	r.change(c, "remove mount %s", path)
}

// ensureVolume returns the name of a task volume like want for container c,
// adding one named base (or base-2, base-3… on a clash) when there is none.
// A host path is shared by every container; Docker's data volume is one per
// daemon, shared only between alternatives (the branches of an Fn::If).
func (r *recipe) ensureVolume(c *yaml.Node, want volume, base string) string {
	for _, v := range r.volumes {
		if v.index >= 0 && r.removedVolumes[v.index] {
			continue
		}
		if want.hostPath != "" && sameHostPath(v.hostPath, want.hostPath) {
			return v.name
		}
		if want.docker && v.docker && strings.HasPrefix(v.name, base) && !r.mountedBeside(c, v.name) {
			return v.name
		}
	}
	name := base
	for n := 2; r.volumeNamed(name); n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	want.name, want.index = name, -1
	r.volumes = append(r.volumes, want)
	var v *value
	if want.docker {
		v = mapping("Name", str(name), "DockerVolumeConfiguration", mapping("Scope", str("task"), "Driver", str("local")))
		r.change(nil, "add volume %s (Docker's data, one per task)", name)
	} else {
		v = mapping("Name", str(name), "Host", mapping("SourcePath", str(want.hostPath)))
		r.change(nil, "add volume %s (host %s)", name, want.hostPath)
	}
	r.ed.appendItem(r.td.props, "Volumes", v, r.st)
	return name
}

func (r *recipe) volumeNamed(name string) bool {
	for _, v := range r.volumes {
		if v.name == name {
			return true
		}
	}
	return false
}

// mounted reports whether any container of the task definition keeps or
// gets a mount of the volume.
func (r *recipe) mounted(name string) bool {
	return r.mountedBy(name, func(*yaml.Node) bool { return true })
}

// mountedBeside reports whether a container that runs in the same task as c
// (c itself included) keeps or gets a mount of the volume.
func (r *recipe) mountedBeside(c *yaml.Node, name string) bool {
	return r.mountedBy(name, func(other *yaml.Node) bool { return r.td.branch[other] == r.td.branch[c] })
}

func (r *recipe) mountedBy(name string, counts func(container *yaml.Node) bool) bool {
	for _, added := range r.addedMounts {
		if added.volume == name && counts(added.container) {
			return true
		}
	}
	for _, c := range r.td.containers {
		if !counts(c) {
			continue
		}
		mounts := mapGet(c, "MountPoints")
		if mounts == nil || mounts.Kind != yaml.SequenceNode {
			continue
		}
		for i, m := range mounts.Content {
			if !r.removedMounts[c][i] && scalarValue(mapGet(m, "SourceVolume")) == name {
				return true
			}
		}
	}
	return false
}

func (r *recipe) removeOrphanedVolumes() {
	vols := mapGet(r.td.props, "Volumes")
	for _, name := range r.maybeOrphaned {
		if name == "" || r.mounted(name) {
			continue
		}
		for _, v := range r.volumes {
			if v.name == name && v.index >= 0 && !r.removedVolumes[v.index] {
				r.removedVolumes[v.index] = true
				r.ed.removeItem(vols, v.index, r.st)
				r.change(nil, "remove volume %s (nothing mounts it any more)", name)
			}
		}
	}
}

func (r *recipe) setEnv(c *yaml.Node, name, val string) error {
	i := envIndex(c, name)
	if i < 0 {
		r.ed.appendItem(c, "Environment", mapping("Name", str(name), "Value", str(val)), r.st)
		r.change(c, "add environment variable %s=%s", name, val)
		return nil
	}
	item := mapGet(c, "Environment").Content[i]
	cur := mapGet(item, "Value")
	switch {
	case cur == nil:
		r.ed.setKey(item, "Value", str(val), r.st)
	case cur.Kind != yaml.ScalarNode || isTagged(cur):
		return &RefusedError{Reason: fmt.Sprintf("%s of container %s in %s (line %d) is set by an expression; set it to %q by hand", name, r.name(c), r.td.id, cur.Line, val)}
	case cur.Value == val:
		return nil
	default:
		if err := r.ed.replaceScalar(cur, val, r.st); err != nil {
			return err
		}
	}
	r.change(c, "set environment variable %s=%s", name, val)
	return nil
}

func (r *recipe) removeEnv(c *yaml.Node, name string) {
	// Every entry of that name: with one left behind, the next run would
	// find something to remove again.
	env := mapGet(c, "Environment")
	removed := false
	for i := envIndex(c, name); i >= 0 && i < len(env.Content); i++ {
		if scalarValue(mapGet(env.Content[i], "Name")) == name {
			r.ed.removeItem(env, i, r.st)
			removed = true
		}
	}
	if removed {
		r.change(c, "remove environment variable %s", name)
	}
}
