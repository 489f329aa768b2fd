package dind_test

// Helpers shared by the engine's tests: an independent reading of
// CloudFormation templates (YAML or JSON) into generic values, agent
// detection as recipes.md defines it, and the semantic checks of each mode.
// Nothing here uses the engine's own reading (Parse/Agents).

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tcdind/tcdind/dind"
	"go.yaml.in/yaml/v3"
)

const (
	sockPath = "/var/run/docker.sock"
	dataPath = "/var/lib/docker"
	dindEnv  = "DOCKER_IN_DOCKER"
)

var buildDirs = []string{
	"/opt/buildagent/work",
	"/opt/buildagent/temp",
	"/opt/buildagent/tools",
	"/opt/buildagent/plugins",
	"/opt/buildagent/system",
}

var utf8BOM = []byte("\xef\xbb\xbf")

// ---------------------------------------------------------------------------
// Reading templates

// parseNode parses src (YAML or JSON, optional BOM) into its document node.
func parseNode(src []byte) (*yaml.Node, error) {
	src = bytes.TrimPrefix(src, utf8BOM)
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("not a single YAML document")
	}
	return doc.Content[0], nil
}

// decodeCFN reads a template into map[string]any / []any / scalars, with the
// short-form intrinsic functions (!Ref, !Join, ...) expanded to their long
// form, so that short and long forms compare equal. Duplicate mapping keys
// are an error (CloudFormation rejects them).
func decodeCFN(src []byte) (map[string]any, error) {
	root, err := parseNode(src)
	if err != nil {
		return nil, err
	}
	v, err := nodeValue(root)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template is a %T, not a mapping", v)
	}
	return m, nil
}

func nodeValue(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", n.Content[i].Line, k)
			}
			val, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if isCustomTag(n.Tag) {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected node kind %v", n.Line, n.Kind)
	}
	if isCustomTag(n.Tag) {
		return intrinsic(n.Tag, v), nil
	}
	return v, nil
}

func isCustomTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

func intrinsic(tag string, v any) any {
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}
	case "GetAtt":
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
	}
	return map[string]any{"Fn::" + name: v}
}

// ---------------------------------------------------------------------------
// Navigating generic values

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func resources(doc map[string]any) map[string]any { return asMap(doc["Resources"]) }

func props(res any) map[string]any { return asMap(asMap(res)["Properties"]) }

// params returns parameter defaults as strings.
func params(doc map[string]any) map[string]string {
	out := map[string]string{}
	for name, p := range asMap(doc["Parameters"]) {
		if d, ok := asMap(p)["Default"]; ok {
			out[name] = fmt.Sprint(d)
		}
	}
	return out
}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// resolve renders a value as a string with Ref / ${Param} replaced by the
// parameter's Default, as far as that is possible. Unresolvable parts are
// rendered as ${Name}.
func resolve(v any, ps map[string]string) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = resolve(e, ps)
		}
		return strings.Join(parts, " ")
	case map[string]any:
		if r, ok := x["Ref"]; ok && len(x) == 1 {
			name := asString(r)
			if d, ok := ps[name]; ok {
				return d
			}
			return "${" + name + "}"
		}
		if j, ok := x["Fn::Join"]; ok && len(x) == 1 {
			l := asList(j)
			if len(l) == 2 {
				parts := asList(l[1])
				ss := make([]string, len(parts))
				for i, p := range parts {
					ss[i] = resolve(p, ps)
				}
				return strings.Join(ss, asString(l[0]))
			}
		}
		if s, ok := x["Fn::Sub"]; ok && len(x) == 1 {
			str, vars := asString(s), map[string]any(nil)
			if l := asList(s); len(l) == 2 {
				str, vars = asString(l[0]), asMap(l[1])
			}
			return subVar.ReplaceAllStringFunc(str, func(m string) string {
				name := m[2 : len(m)-1]
				if v, ok := vars[name]; ok {
					return resolve(v, ps)
				}
				if d, ok := ps[name]; ok {
					return d
				}
				return m
			})
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, resolve(x[k], ps))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

// ---------------------------------------------------------------------------
// Task definitions and containers

// containerSlot is one container of a task definition: branch is -1 for a
// plain list, 0 or 1 for the branches of an Fn::If.
type containerSlot struct {
	branch, index int
	c             map[string]any
}

// containerLists returns the container lists of a task definition: one plain
// list, or the two branches of an Fn::If.
func containerLists(p map[string]any) (lists [][]any, isIf bool) {
	cd := p["ContainerDefinitions"]
	if m := asMap(cd); m != nil {
		if f, ok := m["Fn::If"]; ok {
			l := asList(f)
			if len(l) == 3 {
				return [][]any{asList(l[1]), asList(l[2])}, true
			}
		}
		return nil, false
	}
	return [][]any{asList(cd)}, false
}

func containers(p map[string]any) []containerSlot {
	lists, isIf := containerLists(p)
	var out []containerSlot
	for b, l := range lists {
		br := b
		if !isIf {
			br = -1
		}
		for i, c := range l {
			out = append(out, containerSlot{br, i, asMap(c)})
		}
	}
	return out
}

// isAgentContainer is the agent rule of README.md: the image's repository
// (last path segment, no tag or digest) is teamcity-agent; or, when the
// image is not known before deploy, the container's Name is teamcity-agent.
func isAgentContainer(c map[string]any, ps map[string]string) bool {
	img := resolve(c["Image"], ps)
	if at := strings.Index(img, "@"); at >= 0 {
		img = img[:at]
	}
	repo := img[strings.LastIndex(img, "/")+1:]
	if colon := strings.Index(repo, ":"); colon >= 0 {
		repo = repo[:colon]
	}
	if c["Image"] == nil || strings.Contains(repo, "${") || strings.Contains(repo, " ") {
		return asString(c["Name"]) == "teamcity-agent"
	}
	return repo == "teamcity-agent"
}

// agentTaskDefs lists the logical IDs of task definitions with an agent
// container, sorted (Go maps lose template order).
func agentTaskDefs(doc map[string]any) []string {
	ps := params(doc)
	var ids []string
	for id, r := range resources(doc) {
		if asString(asMap(r)["Type"]) != "AWS::ECS::TaskDefinition" {
			continue
		}
		for _, s := range containers(props(r)) {
			if isAgentContainer(s.c, ps) {
				ids = append(ids, id)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func mountsAt(c map[string]any, path string) []map[string]any {
	var out []map[string]any
	for _, m := range asList(c["MountPoints"]) {
		if asString(asMap(m)["ContainerPath"]) == path {
			out = append(out, asMap(m))
		}
	}
	return out
}

func envNamed(c map[string]any, name string) []map[string]any {
	var out []map[string]any
	for _, e := range asList(c["Environment"]) {
		if asString(asMap(e)["Name"]) == name {
			out = append(out, asMap(e))
		}
	}
	return out
}

// otherMounts are the mounts that no mode adds or removes.
func otherMounts(c map[string]any) []any {
	var out []any
	for _, m := range asList(c["MountPoints"]) {
		p := asString(asMap(m)["ContainerPath"])
		if p == sockPath || p == dataPath || slices.Contains(buildDirs, p) {
			continue
		}
		out = append(out, m)
	}
	return out
}

func otherEnv(c map[string]any) []any {
	var out []any
	for _, e := range asList(c["Environment"]) {
		if asString(asMap(e)["Name"]) != dindEnv {
			out = append(out, e)
		}
	}
	return out
}

func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func volumeByName(p map[string]any, name string) map[string]any {
	for _, v := range asList(p["Volumes"]) {
		if asString(asMap(v)["Name"]) == name {
			return asMap(v)
		}
	}
	return nil
}

func hostPath(vol map[string]any) string {
	return asString(asMap(vol["Host"])["SourcePath"])
}

// mountedVolumes is the set of volume names that any container of the task
// definition (either branch of an Fn::If) mounts.
func mountedVolumes(p map[string]any) map[string]bool {
	used := map[string]bool{}
	for _, s := range containers(p) {
		for _, m := range asList(s.c["MountPoints"]) {
			used[asString(asMap(m)["SourceVolume"])] = true
		}
	}
	return used
}

// ---------------------------------------------------------------------------
// Checks

// checkOthersUnchanged: every top-level section and every resource other
// than the edited ones is deep-equal to the input's.
func checkOthersUnchanged(t *testing.T, label string, in, out map[string]any, edited []string) {
	t.Helper()
	for k, v := range in {
		if k == "Resources" {
			continue
		}
		if !reflect.DeepEqual(v, out[k]) {
			t.Errorf("%s: top-level section %s changed", label, k)
		}
	}
	for k := range out {
		if _, ok := in[k]; !ok {
			t.Errorf("%s: top-level section %s added", label, k)
		}
	}
	inR, outR := resources(in), resources(out)
	if len(inR) != len(outR) {
		t.Errorf("%s: %d resources in input, %d in output", label, len(inR), len(outR))
	}
	for id, r := range inR {
		if slices.Contains(edited, id) {
			continue
		}
		if !reflect.DeepEqual(r, outR[id]) {
			t.Errorf("%s: resource %s is not a target but changed:\n in: %v\nout: %v", label, id, r, outR[id])
		}
	}
}

// checkMode checks that every agent container of task definition id in out
// has the semantics recipes.md gives opts, relative to the same task
// definition in in (the template the options were applied to).
func checkMode(t *testing.T, label string, in, out map[string]any, id string, opts dind.Options) {
	t.Helper()
	label = label + ": " + id
	ps := params(in)
	inTD, outTD := asMap(resources(in)[id]), asMap(resources(out)[id])
	if outTD == nil {
		t.Errorf("%s: task definition missing from output", label)
		return
	}
	for k, v := range inTD {
		if k != "Properties" && !reflect.DeepEqual(v, outTD[k]) {
			t.Errorf("%s: %s changed", label, k)
		}
	}
	inP, outP := props(inTD), props(outTD)
	for k, v := range inP {
		if k == "Volumes" || k == "ContainerDefinitions" {
			continue
		}
		if !reflect.DeepEqual(v, outP[k]) {
			t.Errorf("%s: Properties.%s changed", label, k)
		}
	}
	for k := range outP {
		if _, ok := inP[k]; !ok && k != "Volumes" {
			t.Errorf("%s: Properties.%s added", label, k)
		}
	}
	if ifIn, ifOut := asMap(inP["ContainerDefinitions"])["Fn::If"], asMap(outP["ContainerDefinitions"])["Fn::If"]; ifIn != nil {
		if ifOut == nil || !reflect.DeepEqual(asList(ifIn)[0], asList(ifOut)[0]) {
			t.Errorf("%s: the Fn::If of ContainerDefinitions lost its condition", label)
		}
	}
	inC, outC := containers(inP), containers(outP)
	if len(inC) != len(outC) {
		t.Errorf("%s: %d containers in input, %d in output", label, len(inC), len(outC))
		return
	}

	// Volumes: unique names; every input volume kept unchanged unless it is a
	// DinD volume that nothing mounts any more; every new volume mounted.
	outUsed, inUsed := mountedVolumes(outP), mountedVolumes(inP)
	names := map[string]bool{}
	for _, v := range asList(outP["Volumes"]) {
		n := asString(asMap(v)["Name"])
		if names[n] {
			t.Errorf("%s: two volumes named %q", label, n)
		}
		names[n] = true
		if volumeByName(inP, n) == nil && !outUsed[n] {
			t.Errorf("%s: new volume %q is not mounted by any container", label, n)
		}
		if hp := hostPath(asMap(v)); hp != "" && volumeByName(inP, n) == nil {
			for _, w := range asList(outP["Volumes"]) {
				if w2 := asMap(w); asString(w2["Name"]) != n && hostPath(w2) == hp {
					t.Errorf("%s: new volume %q duplicates volume %q (host %s); reuse it", label, n, w2["Name"], hp)
				}
			}
		}
	}
	for _, v := range asList(inP["Volumes"]) {
		vm := asMap(v)
		n := asString(vm["Name"])
		ov := volumeByName(outP, n)
		switch {
		case ov == nil && outUsed[n]:
			t.Errorf("%s: volume %q removed but still mounted", label, n)
		case ov == nil && !isDinDVolume(vm):
			t.Errorf("%s: volume %q removed; it is not a Docker-in-Docker volume", label, n)
		case ov == nil && !inUsed[n]:
			t.Errorf("%s: volume %q removed; nothing in the input mounted it, tcdind did not add it", label, n)
		case ov != nil && !reflect.DeepEqual(vm, ov):
			t.Errorf("%s: volume %q changed: %v -> %v", label, n, vm, ov)
		case ov != nil && inUsed[n] && !outUsed[n] && isDinDVolume(vm):
			t.Errorf("%s: volume %q (%v) is no longer mounted and should have been removed", label, n, vm)
		}
	}

	for i, so := range outC {
		si := inC[i]
		where := fmt.Sprintf("%s container %d", label, i)
		if so.branch >= 0 {
			where = fmt.Sprintf("%s Fn::If branch %d container %d", label, so.branch+1, so.index)
		}
		if !isAgentContainer(si.c, ps) {
			if !reflect.DeepEqual(si.c, so.c) {
				t.Errorf("%s: non-agent container %v changed:\n in: %v\nout: %v", where, si.c["Name"], si.c, so.c)
			}
			continue
		}
		checkAgentContainer(t, where, si.c, so.c, outP, opts)
	}
}

func isDinDVolume(v map[string]any) bool {
	if hostPath(v) == sockPath {
		return true
	}
	_, dvc := v["DockerVolumeConfiguration"]
	return dvc
}

var editedKeys = []string{"MountPoints", "Environment", "Privileged", "User", "Image", "HealthCheck"}

// dockerHealthCheck is the HealthCheck the complete recipe adds (issue 17):
// docker info, timings for an agent that starts dockerd and runs long builds.
var dockerHealthCheck = map[string]any{
	"Command":     []any{"CMD-SHELL", "docker info > /dev/null || exit 1"},
	"Interval":    30,
	"Timeout":     10,
	"Retries":     5,
	"StartPeriod": 300,
}

func isDockerHealthCheck(v any) bool {
	m := asMap(v)
	if m == nil {
		return false
	}
	cmd := asList(m["Command"])
	return len(cmd) == 2 && cmd[0] == "CMD-SHELL" && cmd[1] == dockerHealthCheck["Command"].([]any)[1]
}

// checkHealthCheck: the complete recipe adds the docker info health check
// to a JetBrains agent without one; a container's own stays; none and
// --health-check=false remove tcdind's; minimal changes nothing.
func checkHealthCheck(t *testing.T, where string, in, out map[string]any, opts dind.Options) {
	t.Helper()
	inHC, had := in["HealthCheck"]
	outHC, has := out["HealthCheck"]
	if had && !isDockerHealthCheck(inHC) {
		if !reflect.DeepEqual(inHC, outHC) {
			t.Errorf("%s: the container's own HealthCheck changed: %v -> %v", where, inHC, outHC)
		}
		return
	}
	switch {
	case opts.Mode == dind.ModeNone || (!opts.Minimal && !opts.HealthCheck):
		if has {
			t.Errorf("%s: %s keeps the docker info HealthCheck: %v", where, opts.Mode, outHC)
		}
	case opts.Minimal:
		if !reflect.DeepEqual(inHC, outHC) {
			t.Errorf("%s: minimal changed HealthCheck: %v -> %v", where, inHC, outHC)
		}
	case has && !reflect.DeepEqual(normalizeNumbers(outHC), dockerHealthCheck):
		t.Errorf("%s: HealthCheck %v, want %v", where, outHC, dockerHealthCheck)
	case !has && opts.Mode == dind.ModePrivileged && !strings.Contains(fmt.Sprint(out["Image"]), "sudo"):
		// An image without sudo cannot start Docker in privileged mode
		// (a warning says so); the check would fail on every agent, so
		// none is added (TestHealthCheckNotAddedWhereDockerCannotStart).
	case !has && strings.Contains(fmt.Sprint(out["Image"]), "teamcity-agent"):
		t.Errorf("%s: complete %s mode: no docker info HealthCheck on a teamcity-agent image", where, opts.Mode)
	}
}

// normalizeNumbers turns the numbers of a decoded mapping into ints.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = normalizeNumbers(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNumbers(e)
		}
		return out
	case float64:
		return int(x)
	case int64:
		return int(x)
	case uint64:
		return int(x)
	}
	return v
}

func checkAgentContainer(t *testing.T, where string, in, out, outP map[string]any, opts dind.Options) {
	t.Helper()
	checkHealthCheck(t, where, in, out, opts)
	for k, v := range in {
		if !slices.Contains(editedKeys, k) && !reflect.DeepEqual(v, out[k]) {
			t.Errorf("%s: key %s changed: %v -> %v", where, k, v, out[k])
		}
	}
	for k := range out {
		if _, ok := in[k]; !ok && !slices.Contains(editedKeys, k) {
			t.Errorf("%s: key %s added", where, k)
		}
	}
	if !reflect.DeepEqual(otherMounts(in), otherMounts(out)) {
		t.Errorf("%s: unrelated mount points changed:\n in: %v\nout: %v", where, otherMounts(in), otherMounts(out))
	}
	if !reflect.DeepEqual(otherEnv(in), otherEnv(out)) {
		t.Errorf("%s: unrelated environment changed:\n in: %v\nout: %v", where, otherEnv(in), otherEnv(out))
	}
	for _, m := range asList(out["MountPoints"]) {
		sv := asString(asMap(m)["SourceVolume"])
		if volumeByName(outP, sv) == nil {
			t.Errorf("%s: mount point %v names volume %q, which the task does not define", where, m, sv)
		}
	}
	sock, data := mountsAt(out, sockPath), mountsAt(out, dataPath)
	env := envNamed(out, dindEnv)
	_, inHasPriv := in["Privileged"]
	inPrivTrue := isTrue(in["Privileged"])

	noPrivileged := func() {
		if isTrue(out["Privileged"]) {
			t.Errorf("%s: Privileged is still true", where)
		}
		switch {
		case inHasPriv && !inPrivTrue:
			if p, ok := out["Privileged"]; !ok || isTrue(p) {
				t.Errorf("%s: Privileged: %v in the input became %v", where, in["Privileged"], p)
			}
		case inPrivTrue:
			if _, ok := out["Privileged"]; ok {
				t.Errorf("%s: Privileged: true should be removed, not rewritten to %v", where, out["Privileged"])
			}
		}
	}
	sameUser := func() {
		if !reflect.DeepEqual(in["User"], out["User"]) {
			t.Errorf("%s: User changed from %v to %v", where, in["User"], out["User"])
		}
	}
	sameBuildDirs := func() {
		for _, d := range buildDirs {
			if !reflect.DeepEqual(mountsAt(in, d), mountsAt(out, d)) {
				t.Errorf("%s: mount of %s changed: %v -> %v", where, d, mountsAt(in, d), mountsAt(out, d))
			}
		}
	}
	sameImage := func() {
		if !reflect.DeepEqual(in["Image"], out["Image"]) {
			t.Errorf("%s: Image changed from %v to %v", where, in["Image"], out["Image"])
		}
	}
	hostMount := func(path string, ms []map[string]any) {
		if len(ms) != 1 {
			t.Errorf("%s: want one mount point at %s, got %d: %v", where, path, len(ms), out["MountPoints"])
			return
		}
		vol := volumeByName(outP, asString(ms[0]["SourceVolume"]))
		if hostPath(vol) != path {
			t.Errorf("%s: mount point at %s uses volume %v, want a host volume with SourcePath %s", where, path, vol, path)
		}
		if isTrue(ms[0]["ReadOnly"]) {
			t.Errorf("%s: mount point at %s is read-only", where, path)
		}
	}

	switch opts.Mode {
	case dind.ModeSocket:
		hostMount(sockPath, sock)
		noPrivileged()
		if len(env) != 0 {
			t.Errorf("%s: socket mode keeps %s: %v", where, dindEnv, env)
		}
		if len(data) != 0 {
			t.Errorf("%s: socket mode keeps the %s mount", where, dataPath)
		}
		sameImage()
		if opts.Minimal {
			sameUser()
			sameBuildDirs()
			break
		}
		if _, ok := in["User"]; ok {
			sameUser()
		} else if out["User"] != "root" {
			t.Errorf("%s: complete socket mode: want User: root, got %v", where, out["User"])
		}
		if opts.BuildDirs {
			for _, d := range buildDirs {
				hostMount(d, mountsAt(out, d))
			}
		} else {
			sameBuildDirs()
		}
	case dind.ModePrivileged:
		// A new or rewritten value is the boolean true; an existing "true"
		// string (CloudFormation accepts it) may stay.
		if p, ok := out["Privileged"].(bool); (!ok || !p) && !(isTrue(in["Privileged"]) && reflect.DeepEqual(in["Privileged"], out["Privileged"])) {
			t.Errorf("%s: want Privileged: true (a boolean), got %#v", where, out["Privileged"])
		}
		if len(sock) != 0 {
			t.Errorf("%s: privileged mode keeps the docker.sock mount: %v", where, sock)
		}
		sameUser()
		sameBuildDirs()
		if !opts.SudoImage || opts.Minimal {
			sameImage()
		} else if img := resolve(out["Image"], nil); !reflect.DeepEqual(in["Image"], out["Image"]) && !strings.HasSuffix(img, "-linux-sudo") {
			t.Errorf("%s: --sudo-image rewrote Image to %v, which does not end in -linux-sudo", where, out["Image"])
		}
		if opts.Minimal {
			if len(envNamed(in, dindEnv)) == 0 && len(env) != 0 {
				t.Errorf("%s: minimal privileged mode added %s", where, dindEnv)
			}
			if len(mountsAt(in, dataPath)) == 0 && len(data) != 0 {
				t.Errorf("%s: minimal privileged mode added a %s mount", where, dataPath)
			}
			break
		}
		if len(env) != 1 || env[0]["Value"] != "start" {
			t.Errorf("%s: want one %s=start, got %v", where, dindEnv, env)
		}
		if len(data) != 1 {
			t.Errorf("%s: want one mount point at %s, got %v", where, dataPath, out["MountPoints"])
		} else {
			vol := volumeByName(outP, asString(data[0]["SourceVolume"]))
			dvc := asMap(vol["DockerVolumeConfiguration"])
			if dvc == nil || dvc["Scope"] != "task" || dvc["Driver"] != "local" || vol["Host"] != nil {
				t.Errorf("%s: %s mount uses volume %v, want DockerVolumeConfiguration {Scope: task, Driver: local}", where, dataPath, vol)
			}
		}
	case dind.ModeNone:
		noPrivileged()
		if len(sock) != 0 || len(data) != 0 || len(env) != 0 {
			t.Errorf("%s: none mode keeps docker.sock mount %v, %s mount %v or %s %v", where, sock, dataPath, data, dindEnv, env)
		}
		sameUser()
		sameBuildDirs()
		sameImage()
	}
}

// checkResult checks what every successful Apply must satisfy.
func checkResult(t *testing.T, label string, src []byte, res *dind.Result, targets []string) {
	t.Helper()
	if res == nil {
		t.Fatalf("%s: nil result without error", label)
	}
	if res.Changed != !bytes.Equal(res.Output, src) {
		t.Errorf("%s: Changed is %v but output equal to input is %v", label, res.Changed, bytes.Equal(res.Output, src))
	}
	if res.Changed && len(res.Changes) == 0 {
		t.Errorf("%s: changed without any Change", label)
	}
	if !res.Changed && len(res.Changes) != 0 {
		t.Errorf("%s: unchanged but Changes %v", label, res.Changes)
	}
	if targets != nil {
		got := slices.Clone(res.Targets)
		sort.Strings(got)
		if !slices.Equal(got, targets) {
			t.Errorf("%s: Targets %v, want %v", label, res.Targets, targets)
		}
	}
	for _, c := range res.Changes {
		if !slices.Contains(res.Targets, c.TaskDefinition) || c.Summary == "" {
			t.Errorf("%s: bad change %+v (targets %v)", label, c, res.Targets)
		}
	}
}

// checkIdempotent: applying the same options to the output is a
// byte-identical no-op.
func checkIdempotent(t *testing.T, label string, out []byte, opts dind.Options) {
	t.Helper()
	res, err := dind.Apply(out, opts)
	if err != nil {
		t.Errorf("%s: applying again: %v", label, err)
		return
	}
	if res.Changed || !bytes.Equal(res.Output, out) {
		t.Errorf("%s: applying again is not a no-op (Changed %v):\n%s", label, res.Changed, lineDiff(out, res.Output))
	}
}

// ---------------------------------------------------------------------------
// Bytes and lines

func splitLines(b []byte) []string {
	return strings.SplitAfter(string(b), "\n")
}

// isLineSubsequence reports whether a's lines appear in b in order (b only
// adds lines), and names the first line of a that is missing.
func isLineSubsequence(a, b []byte) (bool, string) {
	al, bl := splitLines(a), splitLines(b)
	// A last line without a newline may gain one.
	for _, ls := range [][]string{al, bl} {
		for i := range ls {
			ls[i] = strings.TrimSuffix(ls[i], "\n")
		}
	}
	j := 0
	for i, l := range al {
		for j < len(bl) && bl[j] != l {
			j++
		}
		if j == len(bl) {
			return false, fmt.Sprintf("line %d %q of the input is changed or missing", i+1, l)
		}
		j++
	}
	return true, ""
}

// lineDiff is a small diff for failure messages: the lines of b that are
// not in a and the lines of a that are not in b, with line numbers.
func lineDiff(a, b []byte) string {
	al, bl := splitLines(a), splitLines(b)
	// longest common subsequence on lines
	n, m := len(al), len(bl)
	if n*m > 4_000_000 {
		return fmt.Sprintf("(%d vs %d lines)", n, m)
	}
	dp := make([][]int32, n+1)
	for i := range dp {
		dp[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && al[i] == bl[j]:
			i++
			j++
		case j < m && (i == n || dp[i][j+1] >= dp[i+1][j]):
			fmt.Fprintf(&sb, "+%4d %q\n", j+1, bl[j])
			j++
		default:
			fmt.Fprintf(&sb, "-%4d %q\n", i+1, al[i])
			i++
		}
		if sb.Len() > 6000 {
			sb.WriteString("...\n")
			break
		}
	}
	return sb.String()
}

// ---------------------------------------------------------------------------
// Files

const fixtureDir = "../testdata/templates"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpusFiles lists every *.yaml under the corpus directory (TCDIND_CORPUS,
// default ../../shared/corpus). It skips when the corpus is absent, except
// under CI=true, where that is a failure.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := os.Getenv("TCDIND_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return nil
	})
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no *.yaml in %s", dir)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("template corpus missing under CI: %v", err)
		}
		t.Skipf("template corpus not available (set TCDIND_CORPUS): %v", err)
	}
	sort.Strings(files)
	return files
}

func requireCI() bool { return os.Getenv("CI") == "true" }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
