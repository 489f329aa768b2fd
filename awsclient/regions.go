package awsclient

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// EnabledRegions lists the regions the account can use (those enabled by
// default and those opted in), with one ec2:DescribeRegions: a region not
// opted in would only answer "not recognised" to every call.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
func (c *Client) EnabledRegions(ctx context.Context) ([]string, error) {
	logger, mode := debugLogging(c.debug)
	client := ec2.NewFromConfig(c.cfg, func(o *ec2.Options) { o.Logger, o.ClientLogMode = logger, mode })
	out, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("list the account's regions (ec2:DescribeRegions) from %s: %w", c.region, short(err))
	}
	var regions []string
	for _, r := range out.Regions {
		if st := aws.ToString(r.OptInStatus); st == "" || st == "opt-in-not-required" || st == "opted-in" {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	sort.Strings(regions)
	return regions, nil
}
