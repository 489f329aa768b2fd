package dind

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

const sudoSuffix = "-linux-sudo"

// The sudo suffix for arm64 hosts: JetBrains publishes
// <version>-linux-arm64-sudo and no multi-architecture -sudo tag.
const arm64SudoSuffix = "-linux-arm64-sudo"

// imageTag is the tag of an image reference ("" when it has none or is
// pinned by digest).
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	slash := strings.LastIndexByte(image, '/')
	if colon := strings.LastIndexByte(image, ':'); colon > slash {
		return image[colon+1:]
	}
	return ""
}

// sudoTagSuffix is what turns a tag into its sudo variant: JetBrains tags
// the variants 2025.07-linux-sudo and 2025.07-linux-arm64-sudo, so a tag
// that already names the platform only gets -sudo.
func sudoTagSuffix(tag string) string {
	if strings.Contains(tag, "-linux") {
		return "-sudo"
	}
	return sudoSuffix
}

// plainTag is the tag a -sudo tag was made from: 2025.07-linux-sudo was
// 2025.07, 2025.07-linux-arm64-sudo was 2025.07-linux-arm64.
func plainTag(tag string) string {
	if t, ok := strings.CutSuffix(tag, sudoSuffix); ok {
		return t
	}
	return strings.TrimSuffix(tag, "-sudo")
}

// imageSource is how an agent container's image, and its tag, are written.
type imageSource struct {
	node *yaml.Node // the Image value
	// expr is the image with ${Name} for every parameter; ok is false for
	// an expression tcdind does not follow (Fn::If, Fn::FindInMap, …).
	expr string
	ok   bool
	// param holds the whole tag (or, when whole, the whole image).
	param string
	whole bool
	// tail is the literal scalar the image ends with, when the tag ends in
	// literal text: appending to it appends to the tag.
	tail *yaml.Node
}

func (t *Template) imageSource(img *yaml.Node) imageSource {
	src := imageSource{node: img}
	src.expr, src.ok = imageExpr(img)
	if !src.ok {
		return src
	}
	if name, ok := onlyVariable(src.expr); ok {
		src.param, src.whole = name, true
		return src
	}
	tag, _, pinned := splitImage(src.expr)
	if pinned {
		return src
	}
	if name, ok := onlyVariable(tag); ok {
		src.param = name
		return src
	}
	if tag != "" && !strings.HasSuffix(tag, "}") {
		src.tail = lastLiteral(img)
	}
	return src
}

// imageExpr writes an image value as text with ${Name} for each parameter:
// literal, Ref, Sub without a variable map and Join are followed.
func imageExpr(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return imageExpr(n.Alias)
	case yaml.ScalarNode:
		switch {
		case n.Tag == "!Ref":
			return "${" + n.Value + "}", true
		case n.Tag == "!Sub":
			return n.Value, true
		case isTagged(n):
			return "", false
		}
		return n.Value, true
	case yaml.SequenceNode:
		switch n.Tag {
		case "!Join":
			return joinExpr(n.Content)
		case "!Sub":
			return subExpr(n.Content)
		}
	case yaml.MappingNode:
		if len(n.Content) == 2 && !isTagged(n) {
			arg := n.Content[1]
			switch n.Content[0].Value {
			case "Ref":
				if arg.Kind == yaml.ScalarNode {
					return "${" + arg.Value + "}", true
				}
			case "Fn::Sub":
				if arg.Kind == yaml.ScalarNode && !isTagged(arg) {
					return arg.Value, true
				}
				if arg.Kind == yaml.SequenceNode {
					return subExpr(arg.Content)
				}
			case "Fn::Join":
				if arg.Kind == yaml.SequenceNode {
					return joinExpr(arg.Content)
				}
			}
		}
	}
	return "", false
}

// subExpr follows the list form of Sub only without variables of its own:
// those would shadow parameters of the same name.
func subExpr(args []*yaml.Node) (string, bool) {
	if len(args) == 0 || args[0].Kind != yaml.ScalarNode || isTagged(args[0]) {
		return "", false
	}
	if len(args) > 1 && (args[1].Kind != yaml.MappingNode || len(args[1].Content) > 0) {
		return "", false
	}
	return args[0].Value, true
}

func joinExpr(args []*yaml.Node) (string, bool) {
	if len(args) != 2 || args[0].Kind != yaml.ScalarNode || args[1].Kind != yaml.SequenceNode || isTagged(args[1]) {
		return "", false
	}
	parts := make([]string, 0, len(args[1].Content))
	for _, p := range args[1].Content {
		s, ok := imageExpr(p)
		if !ok {
			return "", false
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, args[0].Value), true
}

// lastLiteral is the scalar whose text ends the image, or nil when a
// parameter or function ends it.
func lastLiteral(n *yaml.Node) *yaml.Node {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!Ref" || (isTagged(n) && n.Tag != "!Sub") {
			return nil
		}
		return n
	case yaml.SequenceNode:
		switch n.Tag {
		case "!Join":
			return joinLast(n.Content)
		case "!Sub":
			return n.Content[0]
		}
	case yaml.MappingNode:
		switch arg := n.Content[1]; n.Content[0].Value {
		case "Fn::Sub":
			if arg.Kind == yaml.SequenceNode {
				return arg.Content[0]
			}
			return arg
		case "Fn::Join":
			return joinLast(arg.Content)
		}
	}
	return nil
}

func joinLast(args []*yaml.Node) *yaml.Node {
	parts := args[1].Content
	if len(parts) == 0 {
		return nil
	}
	return lastLiteral(parts[len(parts)-1])
}

// onlyVariable reports a text that is exactly one ${Name}.
func onlyVariable(s string) (string, bool) {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || strings.Count(s, "${") != 1 || strings.Count(s, "}") != 1 {
		return "", false
	}
	name := s[2 : len(s)-1]
	return name, name != "" && !strings.HasPrefix(name, "!")
}

// splitImage finds the tag of an image text that may hold ${Name}
// variables (whose names may hold ':' as in AWS::Region). pinned reports a
// digest.
func splitImage(s string) (tag, repo string, pinned bool) {
	masked := []byte(s)
	for i := 0; i < len(masked); i++ {
		if masked[i] == '$' && i+1 < len(masked) && masked[i+1] == '{' {
			for j := i + 2; j < len(masked) && masked[j] != '}'; j++ {
				masked[j] = 'x'
			}
		}
	}
	m := string(masked)
	if strings.Contains(m, "@") {
		return "", s, true
	}
	slash := strings.LastIndexByte(m, '/')
	if colon := strings.LastIndexByte(m, ':'); colon > slash {
		return s[colon+1:], s[:colon], false
	}
	return "", s, false
}

// parameterValue is what a parameter holds: the deployed value on a stack
// (Options.ParameterValues), the Default on a template. ok is false when
// tcdind does not know it.
func (t *Template) parameterValue(name string, opts Options) (string, bool) {
	if opts.ParameterValues != nil {
		v, ok := opts.ParameterValues[name]
		return v, ok
	}
	v, ok := t.params[name]
	return v, ok
}

// substitute fills the image text's variables with the parameters' values,
// leaving ${Name} where the value is not known.
func (t *Template) substitute(expr string, opts Options) string {
	var b strings.Builder
	for {
		i := strings.Index(expr, "${")
		if i < 0 {
			return b.String() + expr
		}
		j := strings.IndexByte(expr[i:], '}')
		if j < 0 {
			return b.String() + expr
		}
		b.WriteString(expr[:i])
		name := expr[i+2 : i+j]
		if v, ok := t.parameterValue(name, opts); ok && t.isParameter(name) {
			b.WriteString(v)
		} else {
			b.WriteString(expr[i : i+j+1])
		}
		expr = expr[i+j+1:]
	}
}

func (t *Template) parameter(name string) *yaml.Node {
	return mapGet(mapGet(t.root, "Parameters"), name)
}

func (t *Template) isParameter(name string) bool { return t.parameter(name) != nil }

// ImageParameters are the names of the template parameters that feed the
// images of the agent containers opts selects, sorted. On a stack, these
// are the deployed values to pass as Options.ParameterValues: the engine
// reads the agent image from them instead of the template's Defaults.
func (t *Template) ImageParameters(opts Options) []string {
	targets, err := t.selectTargets(opts.TaskDefinitions)
	if err != nil {
		return nil
	}
	var names []string
	for _, td := range targets {
		for _, c := range td.agents {
			expr, ok := imageExpr(mapGet(c, "Image"))
			if !ok {
				continue
			}
			for _, name := range subVariables(expr) {
				if t.isParameter(name) && !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// sudoImage handles the -sudo image variant privileged mode needs: since
// TeamCity 2020.2 the agent image's run-docker.sh starts dockerd with sudo,
// and only the -sudo tags install sudo. With --sudo-image it switches the
// tag (a literal, or the parameter that holds it); otherwise it warns with
// the concrete tag to use. It never guesses a tag for latest or a digest.
func (r *recipe) sudoImage(c *yaml.Node) error {
	src := r.t.imageSource(mapGet(c, "Image"))
	where := r.td.id + "/" + r.name(c)
	if !src.ok {
		r.warn("%s: the agent image is set by an expression (%s) that tcdind does not follow; privileged mode starts Docker only on a -sudo tag (<version>-linux-sudo): make sure it gives one", where, describeValue(src.node))
		return nil
	}
	if src.param != "" {
		return r.sudoParameter(c, where, src)
	}
	image := r.t.substitute(src.expr, r.opts)
	tag, repo, pinned := splitImage(image)
	if r.notJetBrains(where, image, repo) {
		return nil
	}
	switch {
	case strings.HasSuffix(tag, "-sudo"):
		return nil
	case pinned:
		r.warn("%s: the agent image %s is pinned by digest, so tcdind cannot tell whether it is a -sudo variant, the only kind that starts Docker in privileged mode: pin a <version>-linux-sudo tag instead", where, image)
		return nil
	case isFloatingTag(tag):
		return r.pinLiteral(c, where, image, tag, src)
	case strings.Contains(tag, "${"):
		r.warn("%s: the agent image %s cannot start Docker in privileged mode unless its tag is a -sudo variant (<version>-linux-sudo), and tcdind does not know the value of %s: make sure it gives one", where, image, strings.Join(subVariables(tag), ", "))
		return nil
	}
	want := tag + r.sudoTagSuffix(tag)
	if !r.opts.SudoImage || src.tail == nil {
		how := "pass --sudo-image"
		if src.tail == nil {
			how = "change the image expression to give that tag"
		}
		r.noDockerImage(src.tail != nil, "%s: the agent image %s cannot start Docker in privileged mode: use %s (%s)", where, image, want, how)
		return nil
	}
	if err := r.ed.replaceScalar(src.tail, src.tail.Value+r.sudoTagSuffix(tag), r.st); err != nil {
		return err
	}
	r.res.SudoTag = true
	r.change(c, "image tag %s to %s", tag, want)
	return nil
}

// sudoParameter is sudoImage for a tag (or image) held by a parameter: on a
// template its Default changes, on a stack the change set sets it.
func (r *recipe) sudoParameter(c *yaml.Node, where string, src imageSource) error {
	name := src.param
	what := "tag"
	if src.whole {
		what = "image"
	}
	p := r.t.parameter(name)
	if p == nil {
		r.warn("%s: the agent image %s comes from %s, which is not a parameter of this template; privileged mode starts Docker only on a -sudo tag (<version>-linux-sudo): make sure it is one", where, src.expr, name)
		return nil
	}
	// held names what the parameter holds without repeating "image":
	// "the agent image's tag", or "the agent image" itself.
	held := "the agent image's tag"
	if src.whole {
		held = "the agent image"
	}
	noEcho := isTrue(mapGet(p, "NoEcho"))
	if noEcho && r.opts.SudoImage {
		return &RefusedError{Reason: fmt.Sprintf("parameter %s holds %s but is NoEcho, so tcdind cannot read or show it: set it to a -sudo %s (<version>-linux-sudo) yourself and run again without --sudo-image", name, held, what)}
	}
	value, known := r.t.parameterValue(name, r.opts)
	if noEcho || !known {
		r.warn("%s: %s comes from parameter %s, whose value tcdind does not know; privileged mode starts Docker only on a -sudo %s (<version>-linux-sudo) of JetBrains' image: set %s to one", where, held, name, what, name)
		return nil
	}
	image := r.t.substitute(src.expr, r.opts)
	tag, repo, pinned := splitImage(image)
	if src.whole && !pinned && tag == "" {
		repo = image
	}
	if r.notJetBrains(where, image, repo) {
		return nil
	}
	set := "parameter " + name
	if strings.HasSuffix(tag, "-sudo") {
		return nil
	}
	// A parameter that also sets something else (the server's image tag,
	// in JetBrains' template) keeps its value: the agent's Image then gets
	// the suffix after its reference to the parameter instead.
	uses := r.otherUses(name)
	also := ""
	if len(uses) > 0 {
		also = fmt.Sprintf("parameter %s also sets %s", name, joinUses(uses))
	}
	ref, rewritable := findTagRef(src.node, name)
	switch {
	case pinned:
		r.warn("%s: the agent image %s (parameter %s) is pinned by digest, so tcdind cannot tell whether it is a -sudo variant, the only kind that starts Docker in privileged mode: set %s to a <version>-linux-sudo tag instead", where, image, name, set)
		return nil
	}
	suffix := r.sudoTagSuffix(tag)
	wantTag, wantValue := tag+suffix, value+suffix
	// pin is the whole -sudo tag that replaces a floating one (latest has
	// no -sudo variant): the version comes from --agent-version or from the
	// server's image where the template pins it.
	pin := ""
	if isFloatingTag(tag) {
		newTag, ok, err := r.pinnedSudoTag(where, image, tag)
		if err != nil || !ok {
			return err
		}
		pin, wantTag, wantValue = newTag, newTag, newTag
		if src.whole {
			wantValue = repo + ":" + newTag
		}
	}
	if also != "" {
		if pin != "" && rewritable {
			// The parameter keeps setting the server's image; the agent
			// gets a pinned tag of its own in place of the reference.
			lit := pin
			if src.whole {
				lit = wantValue
			}
			if err := r.pinTagRef(ref, name, lit); err != nil {
				return err
			}
			r.res.SudoTag = true
			r.change(c, "agent image: %s in place of ${%s} (%s), a pinned -sudo tag of its own (%s)", lit, name, value, also)
			return nil
		}
		if !rewritable {
			if r.opts.SudoImage {
				return &RefusedError{Reason: fmt.Sprintf("%s: %s, so tcdind will not change it for the agent's -sudo tag %s, and cannot add the suffix to the agent's image expression alone; give the agent image a tag of its own (for example %s:%s) and run again", where, also, wantTag, repo, wantTag)}
			}
			r.noDockerImage(false, "%s: the agent image %s cannot start Docker in privileged mode: use %s (%s, so give the agent image a tag of its own, for example %s:%s, and run again with --sudo-image)", where, image, wantTag, also, repo, wantTag)
			return nil
		}
		if !r.opts.SudoImage {
			r.noDockerImage(true, "%s: the agent image %s cannot start Docker in privileged mode: use %s (pass --sudo-image: %s, so tcdind leaves it and writes the agent's %s as ${%s}%s)", where, image, wantTag, also, what, name, suffix)
			return nil
		}
		if err := r.appendToTagRef(ref, name, suffix); err != nil {
			return err
		}
		r.res.SudoTag = true
		label := "agent image tag"
		if src.whole {
			label = "agent image"
		}
		r.change(c, "%s: append %s to ${%s} (%s → %s)", label, suffix, name, value, wantValue)
		return nil
	}
	if !r.opts.SudoImage {
		r.noDockerImage(true, "%s: the agent image %s cannot start Docker in privileged mode: use %s (pass --sudo-image, or set parameter %s to %s)", where, image, wantTag, name, wantValue)
		return nil
	}
	r.res.SudoTag = true
	if r.opts.ParameterValues != nil {
		if r.res.ParameterOverrides == nil {
			r.res.ParameterOverrides = map[string]string{}
		}
		if _, done := r.res.ParameterOverrides[name]; !done {
			r.res.ParameterOverrides[name] = wantValue
			r.change(c, "set parameter %s to %s (deployed: %s)", name, wantValue, value)
		}
		return nil
	}
	def := mapGet(p, "Default")
	if def == nil || def.Kind != yaml.ScalarNode || isTagged(def) {
		r.warn("%s: %s comes from parameter %s, which has no plain Default to change: set %s to %s", where, held, name, name, wantValue)
		r.res.SudoTag = false
		return nil
	}
	done, err := r.ed.replaceParameterDefault(r.t, name, def, wantValue, r.st)
	if err != nil {
		return err
	}
	if !done {
		if r.res.ChangedDefaults == nil {
			r.res.ChangedDefaults = map[string]string{}
		}
		r.res.ChangedDefaults[name] = wantValue
		r.change(c, "change parameter %s Default %s to %s (%s)", name, value, wantValue, held)
	}
	return nil
}

// replaceParameterDefault rewrites a parameter's Default once, however many
// agent containers share the parameter. done reports that an earlier
// container already did.
func (e *editor) replaceParameterDefault(t *Template, name string, def *yaml.Node, value string, st *style) (bool, error) {
	if _, ok := e.l.info[def]; !ok {
		params := mapGet(t.root, "Parameters")
		key := params.Content[mapIndex(params, name)]
		e.l.index(t.parameter(name), params, key, e.l.info[params].flow || params.Style&yaml.FlowStyle != 0, key.Column-1)
	}
	start := e.l.contentStart(def)
	for _, be := range e.scalar {
		if be.start == start {
			return true, nil
		}
	}
	// The new value is a string even where the old one was a number
	// (Default: 2025.07): JSON must quote it.
	if st.json && def.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 {
		end, err := e.l.end(def)
		if err != nil {
			return false, err
		}
		e.scalar = append(e.scalar, byteEdit{start: start, end: end, text: quote(value, yaml.DoubleQuotedStyle)})
		return false, nil
	}
	return false, e.replaceScalar(def, value, st)
}

// otherUses lists where the template refers to parameter name other than in
// the images of the agent containers being edited: a resource's logical ID,
// or the section, with the line.
func (r *recipe) otherUses(name string) []string {
	targets, _ := r.t.selectTargets(r.opts.TaskDefinitions)
	images := map[*yaml.Node]bool{}
	for _, td := range targets {
		for _, c := range td.agents {
			if img := mapGet(c, "Image"); img != nil {
				images[img] = true
			}
		}
	}
	var uses []string
	root := r.t.root
	for i := 0; i+1 < len(root.Content); i += 2 {
		section := root.Content[i].Value
		if section == "Parameters" {
			continue
		}
		body := root.Content[i+1]
		if section == "Resources" && body.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(body.Content); j += 2 {
				if line := firstReference(body.Content[j+1], name, images); line > 0 {
					uses = append(uses, fmt.Sprintf("%s (line %d)", body.Content[j].Value, line))
				}
			}
			continue
		}
		if line := firstReference(body, name, images); line > 0 {
			uses = append(uses, fmt.Sprintf("%s (line %d)", section, line))
		}
	}
	return uses
}

func joinUses(uses []string) string {
	if len(uses) > 3 {
		return strings.Join(uses[:3], ", ") + fmt.Sprintf(" and %d more", len(uses)-3)
	}
	return strings.Join(uses, ", ")
}

// firstReference is the line of the first Ref or ${} of parameter name under
// n outside the skipped nodes, or 0.
func firstReference(n *yaml.Node, name string, skip map[*yaml.Node]bool) int {
	if n == nil || skip[n] {
		return 0
	}
	switch n.Kind {
	case yaml.AliasNode:
		// An alias repeats its anchor here, even one inside a skipped
		// image: that is a use of its own.
		if firstReference(n.Alias, name, nil) > 0 {
			return n.Line
		}
		return 0
	case yaml.ScalarNode:
		if n.Tag == "!Ref" && n.Value == name || n.Tag == "!Sub" && slices.Contains(subVariables(n.Value), name) {
			return n.Line
		}
		return 0
	case yaml.SequenceNode:
		if n.Tag == "!Sub" && len(n.Content) > 0 && slices.Contains(subVariables(n.Content[0].Value), name) {
			return n.Line
		}
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			arg := n.Content[1]
			switch n.Content[0].Value {
			case "Ref":
				if arg.Value == name {
					return n.Line
				}
			case "Fn::Sub":
				s := arg
				if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
					s = arg.Content[0]
				}
				if s.Kind == yaml.ScalarNode && slices.Contains(subVariables(s.Value), name) {
					return n.Line
				}
			}
		}
	}
	for _, c := range n.Content {
		if line := firstReference(c, name, skip); line > 0 {
			return line
		}
	}
	return 0
}

// keptSudoTag says, in socket and none mode, that a -sudo tag set for
// privileged mode stays: going back to the plain tag would be a guess about
// what the user had before.
func (r *recipe) keptSudoTag(c *yaml.Node) {
	if m := containerMode(r.td.props, c); m != ModePrivileged && m != ModeMixed {
		return
	}
	src := r.t.imageSource(mapGet(c, "Image"))
	if !src.ok {
		return
	}
	tag, _, pinned := splitImage(r.t.substitute(src.expr, r.opts))
	if pinned || !strings.HasSuffix(tag, "-sudo") || strings.Contains(tag, "${") {
		return
	}
	where := r.td.id + "/" + r.name(c)
	if src.param != "" {
		r.warn("%s: left the image tag %s (parameter %s); the plain tag is %s", where, tag, src.param, plainTag(tag))
		return
	}
	r.warn("%s: left the image tag %s; the plain tag is %s", where, tag, plainTag(tag))
}

// subVariables lists the ${Name} references of an Fn::Sub string.
func subVariables(s string) []string {
	var names []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		if name := s[i+2 : i+j]; !strings.HasPrefix(name, "!") && !strings.Contains(name, "::") {
			names = append(names, name)
		}
		s = s[i+j+1:]
	}
}

// tagRef is the part of an agent's Image expression that ends it with
// ${Name}: where a suffix for the tag goes without changing the parameter.
type tagRef struct {
	node *yaml.Node
	kind tagRefKind
}

type tagRefKind int

const (
	refShort  tagRefKind = iota // !Ref Name
	refLong                     // {Ref: Name}
	subString                   // the string of a Sub that ends with ${Name}
)

// findTagRef finds the Ref or Sub string that ends the image expression n
// with parameter name, following Join's last item. It declines aliases and
// anchored references (replacing the node would drop the anchor).
func findTagRef(n *yaml.Node, name string) (tagRef, bool) {
	if n == nil || n.Kind == yaml.AliasNode {
		return tagRef{}, false
	}
	variable := "${" + name + "}"
	subEnds := func(s *yaml.Node) bool {
		return s.Kind == yaml.ScalarNode && !isTagged(s) && strings.HasSuffix(s.Value, variable)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch {
		case n.Tag == "!Ref" && n.Value == name && n.Anchor == "":
			return tagRef{n, refShort}, true
		case n.Tag == "!Sub" && strings.HasSuffix(n.Value, variable):
			return tagRef{n, subString}, true
		}
	case yaml.SequenceNode:
		switch n.Tag {
		case "!Join":
			return joinTagRef(n.Content, name)
		case "!Sub":
			if len(n.Content) > 0 && subEnds(n.Content[0]) {
				return tagRef{n.Content[0], subString}, true
			}
		}
	case yaml.MappingNode:
		if isTagged(n) || len(n.Content) != 2 {
			return tagRef{}, false
		}
		k, arg := n.Content[0], n.Content[1]
		if isTagged(k) || k.Anchor != "" || arg.Kind == yaml.AliasNode {
			return tagRef{}, false
		}
		switch k.Value {
		case "Ref":
			if arg.Kind == yaml.ScalarNode && !isTagged(arg) && arg.Value == name && n.Anchor == "" && arg.Anchor == "" {
				return tagRef{n, refLong}, true
			}
		case "Fn::Sub":
			if subEnds(arg) {
				return tagRef{arg, subString}, true
			}
			if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 && subEnds(arg.Content[0]) {
				return tagRef{arg.Content[0], subString}, true
			}
		case "Fn::Join":
			if arg.Kind == yaml.SequenceNode {
				return joinTagRef(arg.Content, name)
			}
		}
	}
	return tagRef{}, false
}

func joinTagRef(args []*yaml.Node, name string) (tagRef, bool) {
	if len(args) != 2 || args[1].Kind != yaml.SequenceNode || len(args[1].Content) == 0 {
		return tagRef{}, false
	}
	return findTagRef(args[1].Content[len(args[1].Content)-1], name)
}

// appendToTagRef appends suffix to what ref gives, in place: a Sub string
// gets it at its end, a Ref to the parameter becomes a Sub of it with the
// suffix (!Ref V → !Sub '${V}-linux-sudo', {"Ref": "V"} →
// {"Fn::Sub": "${V}-linux-sudo"}).
func (r *recipe) appendToTagRef(ref tagRef, name, suffix string) error {
	e, n := r.ed, ref.node
	if ref.kind == subString {
		return e.replaceScalar(n, n.Value+suffix, r.st)
	}
	sub := "${" + name + "}" + suffix
	action := "change the image's Ref " + name + " to a Sub with " + suffix
	if !e.mayChange(n, action) {
		return e.err
	}
	if ref.kind == refShort {
		end, err := e.l.end(n)
		if err != nil {
			return err
		}
		style := yaml.SingleQuotedStyle
		if n.Style&yaml.DoubleQuotedStyle != 0 {
			style = yaml.DoubleQuotedStyle
		}
		e.scalar = append(e.scalar, byteEdit{start: e.l.start(n), end: end, text: "!Sub " + quote(sub, style)})
		return nil
	}
	return r.refToSub(n, sub, action)
}

// refToSub rewrites {Ref: V} as {Fn::Sub: sub} in place, in the mapping's
// own style and quoting.
func (r *recipe) refToSub(n *yaml.Node, sub, action string) error {
	e := r.ed
	k, v := n.Content[0], n.Content[1]
	if !e.mayChange(k, action) || !e.mayChange(v, action) {
		return e.err
	}
	kStart := e.l.start(k)
	kEnd := kStart + len(k.Value)
	quoted := k.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
	if quoted != 0 {
		end, err := e.l.scalarEnd(kStart, true, 0)
		if err != nil {
			return err
		}
		kEnd = end
	}
	vEnd, err := e.l.end(v)
	if err != nil {
		return err
	}
	// ${…} is not a plain scalar in a flow mapping: the value is quoted.
	style := v.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
	if style == 0 {
		style = yaml.SingleQuotedStyle
	}
	if r.st.json {
		style = yaml.DoubleQuotedStyle
	}
	e.scalar = append(e.scalar,
		byteEdit{start: kStart, end: kEnd, text: r.st.key("Fn::Sub", quoted)},
		byteEdit{start: e.l.contentStart(v), end: vEnd, text: quote(sub, style)})
	return nil
}

// isJetBrainsAgentRepo reports an image repository whose tags follow
// JetBrains' agent image: jetbrains/teamcity-agent on Docker Hub, or a
// mirror of it (a registry or pull-through cache that keeps the name
// teamcity-agent). Only that image has -sudo variants and reads
// DOCKER_IN_DOCKER=start (run-docker.sh in JetBrains/teamcity-docker-images).
func isJetBrainsAgentRepo(repo string) bool {
	repo, _, _ = strings.Cut(strings.ToLower(repo), "@")
	last := repo[strings.LastIndexByte(repo, '/')+1:]
	last, _, _ = strings.Cut(last, ":")
	return last == "teamcity-agent"
}

// notJetBrains warns, and reports true, for an agent image that is not
// JetBrains' agent image (a container named with --container that runs
// docker:dind or kong): its publisher has no -sudo tags, so tcdind changes
// no tag, with or without --sudo-image, and says what privileged mode needs
// of such an image instead. A repository tcdind cannot read (a parameter
// without a value) is not judged here.
func (r *recipe) notJetBrains(where, image, repo string) bool {
	if repo == "" || strings.Contains(repo, "${") || isJetBrainsAgentRepo(repo) {
		return false
	}
	r.warn("%s: the image %s is not JetBrains' teamcity-agent, so tcdind changes no tag (the -sudo tags are JetBrains'): privileged mode needs an image that starts its own Docker daemon, which takes root in the container or sudo in the image, and DOCKER_IN_DOCKER=start is read only by JetBrains' image", where, image)
	return true
}
