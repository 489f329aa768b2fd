package wizard

import (
	"errors"
	"net/url"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/render"
)

// The TeamCity question's answers.
const (
	tcUse   = "use"   // the URL the stack shows (or --teamcity-url)
	tcOther = "other" // another URL: asked next
	tcSkip  = "skip"  // update without asking TeamCity
)

// tcAnswers are the TeamCity questions' answers: whether to ask TeamCity
// at all, where it is, and the access token.
type tcAnswers struct {
	found  discovered // the URL the deployed stack shows
	choice string
	url    string
	// token is the access token: TEAMCITY_TOKEN, --teamcity-token-file or
	// the token question (never echoed, never a flag value); tokenFrom
	// says which, for the screens ("TEAMCITY_TOKEN", the file's path,
	// "typed").
	token     string
	tokenFrom string
}

// use reports whether TeamCity is asked: a URL and a token, not skipped.
func (t *tcAnswers) use() bool { return t.choice != tcSkip && t.url != "" && t.token != "" }

func newTCAnswers(cfg Config) tcAnswers {
	t := tcAnswers{url: cfg.TeamCityURL, token: cfg.TeamCityToken, tokenFrom: cfg.TeamCityTokenFrom, choice: tcUse}
	if t.token != "" && t.tokenFrom == "" {
		t.tokenFrom = "TEAMCITY_TOKEN"
	}
	return t
}

// offersTeamCity reports whether the TeamCity question is asked: on a
// stack whose deployed template shows the server's URL, or with
// --teamcity-url.
func (m *Model) offersTeamCity() bool {
	return !m.cfg.noTeamCity && m.isStack() && (m.a.tc.found.url != "" || m.cfg.TeamCityURL != "")
}

// teamCityScreen asks whether to ask TeamCity about the agents: drain them
// before the update, and confirm Docker on the new ones after it.
type teamCityScreen struct{ question }

func (s *teamCityScreen) enter(m *Model) tea.Cmd {
	if m.a.tc.url == "" {
		m.a.tc.url = m.a.tc.found.url
	}
	return m.ask(s)
}

func (*teamCityScreen) field(m *Model) huh.Field {
	// The URL is said above: a long option wraps, and huh's select then
	// hides its last option in a short terminal.
	opts := []huh.Option[string]{
		huh.NewOption("Use the server the stack shows", tcUse),
		huh.NewOption("Use another URL", tcOther),
		huh.NewOption("Skip: update without asking TeamCity", tcSkip),
	}
	if m.a.tc.url == "" {
		opts = opts[1:]
		if m.a.tc.choice == tcUse {
			m.a.tc.choice = tcOther
		}
	}
	return selectOf(m, "Ask TeamCity about the agents?", opts, &m.a.tc.choice)
}

func (*teamCityScreen) intro(m *Model) string {
	return render.TeamCityIntro(m.a.tc.found.url, m.a.tc.found.from, m.a.tc.tokenFrom)
}

func (s *teamCityScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(s.intro(m), min(w, 90))))
}

func (*teamCityScreen) submit(m *Model) tea.Cmd {
	switch {
	case m.a.tc.choice == tcOther && m.a.tc.url == m.a.tc.found.url:
		m.a.tc.url = "" // typed from scratch
	case m.a.tc.choice == tcUse && m.a.tc.found.url != "":
		m.a.tc.url = m.a.tc.found.url
	}
	return m.enter(m.nextStep(stepTeamCity))
}

// teamCityURLScreen asks for the server's URL.
type teamCityURLScreen struct{ question }

func (s *teamCityURLScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*teamCityURLScreen) field(m *Model) huh.Field {
	return huh.NewInput().
		Title("TeamCity server URL").
		Placeholder("https://teamcity.example.com").
		Value(&m.a.tc.url).
		Validate(keepOnEmpty(&m.a.tc.url, func(s string) error {
			_, err := serverURL(s)
			return err
		}))
}

func (*teamCityURLScreen) submit(m *Model) tea.Cmd {
	m.a.tc.url, _ = serverURL(m.a.tc.url)
	return m.enter(m.nextStep(stepTCURL))
}

// teamCityTokenScreen asks for the access token, never shown: it is not a
// flag, which would land in shell history and the process list.
type teamCityTokenScreen struct{ question }

func (s *teamCityTokenScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*teamCityTokenScreen) field(m *Model) huh.Field {
	return huh.NewInput().
		Title("Access token for " + m.a.tc.url + " (not shown)").
		EchoMode(huh.EchoModePassword).
		Value(&m.a.tc.token).
		Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("give the token, or press esc and skip TeamCity")
			}
			return nil
		})
}

func (*teamCityTokenScreen) intro(m *Model) string {
	return render.TeamCityTokenIntro(m.a.tc.url)
}

func (s *teamCityTokenScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(s.intro(m), min(w, 90))))
}

func (*teamCityTokenScreen) submit(m *Model) tea.Cmd {
	m.a.tc.token, m.a.tc.tokenFrom = strings.TrimSpace(m.a.tc.token), "typed"
	return m.enter(m.nextStep(stepTCToken))
}

// serverURL reads a typed server URL: http or https, with a host.
func serverURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("give the server's http:// or https:// URL, as you open it in a browser")
	}
	return s, nil
}
