// Package agentmatch finds the TeamCity agents that run in the ECS tasks of
// the stack's agent services: the agents a drain may disable, and, after
// the rollout, the new agents whose Docker TeamCity must confirm.
//
// How a task and an agent are told to be the same, by network mode:
//
//   - bridge (the default on EC2, and JetBrains' template's, which sets no
//     NetworkMode): Docker names a container's host after the container's
//     ID ("the container's hostname defaults to be the container's ID",
//     https://docs.docker.com/engine/network/#ip-address-and-hostname),
//     shortened to its first 12 characters, and sets HOSTNAME in its
//     environment; TeamCity's agents report their environment as env.*
//     parameters, so the agent reports env.HOSTNAME, and an agent whose
//     name is not configured (no AGENT_NAME) is named after its host. ECS
//     reports the container's Docker ID as its runtimeId in DescribeTasks
//     (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html).
//     So an agent whose env.HOSTNAME (or, when it reports none, whose
//     name) is the first 12 characters of the agent container's runtimeId
//     runs in that container. Container IDs are unique: a disconnected
//     agent of a stopped container never matches a new one.
//   - awsvpc: the task has its own elastic network interface, whose
//     private IPv4 address DescribeTasks reports in the task's
//     ElasticNetworkInterface attachment
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html);
//     the agent connects from it, and TeamCity shows it as the agent's ip.
//     Addresses are reused once a task stops, so only connected agents
//     match.
//   - host: the container shares the instance's hostname and address
//     ("the task bypasses Docker's built-in virtual network",
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode),
//     so agents sharing an instance cannot be told apart: tcdind matches
//     none there.
//
// A container whose task definition sets its hostname has that name in
// every task: its agents are matched only when the hostname leaves one
// candidate. An agent that fits more than one task, or a task that more
// than one agent fits, is matched to none: it is said in the review and
// never disabled. A task with no agent is said too.
package agentmatch
