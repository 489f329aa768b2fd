package dind

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestHalvesParseLikeTheWhole: wherever parseHalves answers, its tree is the
// tree yaml.v3 makes of the whole text, positions included.
func TestHalvesParseLikeTheWhole(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		filepath.Join(corpusDirForHalves(t), "*", "*.yaml"),
		"../testdata/templates/*",
		"../testdata/stacks/*",
	} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	split := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(strings.TrimPrefix(string(src), "\ufeff"))
		got := parseHalves(body)
		if got == nil {
			continue
		}
		split++
		var doc yaml.Node
		if err := yaml.Unmarshal(body, &doc); err != nil {
			t.Errorf("%s: halves parsed but the whole does not: %v", f, err)
			continue
		}
		if diff := sameTree(doc.Content[0], got, "root"); diff != "" {
			t.Errorf("%s: halves differ from the whole: %s", f, diff)
		}
	}
	if split == 0 {
		t.Fatal("no template was parsed in halves")
	}
	t.Logf("%d of %d templates parsed in halves", split, len(files))
}

// TestHalvesDecline: where a line scan cannot be sure of the structure, or
// a cut would land inside a value, the whole text is parsed instead.
func TestHalvesDecline(t *testing.T) {
	pad := strings.Repeat("  Pad%d:\n    Type: AWS::SQS::Queue\n", 1)
	var resources strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&resources, pad, i)
	}
	for name, src := range map[string]string{
		"json":            `{"Resources": {"A": {"Type": "x"}}, "Outputs": {}}`,
		"two documents":   "Resources:\n" + resources.String() + "---\nOther: 1\n",
		"flow resources":  "Resources: {\n" + strings.ReplaceAll(resources.String(), "\n    Type", " {Type") + "}\n",
		"string over cut": "Description: \"a\n" + resources.String() + "  end\"\nResources:\n  A: {Type: x}\n",
		"alias over cut":  "Parameters: &p\n  A: 1\n" + "Resources:\n" + resources.String() + "Outputs: *p\n",
	} {
		t.Run(name, func(t *testing.T) {
			body := []byte(src)
			got := parseHalves(body)
			var doc yaml.Node
			if err := yaml.Unmarshal(body, &doc); err != nil {
				if got != nil {
					t.Fatalf("halves parsed a text the whole refuses (%v)", err)
				}
				return
			}
			if got != nil {
				if diff := sameTree(doc.Content[0], got, "root"); diff != "" {
					t.Fatalf("halves differ from the whole: %s", diff)
				}
			}
		})
	}
}

func corpusDirForHalves(_ *testing.T) string {
	if d := os.Getenv("TCDIND_CORPUS"); d != "" {
		return d
	}
	return "../../shared/corpus"
}

func sameTree(a, b *yaml.Node, path string) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style ||
		a.Line != b.Line || a.Column != b.Column || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: whole %v %q %q L%d C%d (%d children), halves %v %q %q L%d C%d (%d children)",
			path, a.Kind, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// FuzzHalves: for any text, parseHalves either declines or builds the tree
// yaml.v3 builds of the whole text.
func FuzzHalves(f *testing.F) {
	for _, pattern := range []string{"../testdata/templates/*.yaml", filepath.Join(corpusDirForHalves(nil), "*", "teamcity-server@2021*.yaml")} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
				for _, v := range anchorVariants(src) {
					f.Add(v)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := parseHalves(body)
		if got == nil {
			return
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("halves parsed a text the whole refuses (%v)", err)
		}
		if len(doc.Content) == 0 {
			t.Fatal("halves parsed an empty document")
		}
		if diff := sameTree(doc.Content[0], got, "root"); diff != "" {
			t.Fatalf("halves differ from the whole: %s", diff)
		}
	})
}
