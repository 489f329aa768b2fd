package wizard

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/awsclient"
)

//go:generate go run ../internal/genregions regions_gen.go

// otherRegion is the region answer that asks for a name not listed.
const otherRegion = "other"

// regionScreen asks for the stack's region, filtered as the user types:
// the SDK's regions (regions_gen.go), the configured one first when it is
// not among them, and "other" to type one.
type regionScreen struct {
	question
	typing bool   // "other" was chosen: the region is typed
	other  string // the typed region
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

func (s *regionScreen) enter(m *Model) tea.Cmd {
	m.a.forgetLoaded()
	m.a.region = m.defaultRegion()
	if s.typing {
		m.list, m.ends = nil, [2]any{}
		return m.setForm(huh.NewForm(huh.NewGroup(s.otherField(m))))
	}
	def := m.a.region
	all := func() []huh.Option[string] { return regionOptions(def) }
	return m.setForm(m.newList("Which AWS region is the stack in?", &m.a.region, all, func() string { return "Type to filter; choose other for a region not listed." }))
}

// regionOptions are the listed regions, def first when it is not one of
// them, and other.
func regionOptions(def string) []huh.Option[string] {
	var opts []huh.Option[string]
	first := huh.NewOption(padRight(def, 16)+"(from your configuration)", def)
	for _, r := range sdkRegions {
		if r[0] == def {
			first = huh.NewOption(padRight(r[0], 16)+r[1]+" (your default)", r[0])
			continue
		}
		opts = append(opts, huh.NewOption(padRight(r[0], 16)+r[1], r[0]))
	}
	if def != "" {
		// The default on top, the cursor on it: the list opens at its
		// start, not scrolled to the middle.
		opts = append([]huh.Option[string]{first}, opts...)
	}
	return append(opts, huh.NewOption(padRight(otherRegion, 16)+"a region not listed: type its name", otherRegion))
}

func (*regionScreen) otherField(m *Model) *huh.Input {
	return huh.NewInput().
		Title("Region name").
		Description("The AWS region the stack is in, such as us-east-1 or eu-west-2.").
		Value(&m.a.region).
		Validate(func(s string) error {
			if !awsclient.ValidRegion(strings.TrimSpace(s)) {
				return errNotARegion
			}
			return nil
		})
}

// field is the question as a plain prompt: the region's name, with the
// default proposed (a list of 40 regions read aloud helps nobody).
func (s *regionScreen) field(m *Model) huh.Field {
	m.a.region = m.defaultRegion()
	def := m.a.region
	return s.otherField(m).Validate(func(s string) error {
		if s = strings.TrimSpace(s); s == "" && def != "" {
			return nil // the default
		}
		if !awsclient.ValidRegion(s) {
			return errNotARegion
		}
		return nil
	})
}

func (s *regionScreen) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyMsg); ok && s.typing && k.Type == tea.KeyEsc {
		// Back from the typed name to the list.
		s.typing = false
		m.a.region = otherRegion
		return s.enter(m), true
	}
	return nil, m.filterUpdate(msg)
}

func (s *regionScreen) submit(m *Model) tea.Cmd {
	if m.a.region == otherRegion {
		s.typing = true
		m.a.region = ""
		m.list, m.ends = nil, [2]any{}
		return m.setForm(huh.NewForm(huh.NewGroup(s.otherField(m))))
	}
	m.a.region = strings.TrimSpace(m.a.region)
	// The region chosen again: its stacks are read again (one created
	// meanwhile shows).
	if st, ok := m.screens[stepStacks].(*stacksScreen); ok {
		st.items = nil
	}
	return m.enter(stepStacks)
}

func (*regionScreen) intro(*Model) string {
	return "The AWS region the stack is in, such as us-east-1 or eu-west-2."
}
