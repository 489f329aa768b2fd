// Package drain empties the TeamCity agents of the tasks an update
// replaces before it is executed: it disables the matched agents that are
// enabled now, with a comment that names tcdind, the stack and the change
// set and a statusSwitchTime as a safety net (TeamCity enables them again
// by itself then, should tcdind never come back:
// https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html); waits
// while builds run on them; and on every way out re-enables exactly the
// agents it disabled, reading each back.
//
// A disabled agent finishes the build it runs and takes no new one
// ("Enabled agents are those that are ready to process new builds":
// https://www.jetbrains.com/help/teamcity/rest/agent.html), so waiting
// until no build runs on the agents means executing cuts none off.
//
// Exactly: an agent that was disabled before is never touched; an agent
// someone disabled again with another comment meanwhile is left as they
// set it, and said. Both front ends drive it; the words are render's.
package drain
