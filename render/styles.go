package render

import (
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
)

// Styles are every lipgloss style tcdind's screens use. NewStyles(false) is
// the plain variant for NO_COLOR and --no-color: the same layout (padding,
// borders, markers) without colour.
type Styles struct {
	Color bool

	App      lipgloss.Style // the whole screen's margin
	Title    lipgloss.Style // the step's title line
	Step     lipgloss.Style // "step 3 of 6" beside the title
	Text     lipgloss.Style
	Subtle   lipgloss.Style // explanations, hints
	Strong   lipgloss.Style // a value the user chose
	Footer   lipgloss.Style // key hints at the bottom
	Key      lipgloss.Style // a key name in hints and help
	Section  lipgloss.Style // a heading inside a screen
	Error    lipgloss.Style // the error box
	ErrTitle lipgloss.Style
	Warning  lipgloss.Style
	Success  lipgloss.Style

	NoteBox   lipgloss.Style // the security note's box
	NoteTitle lipgloss.Style
	NoteSafe  lipgloss.Style // box of the note for mode none

	HelpBox lipgloss.Style

	DiffAdd    lipgloss.Style
	DiffDel    lipgloss.Style
	DiffHunk   lipgloss.Style
	DiffHeader lipgloss.Style
	DiffCtx    lipgloss.Style

	ChangeAdd    lipgloss.Style // "+" marker of a change summary
	ChangeRemove lipgloss.Style // "-" marker
	ChangeEdit   lipgloss.Style // "~" marker
}

// The palette: ANSI colours, so that the user's terminal theme decides.
var (
	colAccent  = lipgloss.AdaptiveColor{Light: "5", Dark: "13"}
	colSubtle  = lipgloss.AdaptiveColor{Light: "8", Dark: "245"}
	colGreen   = lipgloss.AdaptiveColor{Light: "2", Dark: "10"}
	colRed     = lipgloss.AdaptiveColor{Light: "1", Dark: "9"}
	colCyan    = lipgloss.AdaptiveColor{Light: "6", Dark: "14"}
	colYellow  = lipgloss.AdaptiveColor{Light: "3", Dark: "11"}
	colBorder  = lipgloss.AdaptiveColor{Light: "7", Dark: "8"}
	colWarnBox = lipgloss.AdaptiveColor{Light: "3", Dark: "11"}
)

// NewStyles returns the styles, coloured or plain.
func NewStyles(color bool) Styles {
	s := Styles{
		Color:        color,
		App:          lipgloss.NewStyle().Padding(0, 1),
		Title:        lipgloss.NewStyle().Bold(true),
		Step:         lipgloss.NewStyle(),
		Text:         lipgloss.NewStyle(),
		Subtle:       lipgloss.NewStyle(),
		Strong:       lipgloss.NewStyle().Bold(true),
		Footer:       lipgloss.NewStyle(),
		Key:          lipgloss.NewStyle().Bold(true),
		Section:      lipgloss.NewStyle().Bold(true).Underline(true),
		Error:        lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		ErrTitle:     lipgloss.NewStyle().Bold(true),
		Warning:      lipgloss.NewStyle(),
		Success:      lipgloss.NewStyle().Bold(true),
		NoteBox:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		NoteTitle:    lipgloss.NewStyle().Bold(true),
		NoteSafe:     lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		HelpBox:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		DiffAdd:      lipgloss.NewStyle(),
		DiffDel:      lipgloss.NewStyle(),
		DiffHunk:     lipgloss.NewStyle(),
		DiffHeader:   lipgloss.NewStyle().Bold(true),
		DiffCtx:      lipgloss.NewStyle(),
		ChangeAdd:    lipgloss.NewStyle(),
		ChangeRemove: lipgloss.NewStyle(),
		ChangeEdit:   lipgloss.NewStyle(),
	}
	if !color {
		return s
	}
	s.Title = s.Title.Foreground(colAccent)
	s.Step = s.Step.Foreground(colSubtle)
	s.Subtle = s.Subtle.Foreground(colSubtle)
	s.Footer = s.Footer.Foreground(colSubtle)
	s.Key = s.Key.Foreground(colCyan)
	s.Error = s.Error.BorderForeground(colRed)
	s.ErrTitle = s.ErrTitle.Foreground(colRed)
	s.Warning = s.Warning.Foreground(colYellow)
	s.Success = s.Success.Foreground(colGreen)
	s.NoteBox = s.NoteBox.BorderForeground(colWarnBox)
	s.NoteTitle = s.NoteTitle.Foreground(colYellow)
	s.NoteSafe = s.NoteSafe.BorderForeground(colBorder)
	s.HelpBox = s.HelpBox.BorderForeground(colAccent)
	s.DiffAdd = s.DiffAdd.Foreground(colGreen)
	s.DiffDel = s.DiffDel.Foreground(colRed)
	s.DiffHunk = s.DiffHunk.Foreground(colCyan)
	s.ChangeAdd = s.ChangeAdd.Foreground(colGreen)
	s.ChangeRemove = s.ChangeRemove.Foreground(colRed)
	s.ChangeEdit = s.ChangeEdit.Foreground(colYellow)
	return s
}

// HuhTheme is the theme of the wizard's forms: huh's Charm theme, or for the
// plain variant huh's base theme with its colours taken out (the focused
// option is still marked by "> ").
func HuhTheme(color bool) *huh.Theme {
	if color {
		return huh.ThemeCharm()
	}
	t := huh.ThemeBase()
	t.Focused.Title = t.Focused.Title.Bold(true)
	t.Focused.FocusedButton = lipgloss.NewStyle().Padding(0, 2).MarginRight(1).Reverse(true)
	t.Focused.BlurredButton = lipgloss.NewStyle().Padding(0, 2).MarginRight(1)
	t.Focused.TextInput.Placeholder = lipgloss.NewStyle()
	t.Blurred = t.Focused
	t.Blurred.Base = t.Blurred.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.SelectSelector = lipgloss.NewStyle().SetString("  ")
	t.Blurred.MultiSelectSelector = lipgloss.NewStyle().SetString("  ")
	return t
}
