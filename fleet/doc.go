// Package fleet is tcdind status: a read-only audit of every stack with a
// TeamCity agent across regions and AWS profiles (accounts). For each
// agent container it says the mode, the image and tag, the launch type,
// and whether the ECS service runs the task definition revision
// CloudFormation holds (drift); for each stack, whether tcdind can edit it
// and why not.
//
// It only reads: ec2:DescribeRegions once per profile with --all-regions;
// per region cloudformation:ListStacks; per stack
// cloudformation:ListStackResources, and for a stack with an ECS task
// definition cloudformation:GetTemplate, and for one with an agent
// cloudformation:DescribeStacks and ecs:DescribeServices (one per cluster).
// A region or account that refuses is a note, not the end of the run.
package fleet
