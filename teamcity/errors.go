package teamcity

import (
	"errors"
	"fmt"
	"net/http"
)

// Permissions a call needs, as TeamCity's roles name them
// (https://www.jetbrains.com/help/teamcity/managing-roles-and-permissions.html).
const (
	PermViewAgents   = "View agent details"
	PermEnableAgents = "Enable / disable agents"
	PermViewBuilds   = "View project and all parent projects"
	PermAuthorize    = "Authorize agents"
)

// AuthError is TeamCity refusing the token (401) or the call (403).
type AuthError struct {
	Status     int    // 401 or 403
	Server     string // the server's URL
	Call       string // "GET /app/rest/agents"
	What       string // what the call does, for people: "read the agents"
	Permission string // what a 403 lacks
}

func (e *AuthError) Error() string {
	if e.Status == http.StatusUnauthorized {
		return fmt.Sprintf("TeamCity at %s refused the access token (401 Unauthorized to %s): it is wrong, expired or revoked; create one in TeamCity under Profile | Access Tokens and pass it in TEAMCITY_TOKEN or a file named by --teamcity-token-file", e.Server, e.Call)
	}
	return fmt.Sprintf("TeamCity at %s did not let the token's user %s (403 Forbidden to %s): it needs the permission %q; give the user a role that has it, or use the token of a user who has it", e.Server, e.What, e.Call, e.Permission)
}

// StatusError is another answer than 2xx that is not retried, or a 5xx
// that lasted through every try.
type StatusError struct {
	Status int
	Server string
	Call   string
	Body   string // the answer's first line, trimmed
	Tries  int
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("TeamCity at %s answered %d %s to %s", e.Server, e.Status, http.StatusText(e.Status), e.Call)
	if e.Tries > 1 {
		msg += fmt.Sprintf(" (%d tries)", e.Tries)
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// NotFound reports a 404: an agent TeamCity no longer knows.
func NotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

// IsAuth reports a 401 or 403.
func IsAuth(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae)
}
