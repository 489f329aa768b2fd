package batch

import (
	"fmt"
	"io"

	"github.com/tcdind/tcdind/agenthosts"
	"github.com/tcdind/tcdind/render"
)

// printHosts prints what the agents' hosts are ("hosts: 2 × Amazon Linux
// 2023, x86_64, Docker 25.0.8, privileged allowed (cluster C)") and the
// warnings they give, cluster by cluster; the judgement is agenthosts'.
func printHosts(w io.Writer, j agenthosts.Judgement) {
	for _, n := range j.Notes {
		fmt.Fprintln(w, render.WarningLine(n))
	}
	for _, c := range j.Clusters {
		if c.Line != "" {
			fmt.Fprintf(w, "hosts: %s\n", c.Line)
		}
		for _, warn := range c.Warnings {
			fmt.Fprintln(w, render.WarningLine(warn))
		}
	}
}
