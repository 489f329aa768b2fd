package iostreams

import (
	"os"
	"testing"
)

func TestTestStreams(t *testing.T) {
	ios, in, out, _ := Test()
	if ios.CanPrompt() {
		t.Error("test streams prompt without a terminal set")
	}
	ios.SetStdinTTY(true)
	if ios.CanPrompt() {
		t.Error("prompts with only standard input a terminal")
	}
	ios.SetStdoutTTY(true)
	if !ios.CanPrompt() {
		t.Error("does not prompt with both set")
	}
	in.WriteString("x")
	ios.Out.Write([]byte("y"))
	if out.String() != "y" || ios.In != in {
		t.Error("the buffers are not the streams")
	}
}

// A file that is no terminal (a pipe) never prompts.
func TestPipeIsNoTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ios := &IOStreams{In: r, Out: w, ErrOut: w}
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.CanPrompt() {
		t.Error("a pipe is taken for a terminal")
	}
}
