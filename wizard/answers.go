package wizard

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/atomicfile"
	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
	"github.com/tcdind/tcdind/source"
)

// sourceKind is the answer to "where is the template?".
type sourceKind int

const (
	sourceTemplate sourceKind = iota
	sourceStack
)

// recipe is the answer to the recipe question: the complete recipe, one of
// its per-mode variations, or the minimal one.
type recipe int

const (
	recipeComplete recipe = iota
	recipeNoBuildDirs
	recipeSudoImage
	recipeMinimal
)

// allTaskDefinitions is the task definition answer that selects every one.
const allTaskDefinitions = dind.AllTaskDefinitions

// answers are what the user (or a flag) said, and what was loaded. The
// screens and the accessible prompts share them.
type answers struct {
	source      sourceKind
	templateArg string
	src         *source.Template
	parsed      *dind.Template // as read, its agents found by the agent rule
	tmpl        *dind.Template // what is edited: parsed, or its named agents
	containers  []string       // the agent containers named: --container, or the container question
	taskDefs    []string       // nil: the only one; {"all"}; or chosen IDs
	taskDef     string         // the task definition question's answer
	mode        dind.Mode
	recipe      recipe
	// recipeAnsweredFor: the mode whose recipe question was answered (its
	// default is then the answer, not the recommended choice); a recipe
	// answered for another mode recommends again.
	recipeAnsweredFor dind.Mode
	// agentVersion pins a floating agent tag with the -sudo image: the
	// version question's answer, or --agent-version.
	agentVersion  string
	arch          string // --agent-arch
	noHealthCheck bool   // --health-check=false
	output        string
	explicitOut   bool // output came from --output or --in-place
	overwrite     bool

	s3Bucket  string           // where a template over 51,200 bytes goes
	region    string           // the stack's region
	stack     string           // the stack question's answer, or --stack
	stackInfo *awsclient.Stack // the stack read, once loaded
	// hosts are the container instances of the clusters that run the
	// stack's agents, read once with the stack (nil for a template).
	hosts *agenthosts.Reading

	tc tcAnswers // TeamCity: whether to ask it, where, the token
}

func newAnswers(cfg Config) answers {
	a := answers{templateArg: cfg.Template, mode: cfg.Mode, output: cfg.Output, region: cfg.Region, s3Bucket: cfg.S3Bucket,
		agentVersion: cfg.AgentVersion, arch: cfg.Arch, noHealthCheck: cfg.NoHealthCheck, tc: newTCAnswers(cfg)}
	if !cfg.RegionGiven && cfg.Stack == "" {
		a.region = "" // the region question proposes it, or the profile's
	}
	if cfg.Output != "" {
		a.explicitOut = true
	}
	if len(cfg.TaskDefinitions) > 0 {
		a.taskDefs = append([]string(nil), cfg.TaskDefinitions...)
		if len(a.taskDefs) == 1 {
			a.taskDef = a.taskDefs[0]
		}
	}
	switch {
	case cfg.Minimal:
		a.recipe = recipeMinimal
	case cfg.Mode == dind.ModeSocket && !cfg.BuildDirs && cfg.RecipeGiven:
		a.recipe = recipeNoBuildDirs
	case cfg.Mode == dind.ModePrivileged && cfg.SudoImage:
		a.recipe = recipeSudoImage
	}
	if a.mode == "" {
		a.mode = dind.ModeSocket
	}
	return a
}

// templateArgOrDefault is what the template answer names: an empty answer
// is JetBrains' published template.
func (a *answers) templateArgOrDefault() string {
	if s := expandPath(a.templateArg); s != "" && !source.IsURL(s) {
		return s
	}
	if s := strings.TrimSpace(a.templateArg); s != "" {
		return s
	}
	return source.JetBrainsTemplateURL
}

// forgetLoaded drops what was loaded: the user went back before the
// template or stack is named, so the header and the screens do not speak
// of the one read before.
func (a *answers) forgetLoaded() {
	a.src, a.parsed, a.tmpl, a.stackInfo, a.hosts = nil, nil, nil, nil, nil
}

// userHome is the home directory ~ names.
var userHome = os.UserHomeDir

// loaded records a loaded and parsed template, and proposes where to save.
func (a *answers) loaded(cfg Config, src *source.Template, t *dind.Template) {
	a.src, a.parsed, a.tmpl = src, t, t
	// parse checked the names --container gives.
	a.containers = slices.Clone(cfg.Containers)
	if named, err := t.WithContainers(a.containers); err == nil {
		a.tmpl = named
	}
	switch {
	case cfg.InPlace && src.Path != "":
		a.output, a.explicitOut = src.Path, true
	case cfg.Output != "":
		a.output, a.explicitOut = cfg.Output, true
	default:
		a.output, a.explicitOut = source.PatchedName(src, t.IsJSON()), false
	}
	a.defaultMode(cfg)
}

// defaultMode keeps the mode the agents are in now unless it is none (or
// --mode answered), or privileged on hosts that do not allow it.
func (a *answers) defaultMode(cfg Config) {
	if cfg.Mode == "" {
		switch cur := a.currentMode(); {
		case cur == dind.ModePrivileged && a.privilegedRefusal() != nil:
			a.mode = dind.ModeSocket
		case cur == dind.ModeSocket || cur == dind.ModePrivileged:
			a.mode = cur
		}
	}
}

// selectedIDs are the logical IDs of the selected task definitions.
func (a *answers) selectedIDs() []string {
	var ids []string
	for _, td := range a.selected() {
		ids = append(ids, td.LogicalID)
	}
	return ids
}

// privilegedRefusal says why the hosts of the selected agents cannot run
// a privileged agent (none allows privileged containers); nil when they
// can, or were not read.
func (a *answers) privilegedRefusal() *dind.RefusedError {
	return a.hosts.Judge(dind.Options{Mode: dind.ModePrivileged}, a.selectedIDs(), nil).Refusal
}

// agentArch is the architecture the agent's -sudo tag is for:
// --agent-arch, else the hosts' when every one is arm64, else "".
func (a *answers) agentArch() string {
	if a.arch != "" {
		return a.arch
	}
	if arch := a.hosts.Arch(a.selectedIDs()); arch == dind.ArchARM64 {
		return arch
	}
	return ""
}

// parse parses a loaded template and checks it has an agent: the
// containers names name it, or the agent rule finds it. A template with
// containers and no agent by the rule is returned: the container question
// names one.
func parse(src *source.Template, names []string) (*dind.Template, error) {
	t, err := dind.Parse(src.Bytes)
	if err != nil {
		return nil, err
	}
	agents := t
	switch {
	case len(names) > 0:
		if agents, err = t.WithContainers(names); err != nil {
			return nil, err
		}
	case len(t.Agents()) == 0 && len(t.AllContainers()) > 0:
		return t, nil
	case len(t.Agents()) == 0:
		return nil, dind.ErrNoAgent
	}
	if err := editable(agents); err != nil {
		return nil, err
	}
	return t, nil
}

// editable refuses now rather than after the questions when no agent task
// definition of t can be edited (Fargate, Windows).
func editable(t *dind.Template) error {
	var reasons []string
	for _, td := range t.Agents() {
		if td.Refusal == "" {
			return nil
		}
		reasons = append(reasons, td.Refusal)
	}
	return &dind.RefusedError{Reason: strings.Join(reasons, "; ")}
}

// selected are the agent task definitions the answers select.
func (a *answers) selected() []dind.TaskDefinition {
	if a.tmpl == nil {
		return nil
	}
	agents := a.tmpl.Agents()
	ids := a.taskDefIDs()
	if len(ids) == 0 || (len(ids) == 1 && ids[0] == allTaskDefinitions) {
		if len(ids) == 0 && len(agents) > 1 {
			return nil
		}
		return agents
	}
	var out []dind.TaskDefinition
	for _, td := range agents {
		for _, id := range ids {
			if td.LogicalID == id {
				out = append(out, td)
			}
		}
	}
	return out
}

func (a *answers) taskDefIDs() []string {
	if a.taskDef != "" {
		return []string{a.taskDef}
	}
	return a.taskDefs
}

// currentMode is the mode the selected task definitions are in now.
func (a *answers) currentMode() dind.Mode {
	sel := a.selected()
	if len(sel) == 0 {
		return ""
	}
	mode := sel[0].Mode()
	for _, td := range sel[1:] {
		if td.Mode() != mode {
			return dind.ModeMixed
		}
	}
	return mode
}

// currentModes describes the current mode of each selected task definition.
func (a *answers) currentModes() string {
	sel := a.selected()
	switch len(sel) {
	case 0:
		return ""
	case 1:
		return describeMode(sel[0].Mode())
	}
	var parts []string
	for _, td := range sel {
		parts = append(parts, td.LogicalID+": "+describeMode(td.Mode()))
	}
	return strings.Join(parts, "; ")
}

func describeMode(m dind.Mode) string {
	switch m {
	case dind.ModeSocket:
		return "socket (the host's Docker socket is mounted)"
	case dind.ModePrivileged:
		return "privileged (the agent runs its own Docker daemon)"
	case dind.ModeMixed:
		return "mixed (both the socket and privileged: choose one)"
	}
	return "none (builds cannot run docker)"
}

// options are the engine options the answers make.
func (a *answers) options() dind.Options {
	opts := dind.Options{
		Mode:        a.mode,
		Minimal:     a.recipe == recipeMinimal,
		BuildDirs:   a.recipe != recipeNoBuildDirs,
		SudoImage:   a.recipe == recipeSudoImage,
		HealthCheck: !a.noHealthCheck,
		Arch:        a.arch,
	}
	if opts.SudoImage {
		opts.AgentVersion = a.agentVersion
	}
	// arm64 hosts pick the -linux-arm64-sudo tag, as on the command line.
	if o, ok := agenthosts.WithArch(opts, a.hosts.Arch(a.selectedIDs())); ok {
		opts = o
	}
	if ids := a.taskDefIDs(); len(ids) > 0 {
		opts.TaskDefinitions = append([]string(nil), ids...)
	}
	if len(a.containers) > 0 {
		opts.Containers = slices.Clone(a.containers)
	}
	if a.source == sourceStack && a.stackInfo != nil && a.tmpl != nil {
		// A stack's agent image tag is judged on its deployed value.
		opts.ParameterValues = a.stackInfo.Values(a.tmpl.ImageParameters(opts))
	}
	return opts
}

// apply runs the engine on the loaded template.
func (a *answers) apply() (*dind.Result, error) {
	if a.tmpl == nil {
		return nil, errors.New("no template loaded")
	}
	return a.tmpl.Apply(a.options())
}

// recipeApplies reports whether the recipe question means anything for mode.
func recipeApplies(m dind.Mode) bool {
	return m == dind.ModeSocket || m == dind.ModePrivileged
}

// outputExists reports whether saving to path would replace a file.
func outputExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkOutput finds problems with a save path before asking more.
func checkOutput(path string) error {
	path = expandPath(path)
	if path == "" {
		return errors.New("give a file name")
	}
	if path == source.Stdin {
		return errors.New("the terminal is standard output here: give a file name")
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("%s is a directory: give a file name", path)
	}
	return nil
}

// keepOnEmpty is check for an answer that an empty line leaves as it was:
// a plain prompt keeps the value then ("An empty answer keeps …"), and
// the value is checked. On screen the text typed is the value itself.
func keepOnEmpty(value *string, check func(string) error) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" && *value != "" {
			return check(*value)
		}
		return check(s)
	}
}

// save writes the patched template atomically.
func save(path string, data []byte) error {
	return atomicfile.Write(path, data)
}

// recipeLabel describes the recipe chosen for mode, for summaries. It
// claims the -sudo image only when res switched the tag.
func recipeLabel(r recipe, m dind.Mode, res *dind.Result) string {
	switch {
	case !recipeApplies(m):
		return ""
	case r == recipeMinimal:
		return "minimal recipe"
	case r == recipeNoBuildDirs && m == dind.ModeSocket:
		return "complete recipe without the build directory mounts"
	case r == recipeSudoImage && m == dind.ModePrivileged && res != nil && res.SudoTag:
		return "complete recipe with the -sudo image tag"
	case r == recipeSudoImage && m == dind.ModePrivileged:
		return "complete recipe; the image tag was not changed (see the warnings)"
	}
	return "complete recipe"
}

func displayName(src *source.Template) string {
	if src.Path != "" {
		return src.Path
	}
	return src.Name
}
