// Package teamcity is tcdind's client of TeamCity's REST API, on net/http:
// one small function per call, no AWS.
//
// What it calls, as TeamCity documents it:
//   - the agents with their state, pool and reported parameters:
//     GET /app/rest/agents?locator=authorized:any&fields=…
//     (https://www.jetbrains.com/help/teamcity/rest/manage-agents.html,
//     https://www.jetbrains.com/help/teamcity/rest/agent.html,
//     https://www.jetbrains.com/help/teamcity/rest/agentlocator.html);
//   - an agent's enabledInfo, read and set with a comment and a
//     statusSwitchTime, "when the agent state should be automatically
//     flipped": GET/PUT /app/rest/agents/{locator}/enabledInfo
//     (https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html);
//   - the builds running on an agent: GET
//     /app/rest/builds?locator=agent:(id:N),running:true,defaultFilter:false
//     (https://www.jetbrains.com/help/teamcity/rest/get-build-statistics.html,
//     https://www.jetbrains.com/help/teamcity/rest/buildlocator.html);
//   - the server's version: GET /app/rest/server.
//
// Authentication is an access token in "Authorization: Bearer <token>"
// (https://www.jetbrains.com/help/teamcity/rest/quick-start.html); the token
// comes from TEAMCITY_TOKEN or a file, never from a flag value, which would
// land in shell history and process lists. Every request has a timeout;
// 5xx answers and timeouts are tried again a bounded number of times,
// and a cancelled context stops at once. 401 and 403 are one-line errors
// that say what to do and which permission the call needs.
package teamcity
