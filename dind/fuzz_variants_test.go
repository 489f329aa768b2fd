package dind

import (
	"bytes"
	"regexp"
	"strings"
)

// AnchorVariants is anchorVariants for the external tests.
var AnchorVariants = anchorVariants

var (
	firstImage    = regexp.MustCompile(`(?m)^( *)(- )?Image: `)
	firstListKey  = regexp.MustCompile(`(?m)^( *)(MountPoints|Environment|Volumes):[ \t]*$`)
	firstNameItem = regexp.MustCompile(`(?m)^( *)- Name:`)
	privTrue      = regexp.MustCompile(`(?m)Privileged: true`)
)

// anchorVariants composes fuzz seeds from a block YAML template: the same
// template with an anchor aliased elsewhere, an anchored list, explicit
// tags, a merge key, a deeper comment, and a second half in CRLF. Each
// variant keeps the rest of the text as it was.
func anchorVariants(src []byte) [][]byte {
	s := string(src)
	if looksLikeJSON(bytes.TrimPrefix(src, utf8BOM)) || strings.Contains(s, "\n...") || strings.Contains(s, "\r") {
		return nil
	}
	var out [][]byte
	add := func(v string) {
		if v != s {
			out = append(out, []byte(v))
		}
	}
	top := "\n"
	if strings.HasSuffix(s, "\n") {
		top = ""
	}
	if loc := firstImage.FindStringSubmatchIndex(s); loc != nil {
		add(s[:loc[1]] + "&fzimg " + s[loc[1]:] + top + "FuzzAlias: *fzimg\n")
		// A comment deeper than the keys, right after the image line.
		if end := strings.IndexByte(s[loc[1]:], '\n'); end >= 0 {
			at := loc[1] + end + 1
			add(s[:at] + strings.Repeat(" ", loc[3]-loc[2]+4) + "# fuzz: a deeper comment\n" + s[at:])
		}
	}
	if loc := firstListKey.FindStringSubmatchIndex(s); loc != nil {
		add(s[:loc[1]] + " &fzlist" + s[loc[1]:] + top + "FuzzList: *fzlist\n")
		add(s[:loc[1]] + " !!seq" + s[loc[1]:])
	}
	add(strings.ReplaceAll(s, "Name: ", "Name: !!str "))
	if loc := firstNameItem.FindStringSubmatchIndex(s); loc != nil && !strings.HasPrefix(s, "---") && !strings.Contains(s, "\n---") {
		indent := strings.Repeat(" ", loc[3]-loc[2]+2)
		add("FuzzBase: &fzbase\n  Essential: true\n" + s[:loc[1]-len("Name:")] + "<<: *fzbase\n" + indent + "Name:" + s[loc[1]:])
	}
	if loc := privTrue.FindStringIndex(s); loc != nil {
		add(s[:loc[1]-len("true")] + "&fzpriv true" + s[loc[1]:] + top + "FuzzPriv: *fzpriv\n")
	}
	if half := strings.IndexByte(s[len(s)/2:], '\n'); half >= 0 {
		at := len(s)/2 + half + 1
		add(s[:at] + strings.ReplaceAll(s[at:], "\n", "\r\n"))
	}
	return out
}
