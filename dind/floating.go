package dind

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A floating tag (latest, or none) has no -sudo variant: JetBrains publishes
// -sudo tags for versions only (https://hub.docker.com/r/jetbrains/teamcity-agent/tags;
// a latest-sudo tag was asked for in JetBrains/teamcity-docker-images #2 and
// #12, tracked as TW-69024). Privileged mode with the -sudo image then needs
// a pinned version: --agent-version, or the server's image where the
// template pins it. tcdind never guesses one.

// versionTag is the TeamCity version a tag starts with: 2025.07 in
// 2025.07-linux-sudo, 2024.12.1 in 2024.12.1.
var versionTag = regexp.MustCompile(`^[0-9]{4}\.[0-9]{1,2}(\.[0-9]+)?`)

// isFloatingTag reports a tag that follows releases instead of naming one:
// none (Docker reads latest) or latest. Other tags without a version (a
// custom image's 7) are not JetBrains' and keep the plain suffix rule.
func isFloatingTag(tag string) bool {
	t := strings.ToLower(tag)
	return t == "" || t == "latest" || strings.HasPrefix(t, "latest-")
}

// CheckAgentVersion accepts a TeamCity version as JetBrains tags its images
// (2025.07, 2024.12.1), without a platform or -sudo suffix: tcdind adds
// those.
func CheckAgentVersion(v string) error {
	if m := versionTag.FindString(v); m == "" || m != v {
		return fmt.Errorf("--agent-version %q is not a TeamCity version such as 2025.07 or 2024.12.1 (give the version alone: tcdind adds -linux-sudo or -linux-arm64-sudo)", v)
	}
	return nil
}

// Arch is the CPU architecture of the hosts the agents run on, as ECS
// names it in the ecs.cpu-architecture attribute.
const (
	ArchX86_64 = "x86_64"
	ArchARM64  = "arm64"
)

// ParseArch accepts x86_64 (amd64) and arm64 (aarch64).
func ParseArch(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "x86_64", "amd64", "x86-64":
		return ArchX86_64, nil
	case "arm64", "aarch64":
		return ArchARM64, nil
	}
	return "", fmt.Errorf("unknown architecture %q: use x86_64 or arm64", s)
}

// sudoTagSuffix is what turns a tag into its sudo variant for the hosts'
// architecture: 2025.07 → 2025.07-linux-sudo (or -linux-arm64-sudo on
// arm64), 2025.07-linux → 2025.07-linux-sudo, 2025.07-linux-arm64 →
// 2025.07-linux-arm64-sudo.
func (r *recipe) sudoTagSuffix(tag string) string {
	if r.opts.Arch == ArchARM64 && !strings.Contains(tag, "arm64") {
		if strings.HasSuffix(tag, "-linux") {
			return "-arm64-sudo"
		}
		if !strings.Contains(tag, "-linux") {
			return arm64SudoSuffix
		}
	}
	return sudoTagSuffix(tag)
}

// pinnedSuffix is the suffix of a pinned version's -sudo tag.
func (r *recipe) pinnedSuffix() string {
	if r.opts.Arch == ArchARM64 {
		return arm64SudoSuffix
	}
	return sudoSuffix
}

// SudoNeededError is why privileged mode is refused for a JetBrains agent
// image that, as written, cannot start Docker (Result.NoDocker): since TeamCity 2020.2 the image's
// run-docker.sh starts dockerd with "sudo service docker start", and only
// the -sudo tags install sudo (JetBrains/teamcity-docker-images:
// context/run-docker.sh; configs/linux/Agent/Ubuntu/Ubuntu-sudo.Dockerfile
// installs sudo, Ubuntu.Dockerfile does not), so running the agent as root
// (JetBrains' template sets User: root) does not help: "sudo" is not
// there. JetBrains' image README: "you have to use a TeamCity agent image
// with the -linux-sudo tag suffix". The front ends write nothing.
type SudoNeededError struct {
	Reason string
	// Flag: the same command with --sudo-image (or --agent-version) works;
	// otherwise the template needs an edit by hand first.
	Flag bool
}

func (e *SudoNeededError) Error() string { return e.Reason }

// Unwrap makes it a refusal: nothing is written.
func (e *SudoNeededError) Unwrap() error { return &RefusedError{Reason: e.Reason} }

// VersionNeededError is --sudo-image on an agent image whose tag names no
// version, with no version to pin: --agent-version is missing.
type VersionNeededError struct {
	Where, Image string
}

// Unwrap makes it a refusal too: nothing is written.
func (e *VersionNeededError) Unwrap() error { return &RefusedError{Reason: e.Error()} }

func (e *VersionNeededError) Error() string {
	return fmt.Sprintf("%s: the agent image %s has no -sudo variant (only versions have one), so --sudo-image needs the version to pin: pass --agent-version VERSION, the TeamCity server's version (for example 2025.07)", e.Where, e.Image)
}

// pinnedSudoTag is the -sudo tag that replaces the floating tag of image:
// the version of --agent-version, else of the server's image where the
// template pins it. ok is false when nothing is to be written (a warning
// said why); without a version, --sudo-image is a VersionNeededError.
func (r *recipe) pinnedSudoTag(where, image, tag string) (string, bool, error) {
	shown := tag
	if shown == "" {
		shown = "no tag"
	}
	version, from := r.opts.AgentVersion, "--agent-version"
	r.agentVersionUsed = version != ""
	if version == "" {
		version, from = r.t.serverVersion(r.opts)
	}
	if version == "" {
		if r.opts.SudoImage {
			return "", false, &VersionNeededError{Where: where, Image: image}
		}
		r.noDockerImage(true, "%s: the agent image %s cannot start Docker in privileged mode, and %s has no -sudo variant: pass --agent-version VERSION (the TeamCity server's version, for example 2025.07), which pins the agent to VERSION%s", where, image, shown, r.pinnedSuffix())
		return "", false, nil
	}
	newTag := version + r.pinnedSuffix()
	if !r.opts.SudoImage {
		r.noDockerImage(true, "%s: the agent image %s cannot start Docker in privileged mode, and %s has no -sudo variant: pass --sudo-image to pin the agent to %s (the version of %s)", where, image, shown, newTag, from)
		return "", false, nil
	}
	return newTag, true, nil
}

// pinLiteral replaces the floating tag of a literal image with a pinned
// -sudo tag.
func (r *recipe) pinLiteral(c *yaml.Node, where, image, tag string, src imageSource) error {
	newTag, ok, err := r.pinnedSudoTag(where, image, tag)
	if err != nil || !ok {
		return err
	}
	last := src.tail
	if last == nil {
		last = lastLiteral(src.node)
	}
	if last == nil || !strings.HasSuffix(last.Value, tag) || (tag == "" && strings.HasSuffix(last.Value, ":")) {
		r.noDockerImage(false, "%s: the agent image %s cannot start Docker in privileged mode: use the tag %s (change the image expression to give it)", where, image, newTag)
		return nil
	}
	value := strings.TrimSuffix(last.Value, tag) + newTag
	if tag == "" {
		value = last.Value + ":" + newTag
	}
	if err := r.ed.replaceScalar(last, value, r.st); err != nil {
		return err
	}
	r.res.SudoTag = true
	shown := tag
	if shown == "" {
		shown = "(none)"
	}
	r.change(c, "image tag %s to %s", shown, newTag)
	return nil
}

// pinTagRef puts the literal lit where ref gives the parameter's value:
// the end of a Sub string, a !Ref's place, or {Ref: V} as {Fn::Sub: lit}.
func (r *recipe) pinTagRef(ref tagRef, name, lit string) error {
	e, n := r.ed, ref.node
	switch ref.kind {
	case subString:
		return e.replaceScalar(n, strings.TrimSuffix(n.Value, "${"+name+"}")+lit, r.st)
	case refShort:
		if !e.mayChange(n, "change the image's Ref "+name+" to "+lit) {
			return e.err
		}
		end, err := e.l.end(n)
		if err != nil {
			return err
		}
		e.scalar = append(e.scalar, byteEdit{start: e.l.start(n), end: end, text: quote(lit, n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle))})
		return nil
	}
	// A Sub without variables is its text; replacing the whole mapping
	// would need its extent in every style.
	return r.refToSub(n, lit, "change the image's Ref "+name+" to "+lit)
}

// serverVersion is the TeamCity version of a jetbrains/teamcity-server
// image the template pins (2025.07 of teamcity-server:2025.07-linux), and
// what says so; "" when no server image names a version.
func (t *Template) serverVersion(opts Options) (version, from string) {
	tds, err := t.scanTaskDefs()
	if err != nil {
		return "", ""
	}
	for _, td := range tds {
		for _, c := range td.containers {
			expr, ok := imageExpr(mapGet(c, "Image"))
			if !ok {
				continue
			}
			image := t.substitute(expr, opts)
			tag, repo, pinned := splitImage(image)
			if pinned || !strings.HasSuffix(strings.ToLower(repo), "teamcity-server") {
				continue
			}
			if v := versionTag.FindString(tag); v != "" {
				return v, fmt.Sprintf("the server's image %s in %s", image, td.id)
			}
		}
	}
	return "", ""
}

// ServerVersion is the version of the TeamCity server image the template
// (with a stack's deployed values) pins, or "": the default the wizard
// offers for --agent-version.
func (t *Template) ServerVersion(opts Options) string {
	v, _ := t.serverVersion(opts)
	return v
}
