package main

import (
	"github.com/spf13/cobra"

	"github.com/tcdind/tcdind/buildinfo"
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
	registerFlagCompletions(root)
}

// registerFlagCompletions completes the values of the flags that exist; a
// flag another change has not added yet is skipped.
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
		"template":        files("yaml", "yml", "json", "template"),
		"mode":            fixed("socket", "privileged", "none"),
		"task-definition": noFiles,
		"container":       noFiles,
		"stack":           noFiles,
		"s3-bucket":       noFiles,
		"profile":         noFiles,
		"region":          noFiles,
		"endpoint-url":    noFiles,
	} {
		if root.Flags().Lookup(name) != nil {
			_ = root.RegisterFlagCompletionFunc(name, fn)
		}
	}
}
