// Package pause waits between polls and tries for as long as a context
// lets it: the one wait every loop that reads AWS or TeamCity again uses,
// so that ctrl+c, SIGTERM and SIGHUP end each of them at once.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx ends; it returns ctx's error then. A d of zero
// or less does not wait.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
