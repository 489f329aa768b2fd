package main

import (
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/buildinfo"
	"github.com/tcdind/tcdind/exitcode"
)

// newManCommand is `tcdind man`: the manual page, generated from the command
// itself so that it never drifts from --help (scripts/manpage.sh ships it).
func newManCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Print the manual page (roff) to standard output",
		Long: `Print tcdind's manual page, in roff, to standard output.

  tcdind man | man -l -                 read it now
  tcdind man > /usr/local/share/man/man1/tcdind.1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.UsageError("man takes no argument: tcdind man | man -l -")
			}
			return nil
		},
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := manPage(cmd.Root())
			if err != nil {
				return err
			}
			_, err = io.WriteString(cmd.OutOrStdout(), page)
			return err
		},
	}
}

// manPage renders root as a section 1 manual page.
func manPage(root *cobra.Command) (string, error) {
	m, err := mcobra.NewManPage(1, root)
	if err != nil {
		return "", err
	}
	m = m.WithLongDescription(reflow(root.Long)).
		WithSection("Exit status", "EXITSTATUS").
		WithSection("Environment", manEnvironment).
		WithSection("See also", "docker(1), cfn-lint(1), aws(1)\n"+
			"JetBrains, TeamCity agent image: https://hub.docker.com/r/jetbrains/teamcity-agent")
	page := m.Build(roff.NewDocument())
	page = replaceSection(page, "SYNOPSIS", manSynopsis)
	page = replaceSection(page, "EXAMPLES", examplesSection(root.Example))
	page = replaceSection(page, "EXIT STATUS", exitStatusSection())
	return retitle(page, manDate()), nil
}

// manSynopsis is the page's synopsis: mango writes "[argument...]", and
// tcdind takes none.
const manSynopsis = `\fBtcdind\fP [\fIoptions\fP]
.br
\fBtcdind\fP \fB--template\fP \fIFILE\fP|\fIURL\fP|\fB-\fP \fB--mode\fP \fIMODE\fP [\fB--output\fP \fIPATH\fP|\fB--in-place\fP|\fB--diff\fP|\fB--check\fP] [\fIoptions\fP]
.br
\fBtcdind\fP \fB--stack\fP \fINAME\fP [\fB--region\fP \fIREGION\fP] [\fB--mode\fP \fIMODE\fP] [\fB--apply\fP [\fB--yes\fP|\fB--no-execute\fP]|\fB--execute\fP \fICHANGESET\fP|\fB--output\fP \fIPATH\fP|\fB--diff\fP|\fB--check\fP] [\fIoptions\fP]
.br
\fBtcdind status\fP [\fB--region\fP \fIREGION\fP,...|\fB--all-regions\fP] [\fB--profile\fP \fIPROFILE\fP,...] [\fB--want\fP \fIMODE\fP] [\fB--json\fP]
.br
\fBtcdind man\fP
.br
\fBtcdind completion\fP \fBbash\fP|\fBzsh\fP|\fBfish\fP|\fBpowershell\fP`

// replaceSection replaces the body of the page's section title with body.
func replaceSection(page, title, body string) string {
	head := ".SH " + title + "\n"
	i := strings.Index(page, head)
	if i < 0 {
		return page
	}
	start := i + len(head)
	end := strings.Index(page[start:], "\n.SH ")
	if end < 0 {
		return page
	}
	return page[:start] + body + page[start+end:]
}

// manExitStatus is the contract of --help's "Exit status" (and cli.md), one
// tagged paragraph per status.
var manExitStatus = []struct{ code, meaning string }{
	{"0", "done, also when there was nothing to change"},
	{"1", "failure: a bad or refused template, an AWS error, a rollback, \"no\" at the question, or ECS shows otherwise after UPDATE_COMPLETE"},
	{"2", "usage: an unknown or missing flag, a bad value, an unknown profile or shell, an ambiguous task definition, --apply without --yes and no terminal"},
	{"3", "--check found that a change is needed"},
	{"4", "not known yet: the update goes on in AWS, or a change set may remain; the message names the command that tells"},
	{"128+n", "interrupted by signal n: 130 SIGINT (ctrl+c), 143 SIGTERM, 129 SIGHUP; nothing was written and no change set is left behind (checked)"},
}

// exitStatusSection is manExitStatus in roff.
func exitStatusSection() string {
	var b strings.Builder
	for _, e := range manExitStatus {
		b.WriteString(".TP\n.B " + roffText(e.code) + "\n" + roffText(e.meaning) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// examplesSection is the command's examples as a no-fill block: man
// neither joins, breaks nor hyphenates them, and \- keeps each - an ASCII
// hyphen-minus, so a line copied from the page runs.
func examplesSection(example string) string {
	var b strings.Builder
	b.WriteString(".nf\n.RS 2\n")
	// Cobra's examples are indented by two spaces for --help; the
	// page's indent replaces those, and a continued line keeps the rest.
	for _, line := range strings.Split(strings.TrimRight(example, "\n"), "\n") {
		b.WriteString(roffText(strings.TrimRight(strings.TrimPrefix(line, "  "), " ")) + "\n")
	}
	b.WriteString(".RE\n.fi")
	return b.String()
}

// roffText escapes text for a roff line: backslashes, hyphen-minus (a
// plain - may print as a hyphen, which a shell does not take), and a
// leading control character.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

const manEnvironment = `AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL: the same as --region, --profile, --endpoint-url
ACCESSIBLE=1: the same as --accessible
NO_COLOR: the same as --no-color
SOURCE_DATE_EPOCH: the date printed in this page by tcdind man`

// reflow joins the lines of each paragraph of text wrapped for the terminal,
// so that man wraps them to its own width; indented lines (tables, examples)
// stay lines of their own.
func reflow(text string) string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var cur []string
		flush := func() {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
		}
		for _, line := range strings.Split(para, "\n") {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				flush()
				out = append(out, line)
				continue
			}
			cur = append(cur, strings.TrimSpace(line))
		}
		flush()
	}
	return strings.Join(out, "\n")
}

// retitle replaces mango's title line so that the page carries the version
// and a reproducible date: .TH TCDIND 1 "DATE" "tcdind VERSION" "User Commands".
func retitle(page string, date time.Time) string {
	th := `.TH TCDIND 1 "` + date.Format(time.DateOnly) + `" "tcdind ` + buildinfo.Version() + `" "User Commands"`
	// .nh: no hyphenation anywhere, so that a flag or value copied from
	// the page (--on-rollout-failure) has no hyphen man added.
	th += "\n.nh"
	if i := strings.Index(page, "\n"); i >= 0 && strings.HasPrefix(page, ".TH ") {
		return th + page[i:]
	}
	return th + "\n" + page
}

// manDate is the build date when known, else SOURCE_DATE_EPOCH (the
// reproducible-builds convention, set by scripts/manpage.sh), else today.
func manDate() time.Time {
	if t, ok := buildinfo.Get().Time(); ok {
		return t
	}
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return time.Unix(s, 0).UTC()
	}
	return time.Now().UTC()
}
