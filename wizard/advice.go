package wizard

import "strings"

// The engine's warnings end with what to do on the command line ("pass
// --sudo-image", "pass --agent-version VERSION"). In the wizard the recipe
// question does what those flags do, so the review says that instead: no
// flag advice inside the wizard (the summary after exit and the command it
// suggests keep the flags).
var flagAdvice = []struct{ flag, instead string }{
	{"pass --agent-version VERSION", "go back to the recipe question with esc, choose “Complete, and a -sudo image pinned to a version” and give VERSION"},
	{"pass --sudo-image", "go back to the recipe question with esc and choose the complete recipe with the -sudo image"},
	{"or use --mode socket", "or choose socket mode"},
}

// wizardAdvice is warning w with its flag advice in the wizard's terms.
func wizardAdvice(w string) string {
	for _, a := range flagAdvice {
		w = strings.ReplaceAll(w, a.flag, a.instead)
	}
	return w
}
