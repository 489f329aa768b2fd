package teamcity

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// TokenEnv is the environment variable that holds the access token.
const TokenEnv = "TEAMCITY_TOKEN"

// ErrNoToken is a TeamCity URL without a token to call it with.
var ErrNoToken = errors.New("no TeamCity access token: set " + TokenEnv + " or pass --teamcity-token-file PATH (a file that holds only the token); create the token in TeamCity under Profile | Access Tokens")

// Token is the access token: the file's content when file is given (its
// surrounding white space trimmed), else the environment variable's. A
// token is never taken from a flag's value, which shell history and
// process lists keep.
func Token(getenv func(string) string, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", tokenFileError(file, err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", fmt.Errorf("the TeamCity token file %s is empty: put the access token in it", file)
		}
		if strings.ContainsAny(t, "\r\n") {
			return "", fmt.Errorf("the TeamCity token file %s has more than one line: put only the access token in it", file)
		}
		return t, nil
	}
	if t := strings.TrimSpace(getenv(TokenEnv)); t != "" {
		return t, nil
	}
	return "", ErrNoToken
}

// tokenFileError is a token file that cannot be read, said with what to
// do. A value that is no path but looks like a token itself (no file by
// that name, no slash, long, one word) is not echoed: it would land in the
// error output, often a CI log.
func tokenFileError(file string, err error) error {
	reason := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) && looksLikeToken(file) {
		return errors.New("--teamcity-token-file takes the path of a file that holds the access token, not the token itself: put the token in a file (or in " + TokenEnv + ") and revoke this one if the command line was logged")
	}
	return fmt.Errorf("cannot read the TeamCity token file %s (%v): pass the path of a file that holds only the access token, or set %s", file, reason, TokenEnv)
}

func looksLikeToken(s string) bool {
	return len(s) >= 20 && !strings.ContainsAny(s, "/\\ ") && !strings.HasPrefix(s, "~")
}
