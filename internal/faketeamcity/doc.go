// Package faketeamcity is a fake TeamCity server for tests: an httptest
// server that answers the part of TeamCity's REST API tcdind uses, as
// JetBrains documents it, with knobs for what a real server does over time
// (builds that finish, agents that appear) and for faults (401, 403, 5xx,
// slow answers). It records every request and every PUT, so a test can
// assert exactly which agents were disabled and enabled again.
//
// Start one per test:
//
//	tc := faketeamcity.New(t)                  // closed by t.Cleanup
//	id := tc.AddAgent(faketeamcity.Agent{Name: "agent-1", IP: "10.0.1.23",
//		Params: faketeamcity.DockerParams("27.3.1")})
//	tc.AddBuild(faketeamcity.Build{AgentID: id, BuildTypeID: "App_Build",
//		FinishAfterPolls: 2})                   // seen running twice, then finished
//	client := yourclient.New(tc.URL, tc.Token)  // "Authorization: Bearer " + tc.Token
//	...
//	for _, p := range tc.Puts() { ... p.AgentID, p.Enabled, p.Comment, p.Status ... }
//
// Knobs, all safe to call while a client is polling:
//
//	AddAgent, SetAgent, RemoveAgent, Agent   agents now (SetAgent: connect one, give it Docker)
//	Agent.AppearAfterPolls                   an agent listed only after that many agent-list GETs
//	OnAgentsPoll(func(n int))                change anything before the n-th agent-list answer
//	AddBuild, FinishBuild, RunningBuilds     builds; Build.FinishAfterPolls / FinishAfter end them
//	SetClock                                 the server's clock
//	AddToken(token, lacks...)                a token that gets 403 for what it lacks
//	FailNext(method, n, status)              the next n calls answered 5xx (or any status)
//	SlowNext(method, n, d)                   the next n calls held for d
//	Puts, Requests                           what was asked, in order, with the status answered
//	DockerParams(version)                    the parameters TeamCity sets when Docker answers
//
// For a knob in time (an agent that connects 3 s after the rollout starts),
// use time.AfterFunc with SetAgent or AddAgent.
//
// What it answers (JSON only: a request without "Accept: application/json"
// gets 406, where a real server would answer XML):
//
//	GET /app/rest/server                         version, versionMajor, buildNumber, …
//	GET /app/rest/agents?locator=…&fields=…      {count, href, agent: […]}
//	GET /app/rest/agents/<locator>?fields=…      one agent
//	GET|PUT /app/rest/agents/<locator>/enabledInfo   {status, comment{text,…}, statusSwitchTime}
//	GET|PUT /app/rest/agents/<locator>/enabled       "true" / "false" as text/plain
//	GET /app/rest/builds?locator=…&fields=…      {count, href, build: […]}
//	GET /app/rest/builds/<locator>               one build
//
// Agent locators: id, name, connected, authorized, enabled (true/false/any),
// ip, pool:(id:N|name:X), defaultFilter, count, start. Without authorized
// (and without defaultFilter:false) only authorized agents are listed, as the
// docs say. Build locators: id, running (true/false/any), agent:(<agent
// locator>), defaultFilter, count, start; without running only finished
// builds are listed, as TeamCity's default filter does. Any other dimension is
// a 400 that names it, so a client never silently relies on something the
// fake does not model.
//
// fields=: a list without fields= gives each item's short form (agents: id,
// name, typeId, href, webUrl; builds: id, buildTypeId, number, status, state,
// href, webUrl), as TeamCity does; fields= selects from the full form
// (nested selections like agent(id,name,properties(property(name,value))),
// $long and * included); unknown names are ignored, as TeamCity ignores them.
// A single agent or build without fields= is its full form. An agent's full
// form includes pool, enabledInfo, authorizedInfo, properties (its
// parameters: env.HOSTNAME, docker.server.version, …) and build, the build it
// is running.
//
// Time: dates are in TeamCity's format (20260106T081500+0000) from the
// server's clock (SetClock). An agent disabled with a statusSwitchTime is
// enabled again when the clock passes it, as TeamCity's safety net does.
//
// Auth: "Authorization: Bearer <token>". No token or an unknown one is 401;
// a token made with AddToken(token, lacks...) gets 403 for what needs a
// permission it lacks, with TeamCity's message naming the permission
// (You do not have "Enable / disable agents" permission …).
//
// Sources (the comments near each piece cite the page they model):
//   - https://www.jetbrains.com/help/teamcity/rest/manage-agents.html
//   - https://www.jetbrains.com/help/teamcity/rest/agentlocator.html
//   - https://www.jetbrains.com/help/teamcity/rest/agent.html
//   - https://www.jetbrains.com/help/teamcity/rest/enabledinfo.html
//   - https://www.jetbrains.com/help/teamcity/rest/get-build-statistics.html
//   - https://www.jetbrains.com/help/teamcity/rest/2020.2/manage-builds.html
//   - https://www.jetbrains.com/help/teamcity/rest/quick-start.html
//   - https://www.jetbrains.com/help/teamcity/rest/locators.html
//   - https://www.jetbrains.com/help/teamcity/integrating-teamcity-with-docker.html
//   - https://github.com/JetBrains/teamcity-cli/issues/427 (a real 403 body)
package faketeamcity
