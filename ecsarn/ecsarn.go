// Package ecsarn reads the parts of ECS ARNs that tcdind shows and groups by:
// a service's name and cluster, a cluster's name, a task definition's
// family:revision. It parses strings only; it calls nothing.
package ecsarn

import "strings"

// Service splits a service ARN: arn:…:service/cluster/name (the long
// format) or arn:…:service/name (the old one, without the cluster). A bare
// name is its own name, with no cluster.
func Service(arn string) (name, cluster string) {
	_, res, ok := strings.Cut(arn, ":service/")
	if !ok {
		return arn, ""
	}
	if c, n, ok := strings.Cut(res, "/"); ok {
		return n, c
	}
	return res, ""
}

// Cluster is the name in a cluster ARN, or s itself when it is a name.
func Cluster(s string) string {
	if _, n, ok := strings.Cut(s, ":cluster/"); ok {
		return n
	}
	return s
}

// Revision is a task definition ARN's family:revision, as ECS shows it, or
// arn itself when it is not a task definition ARN.
func Revision(arn string) string {
	if _, rev, ok := strings.Cut(arn, ":task-definition/"); ok {
		return rev
	}
	return arn
}
