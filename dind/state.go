package dind

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Paths the recipes mount.
const (
	dockerSocketPath = "/var/run/docker.sock"
	dockerDataPath   = "/var/lib/docker"
	dindVariable     = "DOCKER_IN_DOCKER"
	dindStart        = "start"
)

// buildAgentDirs are mirrored at the same path on the host in socket mode so
// that `docker run -v <checkout>` and TeamCity's Docker Wrapper see the same
// files inside the agent and on the host.
var buildAgentDirs = []string{"work", "temp", "tools", "plugins", "system"}

// containerMode is the mode of container c of the task definition whose
// Properties are props. Only a mount of a host volume whose SourcePath is
// the host's socket is socket mode: a mount at /var/run/docker.sock of any
// other volume is not the host's daemon (see socketMount).
func containerMode(props, c *yaml.Node) Mode {
	priv := isTrue(mapGet(c, "Privileged"))
	sock := socketMount(props, c) == socketHost
	switch {
	case priv && sock:
		return ModeMixed
	case priv:
		return ModePrivileged
	case sock:
		return ModeSocket
	}
	return ModeNone
}

// What a container has at /var/run/docker.sock.
type socketKind int

const (
	socketAbsent socketKind = iota
	socketHost              // a host volume with SourcePath /var/run/docker.sock (or /run/docker.sock)
	socketOther             // another kind of volume, another path, or no such volume
)

func socketMount(props, c *yaml.Node) socketKind {
	i := mountIndex(c, dockerSocketPath)
	if i < 0 {
		return socketAbsent
	}
	name := scalarValue(mapGet(mapGet(c, "MountPoints").Content[i], "SourceVolume"))
	if v := taskVolume(props, name); name != "" && v != nil &&
		mapGet(v, "DockerVolumeConfiguration") == nil && mapGet(v, "EFSVolumeConfiguration") == nil &&
		mapGet(v, "FSxWindowsFileServerVolumeConfiguration") == nil &&
		sameHostPath(scalarValue(mapGet(mapGet(v, "Host"), "SourcePath")), dockerSocketPath) {
		return socketHost
	}
	return socketOther
}

// What a container has at /var/lib/docker.
type dataKind int

const (
	dataAbsent dataKind = iota
	dataTask            // a task-scoped Docker volume: what the privileged recipe adds
	dataHost            // a host volume with a SourcePath: shared with the host and other tasks
	dataOther           // anything else: the user's, neither ours nor unsafe
)

// dataMount is what container c mounts at /var/lib/docker, and the mount.
func dataMount(props, c *yaml.Node) (dataKind, *yaml.Node) {
	i := mountIndex(c, dockerDataPath)
	if i < 0 {
		return dataAbsent, nil
	}
	m := mapGet(c, "MountPoints").Content[i]
	v := taskVolume(props, scalarValue(mapGet(m, "SourceVolume")))
	if v == nil || scalarValue(mapGet(m, "SourceVolume")) == "" {
		return dataOther, m
	}
	if dv := mapGet(v, "DockerVolumeConfiguration"); dv != nil {
		// ECS's default scope is task.
		if s := mapGet(dv, "Scope"); s == nil || scalarValue(s) == "task" {
			return dataTask, m
		}
		return dataOther, m
	}
	if mapGet(v, "EFSVolumeConfiguration") == nil && mapGet(v, "FSxWindowsFileServerVolumeConfiguration") == nil &&
		scalarValue(mapGet(mapGet(v, "Host"), "SourcePath")) != "" {
		return dataHost, m
	}
	return dataOther, m
}

// taskVolume is the task definition's volume called name, or nil.
func taskVolume(props *yaml.Node, name string) *yaml.Node {
	vols := mapGet(props, "Volumes")
	if vols == nil || vols.Kind != yaml.SequenceNode {
		return nil
	}
	for _, v := range vols.Content {
		if scalarValue(mapGet(v, "Name")) == name {
			return v
		}
	}
	return nil
}

// isTrue reports a YAML or JSON true, or the string "true".
func isTrue(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "true") && (n.Tag == "!!bool" || n.Tag == "!!str")
}

func isFalse(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "false") && (n.Tag == "!!bool" || n.Tag == "!!str")
}

func samePath(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/") && a != ""
}

// sameHostPath compares host paths: on the ECS-optimized AMIs /var/run is
// a symlink to /run, so /run/docker.sock is the host's socket too.
func sameHostPath(a, b string) bool {
	canon := func(p string) string {
		if p == "/run" || strings.HasPrefix(p, "/run/") {
			return "/var" + p
		}
		return p
	}
	return samePath(canon(a), canon(b))
}

// mountIndex is the index in MountPoints of the mount at containerPath, or -1.
func mountIndex(c *yaml.Node, containerPath string) int {
	mounts := mapGet(c, "MountPoints")
	if mounts == nil || mounts.Kind != yaml.SequenceNode {
		return -1
	}
	for i, m := range mounts.Content {
		if samePath(scalarValue(mapGet(m, "ContainerPath")), containerPath) {
			return i
		}
	}
	return -1
}

// envIndex is the index in Environment of the variable name, or -1.
func envIndex(c *yaml.Node, name string) int {
	env := mapGet(c, "Environment")
	if env == nil || env.Kind != yaml.SequenceNode {
		return -1
	}
	for i, e := range env.Content {
		if scalarValue(mapGet(e, "Name")) == name {
			return i
		}
	}
	return -1
}

// isRootUser reports a User that is root: "root", "0", or "root:group".
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}
