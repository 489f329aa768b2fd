package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new" {
		t.Errorf("content %q, want new", got)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestWriteNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.yaml")
	if err := Write(path, []byte("x")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o600 != 0o600 {
		t.Fatalf("new file: %v %v", info, err)
	}
}

func TestWriteFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.yaml")
	link := filepath.Join(dir, "link.yaml")
	os.WriteFile(target, []byte("old"), 0o644)
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here")
	}
	if err := Write(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Errorf("target %q, want new", got)
	}
}

func TestWriteDevice(t *testing.T) {
	if err := Write(os.DevNull, []byte("x")); err != nil {
		t.Fatalf("write to %s: %v", os.DevNull, err)
	}
}

func TestWriteRefusesDirectoryAndMissingDir(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, []byte("x")); err == nil {
		t.Error("writing over a directory succeeded")
	} else if want := "write " + dir + ": it is a directory: name a file in it"; err.Error() != want {
		// The one line says what to do, as the wizard's "give a file name".
		t.Errorf("got %q, want %q", err, want)
	}
	if err := Write(filepath.Join(dir, "no", "such", "t.yaml"), []byte("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

// A missing directory is named, never the temporary file tcdind would
// have made in it.
func TestWriteMissingDirectoryNamesIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nonexistent", "dir")
	err := Write(filepath.Join(dir, "x.yaml"), []byte("a: 1\n"))
	if err == nil {
		t.Fatal("wrote into a missing directory")
	}
	want := "write " + filepath.Join(dir, "x.yaml") + ": directory " + dir + " does not exist: create it, or pass a path in a directory that exists"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if strings.Contains(err.Error(), ".tcdind-") {
		t.Errorf("the error names the temporary file: %v", err)
	}
}
