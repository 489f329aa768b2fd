package awsclient

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// An awsvpc task's ENI attachment carries its private address
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attachment.html:
// "For elastic network interfaces, this includes the network interface ID,
// the MAC address, the subnet ID, and the private IPv4 address").
func TestENIAddress(t *testing.T) {
	kv := func(k, v string) ecstypes.KeyValuePair {
		return ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(v)}
	}
	att := []ecstypes.Attachment{
		{Type: aws.String("Service Connect"), Details: []ecstypes.KeyValuePair{kv("privateIPv4Address", "192.0.2.1")}},
		{Type: aws.String("ElasticNetworkInterface"), Status: aws.String("ATTACHED"), Details: []ecstypes.KeyValuePair{
			kv("subnetId", "subnet-0a1b"), kv("networkInterfaceId", "eni-0c2d"), kv("macAddress", "0a:1b:2c:3d:4e:5f"),
			kv("privateDnsName", "ip-10-0-2-17.eu-west-1.compute.internal"), kv("privateIPv4Address", "10.0.2.17"),
		}},
	}
	if got := eniAddress(att); got != "10.0.2.17" {
		t.Errorf("eniAddress = %q", got)
	}
	if got := eniAddress(nil); got != "" {
		t.Errorf("bridge task: %q", got)
	}
}
