package batch

import (
	"strings"
	"testing"

	"github.com/tcdind/tcdind/awsclient"
)

func TestSettled(t *testing.T) {
	for status, want := range map[string]string{
		"CREATE_COMPLETE":                     "",
		"UPDATE_COMPLETE":                     "",
		"UPDATE_ROLLBACK_COMPLETE":            "",
		"IMPORT_COMPLETE":                     "",
		"IMPORT_ROLLBACK_COMPLETE":            "",
		"ROLLBACK_COMPLETE":                   "can only be deleted",
		"REVIEW_IN_PROGRESS":                  "never executed",
		"UPDATE_IN_PROGRESS":                  "busy",
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "busy",
		"CREATE_IN_PROGRESS":                  "busy",
		"DELETE_IN_PROGRESS":                  "busy",
		"UPDATE_ROLLBACK_FAILED":              "continue-update-rollback",
		"CREATE_FAILED":                       "repair it first",
		"DELETE_FAILED":                       "repair it first",
		"DELETE_COMPLETE":                     "was deleted",
	} {
		err := Settled(&awsclient.Stack{Name: "tc", Status: status})
		switch {
		case want == "" && err != nil:
			t.Errorf("%s refused: %v", status, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), status)):
			t.Errorf("%s: err = %v, want one naming the status and containing %q", status, err, want)
		}
	}
}

func TestTemplateExt(t *testing.T) {
	if templateExt([]byte("\ufeff  {\"Resources\": {}}")) != "json" || templateExt([]byte("Resources: {}\n")) != "yaml" {
		t.Error("templateExt")
	}
}
