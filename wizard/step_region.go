package wizard

import (
	"github.com/charmbracelet/huh"
)

// regions are the commercial AWS regions CloudFormation runs in, with
// their names: the region question's options. A region not listed (a new
// one, GovCloud, China) still works through --region or AWS_REGION, and
// is added to the list as the default.
var regions = [][2]string{
	{"us-east-1", "US East (N. Virginia)"},
	{"us-east-2", "US East (Ohio)"},
	{"us-west-1", "US West (N. California)"},
	{"us-west-2", "US West (Oregon)"},
	{"af-south-1", "Africa (Cape Town)"},
	{"ap-east-1", "Asia Pacific (Hong Kong)"},
	{"ap-south-1", "Asia Pacific (Mumbai)"},
	{"ap-south-2", "Asia Pacific (Hyderabad)"},
	{"ap-southeast-1", "Asia Pacific (Singapore)"},
	{"ap-southeast-2", "Asia Pacific (Sydney)"},
	{"ap-southeast-3", "Asia Pacific (Jakarta)"},
	{"ap-southeast-4", "Asia Pacific (Melbourne)"},
	{"ap-northeast-1", "Asia Pacific (Tokyo)"},
	{"ap-northeast-2", "Asia Pacific (Seoul)"},
	{"ap-northeast-3", "Asia Pacific (Osaka)"},
	{"ca-central-1", "Canada (Central)"},
	{"ca-west-1", "Canada West (Calgary)"},
	{"eu-central-1", "Europe (Frankfurt)"},
	{"eu-central-2", "Europe (Zurich)"},
	{"eu-west-1", "Europe (Ireland)"},
	{"eu-west-2", "Europe (London)"},
	{"eu-west-3", "Europe (Paris)"},
	{"eu-south-1", "Europe (Milan)"},
	{"eu-south-2", "Europe (Spain)"},
	{"eu-north-1", "Europe (Stockholm)"},
	{"il-central-1", "Israel (Tel Aviv)"},
	{"me-south-1", "Middle East (Bahrain)"},
	{"me-central-1", "Middle East (UAE)"},
	{"sa-east-1", "South America (São Paulo)"},
}

// defaultRegion is the region question's default: --region, AWS_REGION,
// then the profile's config. The config is read here, once the source is a
// stack, never for a template.
func (m *Model) defaultRegion() string {
	if m.a.region != "" {
		return m.a.region
	}
	if m.cfg.Region != "" {
		return m.cfg.Region
	}
	if m.cfg.ProfileRegion != nil {
		return m.cfg.ProfileRegion(m.ctx)
	}
	return ""
}

// regionForm asks for the region, filtered as the user types.
func (m *Model) regionForm() *huh.Form {
	m.a.region = m.defaultRegion()
	def := m.a.region
	all := func() []huh.Option[string] {
		var opts []huh.Option[string]
		known := false
		for _, r := range regions {
			opts = append(opts, huh.NewOption(padRight(r[0], 16)+r[1], r[0]))
			known = known || r[0] == def
		}
		if !known && def != "" {
			opts = append([]huh.Option[string]{huh.NewOption(padRight(def, 16)+"(from your configuration)", def)}, opts...)
		}
		return opts
	}
	return m.newList("Which AWS region is the stack in?", &m.a.region, all, func() string { return "Type to filter." })
}

// listHeight is the height of a long list's field: what the screen leaves.
func (m *Model) listHeight() int {
	return max(m.height-10, 5)
}
