package changeset

import (
	"net/url"
	"strings"
)

// ConsoleURL is the CloudFormation console's page of a change set, where
// an approver reviews and executes it. partition picks the console's
// domain (aws, aws-cn, aws-us-gov).
func ConsoleURL(partition, region, stackID, changeSetID string) string {
	host := region + ".console.aws.amazon.com"
	switch partition {
	case "aws-cn":
		host = "console.amazonaws.cn"
	case "aws-us-gov":
		host = "console.amazonaws-us-gov.com"
	}
	q := url.Values{"stackId": {stackID}, "changeSetId": {changeSetID}}
	return "https://" + host + "/cloudformation/home?region=" + url.QueryEscape(region) + "#/stacks/changesets/changes?" + q.Encode()
}

// ModeOfName is the mode in the name of a change set tcdind made
// (tcdind-MODE-DATE-TIME-RANDOM, see NewInput); "" for another name.
func ModeOfName(name string) string {
	rest, ok := strings.CutPrefix(name, "tcdind-")
	if !ok {
		return ""
	}
	mode, _, ok := strings.Cut(rest, "-")
	if !ok {
		return ""
	}
	switch mode {
	case "socket", "privileged", "none":
		return mode
	}
	return ""
}
