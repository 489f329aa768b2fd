package dind_test

// Switching a mode off again gives back the template it was switched on
// from, in flow style and JSON too: none after privileged and none after
// socket remove what tcdind added, and a list key tcdind created goes with
// its last item instead of staying behind as [].
//
// The rule (see keepsEmpty in edits.go): a list that tcdind empties loses
// its key too, unless a comment sits in or after it. tcdind cannot tell a
// key it created from a user's "Environment: []" that it filled, since both
// read the same once filled, so a user's empty list without a comment does
// not survive a round trip through a mode that fills it (CloudFormation
// reads an absent and an empty list alike). A commented one does.

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tcdind/tcdind/dind"
)

const rtHead = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AgentTaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
`

const rtImage = `'jetbrains/teamcity-agent:2023.11.1'`

// rtCase is a template in mode none. userEmpty maps the lists the input
// itself holds empty (Environment, MountPoints, Volumes) to the exact text
// that goes when a mode fills that list and none empties it again.
type rtCase struct {
	name      string
	src       string
	userEmpty map[string]string
}

func yamlRoundTripCases() []rtCase {
	flowAgent := func(extra string) string {
		return rtHead + "      ContainerDefinitions:\n        - {Name: teamcity-agent, Image: " + rtImage + ", Essential: true" + extra + "}\n"
	}
	blockAgent := func(lines ...string) string {
		s := rtHead + "      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          Essential: true\n"
		for _, l := range lines {
			s += "          " + l + "\n"
		}
		return s
	}
	return []rtCase{
		// Flow-mapping containers.
		{name: "flow-map", src: flowAgent("")},
		{name: "flow-map-root", src: flowAgent(", User: root")},
		{name: "flow-map-env-item", src: flowAgent(", Environment: [{Name: SERVER_URL, Value: 'http://tc:8111'}]")},
		{name: "flow-map-env-empty", src: flowAgent(", Environment: []"), userEmpty: map[string]string{"Environment": ", Environment: []"}},
		{name: "flow-map-mounts-empty", src: flowAgent(", User: root, MountPoints: [ ]"), userEmpty: map[string]string{"MountPoints": ", MountPoints: [ ]"}},
		{name: "flow-map-padded", src: rtHead + "      ContainerDefinitions:\n        - { Name: teamcity-agent, Image: " + rtImage + ", Essential: true }\n"},
		{name: "flow-map-commented", src: rtHead + "      ContainerDefinitions:\n        - {Name: teamcity-agent, Image: " + rtImage + ", Essential: true}  # the agent\n"},
		{name: "flow-map-multiline", src: rtHead + "      ContainerDefinitions:\n        - {\n            Name: teamcity-agent,\n            Image: " + rtImage + ",\n            Essential: true\n          }\n"},
		{name: "flow-map-multiline-trailing-comma", src: rtHead + "      ContainerDefinitions:\n        - {\n            Name: teamcity-agent,\n            Image: " + rtImage + ",\n            Essential: true,  # yes\n          }\n"},
		{name: "flow-list-of-flow-maps", src: rtHead + "      ContainerDefinitions: [{Name: teamcity-agent, Image: " + rtImage + ", Essential: true}]\n"},
		{name: "flow-properties", src: strings.TrimSuffix(rtHead, "\n") + " {ContainerDefinitions: [{Name: teamcity-agent, Image: " + rtImage + "}]}\n"},
		{name: "flow-properties-volumes-empty", src: strings.TrimSuffix(rtHead, "\n") + " {Volumes: [], ContainerDefinitions: [{Name: teamcity-agent, Image: " + rtImage + ", User: root}]}\n",
			userEmpty: map[string]string{"Volumes": "Volumes: [], "}},
		{name: "flow-containers-no-volumes", src: rtHead + "      Family: agents\n      ContainerDefinitions: [{Name: teamcity-agent, Image: " + rtImage + ", User: root}]\n"},
		// Block containers whose lists are flow lists: new lists are flow too.
		{name: "block-env-item", src: blockAgent("Environment: [{Name: SERVER_URL, Value: 'http://tc:8111'}]")},
		{name: "block-env-item-root", src: blockAgent("User: root", "Environment: [{Name: SERVER_URL, Value: 'http://tc:8111'}]")},
		{name: "block-mounts-item", src: rtHead + "      Volumes: [{Name: conf, Host: {SourcePath: /srv/conf}}]\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          MountPoints: [{ContainerPath: /conf, SourceVolume: conf}]\n"},
		{name: "block-env-empty", src: blockAgent("Environment: []"), userEmpty: map[string]string{"Environment": "          Environment: []\n"}},
		{name: "block-env-empty-spaced", src: blockAgent("Environment: [ ]"), userEmpty: map[string]string{"Environment": "          Environment: [ ]\n"}},
		{name: "block-all-empty", src: rtHead + "      Volumes: []\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          Environment: []\n          MountPoints: []\n",
			userEmpty: map[string]string{"Volumes": "      Volumes: []\n", "Environment": "          Environment: []\n", "MountPoints": "          MountPoints: []\n"}},
		{name: "block-empty-commented", src: rtHead + "      Volumes: []  # none yet\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          Environment: []  # none yet\n          MountPoints: [] # none yet\n"},
		{name: "block-env-item-commented", src: blockAgent("Environment: [{Name: SERVER_URL, Value: 'http://tc:8111'}]  # the server")},
		{name: "block-padded-lists", src: blockAgent("Environment: [ {Name: SERVER_URL, Value: 'http://tc:8111'} ]")},
		// Multi-line flow lists, with and without trailing commas and comments.
		{name: "multiline-trailing-commas", src: rtHead + "      Volumes: [\n        {Name: conf, Host: {SourcePath: /srv/conf}},\n      ]\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          Environment: [\n            {Name: SERVER_URL, Value: 'http://tc:8111'},\n          ]\n          MountPoints: [\n            {ContainerPath: /conf, SourceVolume: conf},\n          ]\n"},
		{name: "multiline-no-trailing-commas", src: rtHead + "      Volumes: [\n        {Name: conf, Host: {SourcePath: /srv/conf}}\n      ]\n      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          Environment: [\n            {Name: SERVER_URL, Value: 'http://tc:8111'}\n          ]\n          MountPoints: [\n            {ContainerPath: /conf, SourceVolume: conf}\n          ]\n"},
		{name: "multiline-comments", src: rtHead + "      Volumes: [  # volumes\n        {Name: conf, Host: {SourcePath: /srv/conf}},  # config\n        # more go here\n      ]\n      ContainerDefinitions:\n        - Name: teamcity-agent  # the agent\n          Image: " + rtImage + "\n          User: root  # for the socket\n          Environment: [\n            {Name: SERVER_URL, Value: 'http://tc:8111'},  # the server\n          ]  # env\n          MountPoints: [\n            {ContainerPath: /conf, SourceVolume: conf}  # config\n            # end\n          ]\n"},
		{name: "multiline-empty-commented", src: rtHead + "      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          User: root\n          Environment: [\n            # {Name: DOCKER_IN_DOCKER, Value: start},\n          ]\n          MountPoints: [\n            # none yet\n          ]\n"},
	}
}

// jsonRoundTripCases: the JSON fixtures as they are (one Environment
// item), without Environment, with an empty one, and with User root.
func jsonRoundTripCases(t *testing.T) []rtCase {
	envRe := regexp.MustCompile(`(?s)"Environment":\s*\[.*?\]`)
	envGone := regexp.MustCompile(`(?s)"Environment":\s*\[.*?\],\s*`)
	essential := regexp.MustCompile(`"Essential":(\s*)true,`)
	var out []rtCase
	for _, f := range []string{"json-compact.json", "json-2space.json", "json-4space.json", "json-tabs.json"} {
		src := string(readFixture(t, f))
		if !envRe.MatchString(src) || !essential.MatchString(src) {
			t.Fatalf("%s: no Environment or Essential as this test expects", f)
		}
		empty := envRe.ReplaceAllString(src, `"Environment": []`)
		if f == "json-compact.json" {
			empty = envRe.ReplaceAllString(src, `"Environment":[]`)
		}
		out = append(out,
			rtCase{name: f, src: src},
			rtCase{name: f + "-no-env", src: envGone.ReplaceAllString(src, "")},
			rtCase{name: f + "-env-empty", src: empty, userEmpty: map[string]string{"Environment": "(json)"}},
			rtCase{name: f + "-root", src: essential.ReplaceAllString(src, `"Essential":${1}true,${1}"User":${1}"root",`)},
		)
	}
	return out
}

// rtChain is a mode switched on and off again; fills lists which lists it
// fills. needsRoot: it adds User: root unless the input has it.
type rtChain struct {
	name      string
	opts      dind.Options
	fills     []string
	needsRoot bool
}

func rtChains() []rtChain {
	priv := dind.DefaultOptions(dind.ModePrivileged)
	socket := dind.DefaultOptions(dind.ModeSocket)
	noDirs := socket
	noDirs.BuildDirs = false
	return []rtChain{
		{"privileged", priv, []string{"Environment", "MountPoints", "Volumes"}, false},
		{"privileged-minimal", withMinimal(priv), nil, false},
		{"socket-minimal", withMinimal(socket), []string{"MountPoints", "Volumes"}, false},
		{"socket-no-build-dirs", noDirs, []string{"MountPoints", "Volumes"}, true},
	}
}

var emptyCollection = regexp.MustCompile(`\[\s*\]|\{\s*\}`)

// TestRoundTripFlow: none after a mode gives back a none-mode template
// byte for byte, whatever its style, except a user's empty list without a
// comment that the mode filled (the documented trade-off).
func TestRoundTripFlow(t *testing.T) {
	cases := append(yamlRoundTripCases(), jsonRoundTripCases(t)...)
	none := dind.DefaultOptions(dind.ModeNone)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatalf("case does not parse: %v\n%s", err, src)
			}
			targets := agentTaskDefs(in)
			if res := mustApply(t, src, none); res.Changed {
				t.Fatalf("the case is not in mode none:\n%s", lineDiff(src, res.Output))
			}
			root := bytes.Contains(src, []byte("User: root")) || regexp.MustCompile(`"User":\s*"root"`).Match(src)
			for _, ch := range rtChains() {
				t.Run(ch.name, func(t *testing.T) {
					on := applyAndCheck(t, ch.name, src, in, ch.opts, targets)
					if on == nil {
						return
					}
					onDoc, _ := decodeCFN(on.Output)
					off := applyAndCheck(t, ch.name+"→none", on.Output, onDoc, none, targets)
					if off == nil {
						return
					}
					if ch.needsRoot && !root {
						checkNoNewEmpty(t, src, off.Output)
						return
					}
					want := c.src
					for _, key := range ch.fills {
						if text, ok := c.userEmpty[key]; ok {
							want = dropEmpty(t, want, key, text)
						}
					}
					if string(off.Output) != want {
						t.Errorf("%s then none does not give back the input:\ninput:\n%s\n%s:\n%s\nnone:\n%s\ndiff (want → got):\n%s", ch.name, src, ch.name, on.Output, off.Output, lineDiff([]byte(want), off.Output))
					}
				})
			}
			// With the build directories, none leaves them (and User: root):
			// no list may be left empty, and the result round-trips in turn.
			t.Run("socket-build-dirs", func(t *testing.T) {
				on := mustApply(t, src, dind.DefaultOptions(dind.ModeSocket))
				off := mustApply(t, on.Output, none)
				checkNoNewEmpty(t, src, off.Output)
				priv := mustApply(t, off.Output, dind.DefaultOptions(dind.ModePrivileged))
				want := string(off.Output)
				if text, ok := c.userEmpty["Environment"]; ok {
					want = dropEmpty(t, want, "Environment", text)
				}
				if back := mustApply(t, priv.Output, none); string(back.Output) != want {
					t.Errorf("privileged then none after socket then none:\n%s", lineDiff([]byte(want), back.Output))
				}
			})
		})
	}
}

// dropEmpty is want without the user's empty list key: text, or in JSON the
// key with the comma that separates it from its neighbour.
func dropEmpty(t *testing.T, want, key, text string) string {
	t.Helper()
	if text == "(json)" {
		re := regexp.MustCompile(`"` + key + `":\s*\[\],\s*`)
		if !re.MatchString(want) {
			t.Fatalf("no empty %s in the JSON case", key)
		}
		return re.ReplaceAllString(want, "")
	}
	if strings.Count(want, text) != 1 {
		t.Fatalf("%q is not once in the case", text)
	}
	return strings.Replace(want, text, "", 1)
}

// checkNoNewEmpty: none leaves no empty list or mapping the input did not
// have.
func checkNoNewEmpty(t *testing.T, src, out []byte) {
	t.Helper()
	if got, had := len(emptyCollection.FindAll(out, -1)), len(emptyCollection.FindAll(src, -1)); got > had {
		t.Errorf("none left %d empty collections, the input had %d:\n%s", got, had, lineDiff(src, out))
	}
}

// TestNoneEmptiesFlowLists: none on a template the user switched on by
// hand. A list with a comment of its own stays, emptied, with the comment;
// a list without one goes with its key. What is left always parses.
func TestNoneEmptiesFlowLists(t *testing.T) {
	block := rtHead + "      ContainerDefinitions:\n        - Name: teamcity-agent\n          Image: " + rtImage + "\n          Privileged: true\n"
	tests := []struct{ name, src, want string }{
		{"commented-after",
			block + "          Environment: [{Name: DOCKER_IN_DOCKER, Value: start}]  # dind\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment: []  # dind\n"},
		{"commented-trailing-comma",
			block + "          Environment: [{Name: DOCKER_IN_DOCKER, Value: start}, ]  # dind\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment: [ ]  # dind\n"},
		{"uncommented",
			block + "          Environment: [{Name: DOCKER_IN_DOCKER, Value: start}]\n          Memory: 2048\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Memory: 2048\n"},
		{"multiline-comment-line",
			block + "          Environment: [\n            {Name: DOCKER_IN_DOCKER, Value: start},  # dind\n            # {Name: OTHER, Value: x},\n          ]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment: [\n            # {Name: OTHER, Value: x},\n          ]\n"},
		{"multiline-item-comment-only",
			block + "          Environment: [\n            {Name: DOCKER_IN_DOCKER, Value: start},  # dind\n          ]\n          Memory: 2048\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Memory: 2048\n"},
		{"multiline-bracket-comment",
			block + "          Environment: [  # env\n            {Name: DOCKER_IN_DOCKER, Value: start}\n          ]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment: [  # env\n          ]\n"},
		{"multiline-closing-on-item-line",
			block + "          Environment: [  # env\n            {Name: DOCKER_IN_DOCKER, Value: start}]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment: [  # env\n            ]\n"},
		{"comment-between-key-and-list",
			block + "          Environment:  # env\n            [{Name: DOCKER_IN_DOCKER, Value: start}]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1) + "          Environment:  # env\n            []\n"},
		{"flow-map-commented-list",
			rtHead + "      ContainerDefinitions:\n        - {\n            Name: teamcity-agent,\n            Privileged: true,\n            Environment: [{Name: DOCKER_IN_DOCKER, Value: start}],  # dind\n            Image: " + rtImage + "\n          }\n",
			rtHead + "      ContainerDefinitions:\n        - {\n            Name: teamcity-agent,\n            Environment: [],  # dind\n            Image: " + rtImage + "\n          }\n"},
		{"flow-map-commented-container",
			rtHead + "      ContainerDefinitions:\n        - {Name: teamcity-agent, Privileged: true, Environment: [{Name: DOCKER_IN_DOCKER, Value: start}], Image: " + rtImage + "}  # agent\n",
			rtHead + "      ContainerDefinitions:\n        - {Name: teamcity-agent, Image: " + rtImage + "}  # agent\n"},
		{"single-quoted-hash-is-no-comment",
			block + "          Environment: [{Name: DOCKER_IN_DOCKER, Value: 'start #1'}]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1)},
		{"double-quoted-hash-is-no-comment",
			block + "          Environment: [{Name: DOCKER_IN_DOCKER, Value: \"start #2\"}]\n",
			strings.Replace(block, "          Privileged: true\n", "", 1)},
	}
	none := dind.DefaultOptions(dind.ModeNone)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			in, err := decodeCFN(src)
			if err != nil {
				t.Fatalf("case does not parse: %v", err)
			}
			res := applyAndCheck(t, "none", src, in, none, agentTaskDefs(in))
			if res == nil {
				return
			}
			if string(res.Output) != tc.want {
				t.Errorf("none:\n%s\nwant:\n%s\ndiff:\n%s", res.Output, tc.want, lineDiff([]byte(tc.want), res.Output))
			}
		})
	}
}

// FuzzRoundTrip: on a template in mode none that mentions nothing of
// Docker, holds no empty list and no privileged key, privileged (complete)
// or socket (minimal) followed by none gives back the input byte for byte;
// socket (complete) followed by none leaves nothing of the recipe outside
// the agent task definitions (the distinctInstance of their services goes).
func FuzzRoundTrip(f *testing.F) {
	for _, c := range yamlRoundTripCases() {
		f.Add([]byte(c.src), uint8(0))
		f.Add([]byte(c.src), uint8(1))
	}
	for _, name := range []string{"flow.yaml", "if-flow.yaml", "block-with-flow-lists.yaml", "roundtrip-flow-created.yaml", "json-compact.json", "json-tabs.json", "unicode-flow.yaml", "blog.yaml"} {
		f.Add(readFixture(f, name), uint8(0))
		f.Add(readFixture(f, name), uint8(1))
	}
	// Services that run the agent: the complete socket recipe adds
	// distinctInstance to them, and none takes exactly that away again.
	for _, c := range distinctCases {
		f.Add([]byte(distinctTemplate(c.service)), uint8(0))
		f.Add([]byte(distinctTemplate(c.service)), uint8(2))
	}
	modes := []dind.Options{dind.DefaultOptions(dind.ModePrivileged), withMinimal(dind.DefaultOptions(dind.ModeSocket)), dind.DefaultOptions(dind.ModeSocket)}
	none := dind.DefaultOptions(dind.ModeNone)
	none.TaskDefinitions = []string{dind.AllTaskDefinitions}
	f.Fuzz(func(t *testing.T, src []byte, sel uint8) {
		if len(src) > 1<<16 || emptyCollection.Match(src) || hasNullList(src) || bytes.Contains(bytes.ToLower(src), []byte("docker")) || bytes.Contains(bytes.ToLower(src), []byte("privileged")) {
			return
		}
		opts := modes[int(sel)%len(modes)]
		opts.TaskDefinitions = []string{dind.AllTaskDefinitions}
		if res, err := dind.Apply(src, none); err != nil || res.Changed {
			return
		}
		on, err := dind.Apply(src, opts)
		if err != nil || !on.Changed {
			return
		}
		off, err := dind.Apply(on.Output, none)
		if err != nil {
			t.Fatalf("%s then none: %v\ninput:\n%q\n%s:\n%q", opts.Mode, err, src, opts.Mode, on.Output)
		}
		if !opts.Minimal && opts.Mode == dind.ModeSocket {
			// The complete socket recipe leaves User and the build
			// directories (none keeps them); outside the agent task
			// definitions, the services included, nothing is left of it.
			in, err := decodeCFN(src)
			if err != nil {
				return // CloudFormation would not read it either
			}
			out, err := decodeCFN(off.Output)
			if err != nil {
				t.Fatalf("socket then none: does not parse: %v\ninput:\n%q\nnone:\n%q", err, src, off.Output)
			}
			if diff := othersChanged(in, out, off.Targets); diff != "" {
				t.Fatalf("socket then none: %s is not as it was\ninput:\n%q\nsocket:\n%q\nnone:\n%q", diff, src, on.Output, off.Output)
			}
			if bytes.Count(off.Output, []byte("distinctInstance")) != bytes.Count(src, []byte("distinctInstance")) {
				t.Fatalf("socket then none: a distinctInstance is left or gone\ninput:\n%q\nnone:\n%q", src, off.Output)
			}
			return
		}
		if !bytes.Equal(off.Output, src) {
			t.Fatalf("%s then none does not give back the input:\ninput:\n%q\n%s:\n%q\nnone:\n%q", opts.Mode, src, opts.Mode, on.Output, off.Output)
		}
	})
}

// hasNullList reports a list key the recipes fill written with no value
// ("MountPoints:" and nothing under it, or a bare "MountPoints," in a flow
// mapping): like an empty list, it reads the same as a key tcdind created
// once filled, so it does not survive a round trip (see keepsEmpty in
// edits.go). It walks the node tree, not a decoded value, so that a mapping
// Go cannot decode (a flow list as a key) is still seen.
func hasNullList(src []byte) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return false
	}
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n == nil {
			return false
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch k.Value {
				case "Environment", "MountPoints", "Volumes", "PlacementConstraints":
					if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
						return true
					}
				}
			}
		}
		if n.Kind == yaml.AliasNode {
			return false // the anchored node is walked where it stands
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(&doc)
}
