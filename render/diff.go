package render

import (
	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff is the plain unified diff from before to after, labelled with
// name; empty when they are equal.
func UnifiedDiff(name string, before, after []byte) string {
	return udiff.Unified(name, name+" (dind)", string(before), string(after))
}
