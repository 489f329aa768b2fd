package changeset

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

// stampTag starts the stamp of what a kept change set was made from.
const stampTag = "[tcdind reviewed "

// Stamp is the review written into a kept change set's description
// (--apply --no-execute): the stack's status, last update and template
// hash when the change set was made, so that --execute can make the same
// optimistic check as Check before executing it, in another run, maybe on
// another machine.
func (r Reviewed) Stamp() string {
	last := "-"
	if !r.Stack.LastUpdated.IsZero() {
		last = r.Stack.LastUpdated.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s%s %s %s]", stampTag, r.Stack.Status, last, hex.EncodeToString(r.TemplateHash[:]))
}

// FromStamp is the review a change set's description carries, for stack
// (its name); false when it carries none.
func FromStamp(stack, description string) (Reviewed, bool) {
	i := strings.Index(description, stampTag)
	if i < 0 {
		return Reviewed{}, false
	}
	body, _, ok := strings.Cut(description[i+len(stampTag):], "]")
	f := strings.Fields(body)
	if !ok || len(f) != 3 {
		return Reviewed{}, false
	}
	st := &awsclient.Stack{Name: stack, Status: f[0]}
	if f[1] != "-" {
		t, err := time.Parse(time.RFC3339Nano, f[1])
		if err != nil {
			return Reviewed{}, false
		}
		st.LastUpdated = t
	}
	var r Reviewed
	h, err := hex.DecodeString(f[2])
	if err != nil || len(h) != len(r.TemplateHash) {
		return Reviewed{}, false
	}
	copy(r.TemplateHash[:], h)
	r.Stack = st
	return r, true
}
