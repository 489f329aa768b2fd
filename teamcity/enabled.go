package teamcity

import (
	"context"
	"strconv"
)

// EnabledPath is the path of an agent's enabledInfo.
func EnabledPath(id int) string { return "/app/rest/agents/id:" + strconv.Itoa(id) + "/enabledInfo" }

// ReadEnabled reads an agent's enabledInfo.
func (c *Client) ReadEnabled(ctx context.Context, id int) (EnabledInfo, error) {
	var got enabledJSON
	err := c.do(ctx, call{method: "GET", path: EnabledPath(id), what: "read the agents", permission: PermViewAgents}, &got)
	if err != nil {
		return EnabledInfo{}, err
	}
	return got.info(), nil
}

// SetEnabled sets an agent's enabledInfo: its status, a comment TeamCity
// shows beside it, and (switchTime not "") when TeamCity flips the status
// back by itself ("Specify this value to temporarily disable or enable
// agents, or leave it empty to permanently change the agent state":
// https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html). It
// returns the enabledInfo TeamCity answers with.
func (c *Client) SetEnabled(ctx context.Context, id int, info EnabledInfo) (EnabledInfo, error) {
	body := enabledJSON{Status: info.Status, StatusSwitchTime: info.SwitchTime}
	if info.Comment != "" {
		body.Comment = &struct {
			Text string `json:"text"`
		}{Text: info.Comment}
	}
	what := "disable agents"
	if info.Status {
		what = "enable agents"
	}
	var got enabledJSON
	err := c.do(ctx, call{method: "PUT", path: EnabledPath(id), body: body, what: what, permission: PermEnableAgents}, &got)
	if err != nil {
		return EnabledInfo{}, err
	}
	return got.info(), nil
}
