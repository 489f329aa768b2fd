package rollout

import (
	"encoding/json"
	"errors"
	"slices"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// errNoNames is a task definition read back without container names: not
// something ECS answers (Name is required), so nothing can be told from it.
var errNoNames = errors.New("the answer names no container")

// containerModes reads the mode of the agent containers of a registered
// task definition with the engine's own rules, by writing it back as the
// template resource it came from: names are the containers to read (the
// agent rule finds them when none of these is there).
func containerModes(td *awsclient.TaskDefinition, names []string) (map[string]dind.Mode, error) {
	type mount struct {
		SourceVolume  string `json:"SourceVolume,omitempty"`
		ContainerPath string `json:"ContainerPath,omitempty"`
	}
	type container struct {
		Name        string  `json:"Name"`
		Image       string  `json:"Image"`
		Privileged  *bool   `json:"Privileged,omitempty"`
		MountPoints []mount `json:"MountPoints,omitempty"`
	}
	type host struct {
		SourcePath string `json:"SourcePath"`
	}
	type volume struct {
		Name string `json:"Name"`
		Host *host  `json:"Host,omitempty"`
	}
	var props struct {
		ContainerDefinitions []container `json:"ContainerDefinitions"`
		Volumes              []volume    `json:"Volumes,omitempty"`
	}
	has := map[string]bool{}
	for _, c := range td.Containers {
		if c.Name == "" {
			return nil, errNoNames
		}
		has[c.Name] = true
		out := container{Name: c.Name, Image: c.Image, Privileged: c.Privileged}
		for _, m := range c.MountPoints {
			out.MountPoints = append(out.MountPoints, mount(m))
		}
		props.ContainerDefinitions = append(props.ContainerDefinitions, out)
	}
	if len(td.Containers) == 0 {
		return nil, errNoNames
	}
	for _, v := range td.Volumes {
		out := volume{Name: v.Name}
		if v.HostPath != "" {
			out.Host = &host{SourcePath: v.HostPath}
		}
		props.Volumes = append(props.Volumes, out)
	}
	src, err := json.Marshal(map[string]any{"Resources": map[string]any{
		"TaskDefinition": map[string]any{"Type": "AWS::ECS::TaskDefinition", "Properties": props},
	}})
	if err != nil {
		return nil, err
	}
	tmpl, err := dind.Parse(src)
	if err != nil {
		return nil, err
	}
	named := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !has[n] })
	if len(named) > 0 {
		if tmpl, err = tmpl.WithContainers(named); err != nil {
			return nil, err
		}
	}
	modes := map[string]dind.Mode{}
	for _, a := range tmpl.Agents() {
		for _, c := range a.Containers {
			modes[c.Name] = c.Mode
		}
	}
	return modes, nil
}
