package changeset

import (
	"testing"
	"time"

	"github.com/tcdind/tcdind/awsclient"
)

func TestStampRoundTrip(t *testing.T) {
	for _, last := range []time.Time{{}, time.Date(2026, 12, 6, 5, 0, 1, 250, time.UTC)} {
		r := Review(&awsclient.Stack{Name: "tc", Status: "UPDATE_COMPLETE", LastUpdated: last}, []byte("Resources: {}\n"))
		got, ok := FromStamp("tc", "tcdind: socket Docker-in-Docker for Agent "+r.Stamp())
		if !ok || got.Stack.Status != "UPDATE_COMPLETE" || !got.Stack.LastUpdated.Equal(last) || got.TemplateHash != r.TemplateHash || got.Stack.Name != "tc" {
			t.Errorf("round trip of %s: %+v %v", r.Stamp(), got.Stack, ok)
		}
	}
	if _, ok := FromStamp("tc", "made in the console"); ok {
		t.Error("a description without a stamp gave one")
	}
}
