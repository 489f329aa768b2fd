package drain

import (
	"regexp"

	"github.com/tcdind/tcdind/teamcity"
)

// commentRE reads Comment's text back: the stack and change set it names.
// TeamCity keeps the text as sent and adds the time and the user beside
// it ("This timestamp and the user data are automatically generated and
// cannot be changed": https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html),
// so a later run reads what an earlier one wrote. CloudFormation's stack
// and change set names have no spaces.
var commentRE = regexp.MustCompile(`^tcdind: disabled to let running builds finish before stack (\S+) is updated \(change set (\S+)\);`)

// ParseComment reads an enabledInfo comment tcdind wrote (Comment): the
// stack and the change set it names. ok is false for any other comment —
// an agent someone else disabled.
func ParseComment(text string) (stack, changeSet string, ok bool) {
	m := commentRE.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Adopted are the agents that were disabled by an earlier tcdind run that
// ended without enabling them again (killed), which this drain took as
// its own (Drain.Adopt): disabled with its comment, enabled at its end.
// Each keeps the enabledInfo it was found with.
func (d *Drain) Adopted() []teamcity.Agent { return d.adopted }
