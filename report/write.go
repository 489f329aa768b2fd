package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// Write is the one exporter behind every --json: v as indented JSON and
// a newline. HTML characters are not escaped: a reason with < or & stays
// readable.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write the JSON result: %w", err)
	}
	return nil
}

// Finish records how the run ended: its exit status and meaning, and the
// error line when there is one.
func (d *Document) Finish(code int, meaning, errLine string) {
	d.Exit = Exit{Code: code, Meaning: meaning}
	if errLine != "" {
		d.Error = &errLine
	}
}
