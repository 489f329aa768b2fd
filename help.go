package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width --help is laid out for: a classic terminal, and
// what a man page and a README quote without wrapping mid-word.
const helpWidth = 80

// flagGroups are the root command's flags as --help lists them: by what
// they are about, the template's and the stack's apart. A flag in no group
// (one added since) is listed under "Other flags", never dropped.
var flagGroups = []struct {
	title string
	names []string
}{
	{"Flags for the change", []string{"mode", "task-definition", "container", "minimal", "build-dirs", "sudo-image", "agent-version", "agent-arch", "health-check"}},
	{"Flags for a template file", []string{"template", "output", "in-place"}},
	{"Flags for a deployed stack", []string{"stack", "apply", "no-execute", "execute", "yes", "allow-other-changes", "on-rollout-failure", "s3-bucket"}},
	{"TeamCity flags (with --stack)", []string{"teamcity-url", "teamcity-token-file", "drain", "drain-timeout", "on-drain-timeout", "teamcity-wait"}},
	{"AWS flags", []string{"region", "profile", "endpoint-url"}},
	{"Flags to look, check or script", []string{"diff", "check", "json", "non-interactive"}},
	{"Flags of the wizard", []string{"accessible", "no-color"}},
}

// groupFlagHelp makes the root command's --help list its flags in groups,
// each line at most helpWidth wide.
func groupFlagHelp(cmd *cobra.Command) {
	cobra.AddTemplateFunc("tcdindGroupedFlags", groupedFlags)
	tmpl := cmd.UsageTemplate()
	const local = "{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}"
	if !strings.Contains(tmpl, local) {
		return // another cobra: its own layout stays
	}
	tmpl = strings.Replace(tmpl, "Flags:\n"+local, "{{tcdindGroupedFlags .}}", 1)
	// Subcommands list the root's --debug and --quiet as global flags:
	// wrapped too, or status --help runs past 80 columns.
	cobra.AddTemplateFunc("tcdindWrappedFlags", func(fs *pflag.FlagSet) string {
		return strings.TrimRight(fs.FlagUsagesWrapped(helpWidth), "\n ")
	})
	tmpl = strings.Replace(tmpl, "{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}", "{{tcdindWrappedFlags .InheritedFlags}}", 1)
	cmd.SetUsageTemplate(tmpl)
}

// groupedFlags is cmd's local flags, a titled section per group. Only the
// root command is grouped: its subcommands keep cobra's list.
func groupedFlags(cmd *cobra.Command) string {
	flags := cmd.LocalFlags()
	if cmd.HasParent() {
		return "Flags:\n" + strings.TrimRight(flags.FlagUsagesWrapped(helpWidth), "\n ")
	}
	seen := map[string]bool{}
	var sections []string
	section := func(title string, fs *pflag.FlagSet) {
		if fs.HasFlags() {
			sections = append(sections, title+":\n"+strings.TrimRight(fs.FlagUsagesWrapped(helpWidth), "\n "))
		}
	}
	for _, g := range flagGroups {
		fs := pflag.NewFlagSet(g.title, pflag.ContinueOnError)
		fs.SortFlags = false
		for _, name := range g.names {
			if f := flags.Lookup(name); f != nil {
				fs.AddFlag(f)
				seen[name] = true
			}
		}
		section(g.title, fs)
	}
	other := pflag.NewFlagSet("other", pflag.ContinueOnError)
	other.SortFlags = false
	flags.VisitAll(func(f *pflag.Flag) {
		if !seen[f.Name] {
			other.AddFlag(f)
		}
	})
	section("Other flags", other)
	return strings.Join(sections, "\n\n")
}
