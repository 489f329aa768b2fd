package dind

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

const sudoSuffix = "-linux-sudo"

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

// sudoImage handles the -linux-sudo image variant JetBrains documents for
// privileged mode (the image's start script calls sudo to start dockerd). It
// rewrites only a literal tag, never guesses one for latest or a parameter.
func (r *recipe) sudoImage(c *yaml.Node) error {
	img := mapGet(c, "Image")
	resolved := r.t.resolve(img)
	if strings.HasSuffix(imageTag(resolved), "-sudo") {
		return nil
	}
	where := r.td.id + "/" + r.name(c)
	node, literal := literalTag(img)
	tag := imageTag(literal)
	const why = "JetBrains documents the -linux-sudo image variant for privileged mode (its start script runs dockerd with sudo)"
	switch {
	case node == nil:
		r.warn("%s: %s; the image tag %s: deploy with a tag such as 2025.07%s", where, why, describeImage(r.t, img), sudoSuffix)
		return nil
	case tag == "" || tag == "latest":
		r.warn("%s: %s; the image is %s, which has no %s variant: use a versioned tag such as 2025.07%s", where, why, resolved, sudoSuffix, sudoSuffix)
		return nil
	case !r.opts.SudoImage:
		r.warn("%s: %s; the image is %s: the sudo-image recipe (--sudo-image) switches it to tag %s%s", where, why, resolved, tag, sudoTagSuffix(tag))
		return nil
	}
	suffix := sudoTagSuffix(tag)
	if err := r.ed.replaceScalar(node, node.Value+suffix, r.st); err != nil {
		return err
	}
	r.change(c, "image tag %s to %s%s", tag, tag, suffix)
	return nil
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

// literalTag finds the scalar that ends with the image's tag: the Image
// itself, the last part of a Join on ":", or a Sub whose tag is literal. It
// returns the node and the image text it ends (for reading the tag).
func literalTag(img *yaml.Node) (*yaml.Node, string) {
	if img == nil {
		return nil, ""
	}
	switch img.Kind {
	case yaml.ScalarNode:
		if img.Tag == "!Ref" {
			return nil, ""
		}
		if img.Tag == "!Sub" && strings.Contains(img.Value[strings.LastIndexByte(img.Value, ':')+1:], "${") {
			return nil, ""
		}
		return img, img.Value
	case yaml.SequenceNode:
		if img.Tag == "!Join" {
			return joinTag(img.Content)
		}
		if img.Tag == "!Sub" && len(img.Content) > 0 {
			return literalTag(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!Sub", Value: img.Content[0].Value})
		}
	case yaml.MappingNode:
		if len(img.Content) == 2 {
			switch img.Content[0].Value {
			case "Fn::Join":
				return joinTag(img.Content[1].Content)
			case "Fn::Sub":
				if s := img.Content[1]; s.Kind == yaml.ScalarNode && !strings.Contains(s.Value[strings.LastIndexByte(s.Value, ':')+1:], "${") {
					return s, s.Value
				}
			}
		}
	}
	return nil, ""
}

func joinTag(args []*yaml.Node) (*yaml.Node, string) {
	if len(args) != 2 || args[0].Value != ":" || args[1].Kind != yaml.SequenceNode || len(args[1].Content) < 2 {
		return nil, ""
	}
	parts := args[1].Content
	last := parts[len(parts)-1]
	if last.Kind != yaml.ScalarNode || isTagged(last) {
		return nil, ""
	}
	return last, "image:" + last.Value
}

// describeImage says where an image's tag comes from, for a warning that
// completes "the image tag …".
func describeImage(t *Template, img *yaml.Node) string {
	var refs []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
			refs = append(refs, n.Value)
		}
		if n.Kind == yaml.ScalarNode && (n.Tag == "!Sub" || n.Tag == "!!str") {
			refs = append(refs, subVariables(n.Value)...)
		}
		if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" {
			refs = append(refs, n.Content[1].Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	if img != nil {
		walk(img)
	}
	if len(refs) == 1 {
		if def, ok := t.params[refs[0]]; ok {
			return fmt.Sprintf("comes from parameter %s (default %q)", refs[0], def)
		}
		return fmt.Sprintf("comes from %s", refs[0])
	}
	if len(refs) > 1 {
		return fmt.Sprintf("comes from parameters %s", strings.Join(refs, ", "))
	}
	return "is set by an expression"
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
