package dind_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tcdind/tcdind/dind"
)

// FuzzApply: whatever the input, Apply does not panic. When it returns a
// result, the output parses, nothing outside the edited task definitions
// changed as CloudFormation reads it, and applying the same options again is
// a byte-identical no-op. When it fails, the error is typed (a refusal, a
// parse error, a selection problem or no agent), never an internal error.
func FuzzApply(f *testing.F) {
	var cases []dind.Options
	for _, m := range []dind.Mode{dind.ModeSocket, dind.ModePrivileged, dind.ModeNone} {
		o := dind.DefaultOptions(m)
		o.TaskDefinitions = []string{dind.AllTaskDefinitions}
		cases = append(cases, o, withMinimal(o))
	}
	sudo := dind.DefaultOptions(dind.ModePrivileged)
	sudo.SudoImage = true
	sudo.TaskDefinitions = []string{dind.AllTaskDefinitions}
	cases = append(cases, sudo)

	// Seeds: every fixture, two expected outputs, the newest corpus
	// template; each with every option set. The second argument selects the
	// options, so that one execution costs one Apply (plus the re-apply):
	// minimizing a 30 KB corpus input stays affordable.
	var seeds [][]byte
	ents, err := os.ReadDir(fixtureDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range ents {
		src := readFixture(f, e.Name())
		seeds = append(seeds, src)
		// The same fixtures with anchors, aliases, tags, a merge key, a
		// deeper comment and mixed line endings.
		seeds = append(seeds, dind.AnchorVariants(src)...)
	}
	seeds = append(seeds, aliasBomb())
	for _, s := range craftedSeeds {
		seeds = append(seeds, []byte(s))
	}
	for _, name := range []string{"blog.socket-minimal.yaml", "json-2space.socket-minimal.json"} {
		seeds = append(seeds, readFile(f, filepath.Join("..", "testdata", "expected", name)))
	}
	dir := os.Getenv("TCDIND_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if src, err := os.ReadFile(filepath.Join(dir, "jetbrains", "teamcity-server@2021-01-12-b923207.yaml")); err == nil {
		seeds = append(seeds, src)
	} else if requireCI() {
		f.Fatalf("corpus template missing under CI: %v", err)
	}
	for _, s := range seeds {
		for i := range cases {
			f.Add(s, uint8(i))
		}
	}

	f.Fuzz(func(t *testing.T, src []byte, sel uint8) {
		opts := cases[int(sel)%len(cases)]
		orig := bytes.Clone(src)
		res, err := applyWithin(t, src, opts)
		if !bytes.Equal(src, orig) {
			t.Fatalf("%s: Apply modified its input", opts.Mode)
		}
		if err != nil {
			if res != nil {
				t.Errorf("%s: a result together with the error %v", opts.Mode, err)
			}
			if !isTypedError(err) {
				t.Fatalf("%s minimal=%v: untyped error %v\ninput:\n%q", opts.Mode, opts.Minimal, err, src)
			}
			return
		}
		if res.Changed != !bytes.Equal(res.Output, src) {
			t.Errorf("%s minimal=%v: Changed %v, output equal to input %v", opts.Mode, opts.Minimal, res.Changed, bytes.Equal(res.Output, src))
		}
		in, inErr := decodeForFuzz(src)
		out, err := decodeForFuzz(res.Output)
		if err != nil {
			t.Fatalf("%s minimal=%v: output does not parse: %v\ninput:\n%q\noutput:\n%q", opts.Mode, opts.Minimal, err, src, res.Output)
		}
		if inErr == nil {
			if diff := othersChanged(stripDistinct(withDefaults(in, res.ChangedDefaults), res.Services), stripDistinct(out, res.Services), res.Targets); diff != "" {
				t.Fatalf("%s minimal=%v: %s changed outside the edited task definitions\ninput:\n%q\noutput:\n%q", opts.Mode, opts.Minimal, diff, src, res.Output)
			}
		}
		again, err := applyWithin(t, res.Output, opts)
		if err != nil {
			// The output may grow past MaxTemplateSize; anything else is a bug.
			if len(res.Output) <= dind.MaxTemplateSize {
				t.Fatalf("%s minimal=%v: applying to the output fails: %v\ninput:\n%q\noutput:\n%q", opts.Mode, opts.Minimal, err, src, res.Output)
			}
			return
		}
		if again.Changed || !bytes.Equal(again.Output, res.Output) {
			t.Fatalf("%s minimal=%v: applying again is not a no-op\ninput:\n%q\n%s", opts.Mode, opts.Minimal, src, lineDiff(res.Output, again.Output))
		}
	})
}

// applyWithin fails the test when Apply does not return within a generous
// time (the fuzzer itself never reports a hang).
func applyWithin(t *testing.T, src []byte, opts dind.Options) (*dind.Result, error) {
	t.Helper()
	type result struct {
		res *dind.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := dind.Apply(src, opts)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(applyTimeout):
		t.Fatalf("%s minimal=%v: Apply did not return within %v on input\n%q", opts.Mode, opts.Minimal, applyTimeout, src)
		return nil, nil
	}
}

const applyTimeout = 10 * time.Second

// isTypedError reports the errors Apply promises: everything else (an
// "internal error", say) is a bug, whatever the input.
func isTypedError(err error) bool {
	var re *dind.RefusedError
	var pe *dind.ParseError
	var se *dind.SelectionError
	return errors.As(err, &re) || errors.As(err, &pe) || errors.As(err, &se) || errors.Is(err, dind.ErrNoAgent)
}

// decodeForFuzz reads a template as CloudFormation does (aliases expanded,
// short-form functions in long form); JSON that yaml.v3 cannot read (\/
// escapes) through encoding/json.
func decodeForFuzz(src []byte) (map[string]any, error) {
	m, err := decodeCFN(src)
	if err == nil {
		return m, nil
	}
	body := bytes.TrimPrefix(src, utf8BOM)
	var v map[string]any
	if jerr := json.Unmarshal(body, &v); jerr == nil && v != nil {
		return v, nil
	}
	return nil, err
}

// withDefaults is the reading in with the parameter Defaults an edit
// reports changing set to their new values: exactly those may differ outside
// the edited task definitions.
func withDefaults(in map[string]any, defaults map[string]string) map[string]any {
	if len(defaults) == 0 {
		return in
	}
	params := maps.Clone(asMap(in["Parameters"]))
	if params == nil {
		params = map[string]any{}
	}
	for name, v := range defaults {
		p := maps.Clone(asMap(params[name]))
		if p == nil {
			p = map[string]any{}
		}
		p["Default"] = v
		params[name] = p
	}
	adj := maps.Clone(in)
	adj["Parameters"] = params
	return adj
}

// othersChanged names the first top-level section or resource, other than
// the edited ones, that differs between in and out.
func othersChanged(in, out map[string]any, edited []string) string {
	for k := range mergeKeys(in, out) {
		if k != "Resources" && !reflect.DeepEqual(in[k], out[k]) {
			return k
		}
	}
	rin, rout := asMap(in["Resources"]), asMap(out["Resources"])
	for k := range mergeKeys(rin, rout) {
		if !slices.Contains(edited, k) && !reflect.DeepEqual(rin[k], rout[k]) {
			return "Resources." + k
		}
	}
	return ""
}

func mergeKeys(a, b map[string]any) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// craftedSeeds are templates nobody here wrote: the shapes that broke the
// engine before (see input_test.go).
var craftedSeeds = []string{
	// A user's own distinctInstance on the service of an agent without
	// build directories: the minimal socket recipe removed it on its second
	// run (review2).
	"Resources:\n  Svc:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !Ref Agent\n      PlacementConstraints:\n        - Type: distinctInstance\n  Agent:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent:2025.07\n",
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n          Privileged: &f false\n        - Name: sidecar\n          Image: busybox\n          Privileged: *f\n",
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n          Privileged: &t true\n        - Name: sidecar\n          Image: busybox\n          Privileged: *t\n",
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n          MountPoints: &m\n            - ContainerPath: /x\n              SourceVolume: x\n          Environment: !!seq\n            - Name: A\n              Value: b\n",
	"Common:\n  Mounts: &common\n    - ContainerPath: /data\n      SourceVolume: data\n" + aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n          MountPoints: *common\n",
	"Base: &base\n  Privileged: true\n  Environment:\n    - Name: DOCKER_IN_DOCKER\n      Value: start\n" + aliasAgentHead + "        - <<: *base\n          Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n",
	"Templates:\n  Agent: &agent\n    Name: teamcity-agent\n    Image: jetbrains/teamcity-agent\n" + aliasAgentHead + "        - *agent\n",
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n            # deeper\n  Queue:\n    Type: AWS::SQS::Queue\n",
	aliasAgentHead + "        - Privileged: true\n          Environment:\n            - Name: DOCKER_IN_DOCKER\n              Value: start\n          Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n",
	aliasAgentHead + "        - ? Name\n          : teamcity-agent\n          ? Image\n          : jetbrains/teamcity-agent\n",
	`{"Resources": {"Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "a", "Image": "jetbrains\/teamcity-agent", "Privileged": true}]}}}}`,
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n          Privileged: true\n          Privileged: false\n",
	aliasAgentHead + "        - Name: teamcity-agent\n          Image: jetbrains/teamcity-agent\n---\nResources: {}\n",
	"Resources:\r\n  Agent:\r\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\r\n        - Name: teamcity-agent\r\n          Image: jetbrains/teamcity-agent\n",
	// A tag parameter shared with the server: --sudo-image rewrites the
	// agent's reference in place.
	"Parameters:\n  V:\n    Type: String\n    Default: 2025.07\nResources:\n  Server:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: server\n          Image: !Join [':', ['jetbrains/teamcity-server', !Ref 'V']]\n" + aliasAgentHead[len("Resources:\n"):] + "        - Name: teamcity-agent\n          Image: !Join [':', ['jetbrains/teamcity-agent', !Ref 'V']]\n        - Name: other\n          Image: !Sub 'jetbrains/teamcity-agent:${V}-linux'\n",
	`{"Parameters": {"V": {"Type": "String", "Default": "2025.07"}}, "Resources": {"Agent": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "a", "Image": {"Fn::Join": [":", ["jetbrains/teamcity-agent", {"Ref": "V"}]]}}]}}}, "Outputs": {"V": {"Value": {"Ref": "V"}}}}`,
}

// stripDistinct is doc with every distinctInstance item taken out of the
// PlacementConstraints of services (and the key, when nothing else is in
// it): the one change an edit may make to the services that run an edited
// task definition (Result.Services). doc itself is not changed.
func stripDistinct(doc map[string]any, services []string) map[string]any {
	if len(services) == 0 {
		return doc
	}
	res := maps.Clone(asMap(doc["Resources"]))
	for _, id := range services {
		svc := maps.Clone(asMap(res[id]))
		props := maps.Clone(asMap(svc["Properties"]))
		if props == nil {
			continue
		}
		if pc, ok := props["PlacementConstraints"].([]any); ok {
			var kept []any
			for _, item := range pc {
				if asMap(item)["Type"] != "distinctInstance" {
					kept = append(kept, item)
				}
			}
			if len(kept) == 0 {
				delete(props, "PlacementConstraints")
			} else {
				props["PlacementConstraints"] = kept
			}
		}
		svc["Properties"] = props
		res[id] = svc
	}
	adj := maps.Clone(doc)
	adj["Resources"] = res
	return adj
}
