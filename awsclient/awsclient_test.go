package awsclient

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestIsNoChangesReason(t *testing.T) {
	for _, s := range []string{
		"The submitted information didn't contain changes. Submit different information to create a change set.",
		"No updates are to be performed.",
	} {
		if !IsNoChangesReason(s) {
			t.Errorf("IsNoChangesReason(%q) = false", s)
		}
	}
	if IsNoChangesReason("Template format error: unresolved resource dependencies [Foo]") {
		t.Error("a template error taken for no changes")
	}
	cs := ChangeSet{Status: "FAILED", StatusReason: "The submitted information didn't contain changes."}
	if !cs.NoChanges() {
		t.Error("NoChanges() = false for the no-change FAILED change set")
	}
}

func TestMissingCapabilities(t *testing.T) {
	got := missingCapabilities("Requires capabilities : [CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND]")
	if !slices.Equal(got, []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}) {
		t.Errorf("got %v", got)
	}
	e := &CapabilitiesError{Stack: "tc", Missing: []string{"CAPABILITY_NAMED_IAM"}}
	if !strings.Contains(e.Error(), "requires CAPABILITY_NAMED_IAM") || !strings.Contains(e.Error(), "--capabilities CAPABILITY_NAMED_IAM") {
		t.Errorf("error %q does not name the capability and what to do", e)
	}
}

func TestTemplateURL(t *testing.T) {
	for _, c := range []struct{ partition, region, version, want string }{
		{"aws", "eu-west-1", "", "https://s3.eu-west-1.amazonaws.com/my.bucket/tcdind/tc/a%20b.yaml"},
		{"aws", "us-east-1", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "https://s3.us-east-1.amazonaws.com/my.bucket/tcdind/tc/a%20b.yaml?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY"},
		{"aws", "us-east-1", "null", "https://s3.us-east-1.amazonaws.com/my.bucket/tcdind/tc/a%20b.yaml"},
		{"aws-cn", "cn-north-1", "", "https://s3.cn-north-1.amazonaws.com.cn/my.bucket/tcdind/tc/a%20b.yaml"},
		{"aws-us-gov", "us-gov-west-1", "", "https://s3.us-gov-west-1.amazonaws.com/my.bucket/tcdind/tc/a%20b.yaml"},
	} {
		if got := TemplateURL(c.partition, c.region, "my.bucket", "tcdind/tc/a b.yaml", c.version); got != c.want {
			t.Errorf("%s %s: got %s, want %s", c.partition, c.region, got, c.want)
		}
	}
}

func TestStackARN(t *testing.T) {
	st := Stack{ID: "arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/tc/0f1e"}
	if st.Partition() != "aws-cn" || st.Account() != "123456789012" {
		t.Errorf("partition %q account %q", st.Partition(), st.Account())
	}
	if (&Stack{ID: "tc"}).Partition() != "aws" || (&Stack{ID: "tc"}).Account() != "" {
		t.Error("a name is no ARN")
	}
}

func TestNewConfig(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	os.WriteFile(cfgFile, []byte("[profile other]\nregion = eu-west-1\n"), 0o600)
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	os.Unsetenv("AWS_PROFILE")
	ctx := context.Background()

	if _, err := New(ctx, Config{}); err == nil || !strings.Contains(err.Error(), "pass --region") {
		t.Errorf("no region: err = %v", err)
	}
	if _, err := New(ctx, Config{Profile: "missing"}); err == nil || !strings.Contains(err.Error(), `profile "missing" not found`) {
		t.Errorf("unknown profile: err = %v", err)
	}
	c, err := New(ctx, Config{Profile: "other"})
	if err != nil || c.Region() != "eu-west-1" {
		t.Errorf("profile region: %v, %v", c, err)
	}
	c, err = New(ctx, Config{Profile: "other", Region: "us-west-2", EndpointURL: "http://127.0.0.1:1"})
	if err != nil || c.Region() != "us-west-2" || c.endpoint != "http://127.0.0.1:1" {
		t.Errorf("--region and --endpoint-url: %+v, %v", c, err)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2")
	c, err = New(ctx, Config{Region: "us-east-1"})
	if err != nil || c.endpoint != "http://127.0.0.1:2" {
		t.Errorf("AWS_ENDPOINT_URL: %+v, %v", c, err)
	}
}

// A printed command reaches what tcdind reached: the region, the profile
// and an endpoint (an emulator, a VPC endpoint) when one was given.
func TestCLIFlags(t *testing.T) {
	for _, c := range []struct{ region, profile, endpoint, want string }{
		{"", "", "", ""},
		{"eu-west-1", "", "", " --region eu-west-1"},
		{"eu-west-1", "ci", "", " --region eu-west-1 --profile ci"},
		{"us-east-1", "", "http://127.0.0.1:5000", " --region us-east-1 --endpoint-url http://127.0.0.1:5000"},
	} {
		if got := CLIFlags(c.region, c.profile, c.endpoint); got != c.want {
			t.Errorf("CLIFlags(%q, %q, %q) = %q, want %q", c.region, c.profile, c.endpoint, got, c.want)
		}
	}
}
