package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/buildinfo"
	"github.com/tcdind/tcdind/exitcode"
	"github.com/tcdind/tcdind/wizard"
)

// addMetaCommands gives the root command what every installed command line
// tool has: --version, `completion bash|zsh|fish|powershell` (cobra's own),
// `man`, and completion of flag values.
func addMetaCommands(root *cobra.Command) {
	// Any non-empty Version gives the command its --version flag; the text
	// is read from the build info only when --version asks for it.
	root.Version = "see --version"
	cobra.AddTemplateFunc("tcdindVersion", buildinfo.String)
	root.SetVersionTemplate("{{tcdindVersion}}\n")
	root.AddCommand(newManCommand())
	strictCompletion(root)
	registerFlagCompletions(root)
}

// completionShells are the shells cobra's completion command writes for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// strictCompletion makes `completion` with no shell or an unknown one a
// usage error (exit 2): cobra's own prints its help and exits 0, which a
// script piping it into a file takes for a completion script.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.UsageError("completion %q: tcdind completes bash, zsh, fish or powershell", args[0])
			}
			return nil
		}
		c.RunE = func(*cobra.Command, []string) error {
			return exitcode.UsageError("completion needs a shell: tcdind completion bash|zsh|fish|powershell")
		}
	}
}

// registerFlagCompletions completes the values of the flags that exist; a
// flag another change has not added yet is skipped. --stack is not
// completed: listing stacks calls AWS on every tab (credentials that run a
// process or want MFA, a slow or unreachable endpoint, the region perhaps
// not typed yet), too much for a completion.
func registerFlagCompletions(root *cobra.Command) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	files := func(exts ...string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return exts, cobra.ShellCompDirectiveFilterFileExt
		}
	}
	noFiles := cobra.CompletionFunc(cobra.NoFileCompletions)
	for name, fn := range map[string]cobra.CompletionFunc{
		"template":           files("yaml", "yml", "json", "template"),
		"mode":               fixed("socket", "privileged", "none"),
		"task-definition":    noFiles,
		"container":          noFiles,
		"stack":              noFiles,
		"s3-bucket":          noFiles,
		"profile":            completeProfiles,
		"region":             completeRegions,
		"endpoint-url":       noFiles,
		"on-rollout-failure": fixed("wait", "cancel"),
		"agent-arch":         fixed("x86_64", "arm64"),
		"agent-version":      noFiles,
		"execute":            noFiles,
		"teamcity-url":       noFiles,
		"teamcity-token-file": func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault // any file
		},
		"drain-timeout":    fixed("15m", "30m", "1h", "2h"),
		"on-drain-timeout": fixed("stop", "execute"),
		"teamcity-wait":    fixed("5m", "10m", "20m"),
	} {
		if root.Flags().Lookup(name) != nil {
			_ = root.RegisterFlagCompletionFunc(name, fn)
		}
	}
}

// completeRegions completes --region with the SDK's regions and their
// names.
func completeRegions(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, r := range wizard.Regions() {
		if strings.HasPrefix(r[0], prefix) {
			out = append(out, cobra.CompletionWithDesc(r[0], r[1]))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeProfiles completes --profile with the profiles of the shared
// config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE
// or ~/.aws), read as text: no AWS call, no credential is loaded.
func completeProfiles(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, p := range sharedProfiles() {
		if strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// sharedProfiles are the profile names of the shared config files, sorted.
func sharedProfiles() []string {
	home, _ := os.UserHomeDir()
	configFile := os.Getenv("AWS_CONFIG_FILE")
	if configFile == "" && home != "" {
		configFile = filepath.Join(home, ".aws", "config")
	}
	credsFile := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credsFile == "" && home != "" {
		credsFile = filepath.Join(home, ".aws", "credentials")
	}
	var names []string
	// In the config file a profile's section is [profile NAME] (but
	// [default]); in the credentials file it is [NAME].
	names = append(names, iniSections(configFile, true)...)
	names = append(names, iniSections(credsFile, false)...)
	slices.Sort(names)
	return slices.Compact(names)
}

// iniSections are the profile names of path's sections.
func iniSections(path string, config bool) []string {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "[") || !strings.HasSuffix(line, "]") {
			continue
		}
		name := strings.TrimSpace(line[1 : len(line)-1])
		if config && name != "default" {
			rest, ok := strings.CutPrefix(name, "profile ")
			if !ok {
				continue // [sso-session x], [services y]
			}
			name = strings.TrimSpace(rest)
		}
		if name != "" {
			names = append(names, name)
		}
	}
	return names
}
