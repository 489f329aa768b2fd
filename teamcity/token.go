package teamcity

import (
	"errors"
	"fmt"
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
			return "", fmt.Errorf("read the TeamCity token file: %w", err)
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
