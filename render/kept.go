package render

import "fmt"

// KeptChangeSet says that a change set was created and kept (--apply
// --no-execute), and how it is reviewed and executed.
func KeptChangeSet(name, arn, consoleURL, awsCommand, tcdindCommand, deleteCommand string) string {
	return fmt.Sprintf(`kept change set %s (not executed): %s
  review it in the console: %s
  execute it: %s
  or execute, follow and verify it with tcdind: %s
  it is executed only while the stack stays as it is now; delete it with %s`,
		name, arn, consoleURL, awsCommand, tcdindCommand, deleteCommand)
}
