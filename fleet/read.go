package fleet

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/changeset"
)

// Client is what status reads of one profile in one region.
type Client interface {
	Region() string
	ListStacks(ctx context.Context) ([]awsclient.StackSummary, error)
	StackResources(ctx context.Context, stack string) ([]awsclient.StackResource, error)
	GetTemplate(ctx context.Context, stack string) ([]byte, error)
	DescribeStack(ctx context.Context, stack string) (*awsclient.Stack, error)
	DescribeServices(ctx context.Context, cluster string, services []string) ([]awsclient.Service, error)
	EnabledRegions(ctx context.Context) ([]string, error)
}

// DefaultConcurrency bounds the stacks read at once, over every region
// and profile: CloudFormation's read calls share an account's request
// rate, and the SDK's retryer takes the throttling that remains.
const DefaultConcurrency = 8

// Reader reads the agents of every stack of some profiles and regions.
type Reader struct {
	// NewClient makes the client of profile ("" for the default chain) in
	// region ("" for the profile's own).
	NewClient func(ctx context.Context, profile, region string) (Client, error)
	Profiles  []string // none: the default chain
	Regions   []string // none and not AllRegions: the profile's region
	// AllRegions reads every region the account has enabled.
	AllRegions  bool
	Concurrency int
	// Progress, when set, is told of each stack read (done of total so
	// far); it is called from one goroutine at a time.
	Progress func(done, total int)
	// Version is tcdind's, for the document.
	Version string
}

// place is one profile in one region.
type place struct {
	profile, region string
	client          Client
}

// Read reads everything; what cannot be read becomes a note.
func (r *Reader) Read(ctx context.Context) *Status {
	st := Empty(r.Version)
	profiles := r.Profiles
	if len(profiles) == 0 {
		profiles = []string{""}
	}
	counter := &calls{n: st.Calls}
	var places []place
	regionSeen := map[string]bool{}
	for _, p := range profiles {
		if p != "" {
			st.Profiles = append(st.Profiles, p)
		}
		regions, client, note := r.regions(ctx, p, counter)
		if note != nil {
			st.Notes = append(st.Notes, *note)
		}
		for _, reg := range regions {
			if !regionSeen[reg] {
				regionSeen[reg] = true
				st.Regions = append(st.Regions, reg)
			}
			c := client
			if c == nil || c.Region() != reg {
				var err error
				if c, err = r.NewClient(ctx, p, reg); err != nil {
					st.Notes = append(st.Notes, Note{Profile: p, Region: reg, Text: oneLine(err)})
					continue
				}
			}
			places = append(places, place{profile: p, region: reg, client: counter.wrap(c)})
		}
	}
	sort.Strings(st.Regions)

	var mu sync.Mutex
	parents := &nesting{parent: map[string]string{}}
	sem := make(chan struct{}, r.concurrency())
	var wg sync.WaitGroup
	done, total := 0, 0
	progress := func(addTotal, addDone int) {
		mu.Lock()
		defer mu.Unlock()
		total += addTotal
		done += addDone
		if r.Progress != nil {
			r.Progress(done, total)
		}
	}
	for _, pl := range places {
		wg.Add(1)
		go func(pl place) {
			defer wg.Done()
			sem <- struct{}{}
			stacks, err := pl.client.ListStacks(ctx)
			<-sem
			if err != nil {
				mu.Lock()
				st.Notes = append(st.Notes, Note{Profile: pl.profile, Region: pl.region, Text: regionNote(err)})
				mu.Unlock()
				return
			}
			progress(len(stacks), 0)
			mu.Lock()
			st.Scanned += len(stacks)
			mu.Unlock()
			var swg sync.WaitGroup
			for _, sum := range stacks {
				swg.Add(1)
				go func(sum awsclient.StackSummary) {
					defer swg.Done()
					sem <- struct{}{}
					defer func() { <-sem }()
					s, note := readStack(ctx, pl, sum, parents)
					mu.Lock()
					if s != nil {
						st.Stacks = append(st.Stacks, *s)
					}
					if note != nil {
						st.Notes = append(st.Notes, *note)
					}
					mu.Unlock()
					progress(0, 1)
				}(sum)
			}
			swg.Wait()
		}(pl)
	}
	wg.Wait()
	parents.fill(st)
	sortStatus(st)
	return st
}

func (r *Reader) concurrency() int {
	if r.Concurrency > 0 {
		return r.Concurrency
	}
	return DefaultConcurrency
}

// regions are the regions to read for profile, and the client made on the
// way (to ask EC2 for the enabled regions), if any.
func (r *Reader) regions(ctx context.Context, profile string, counter *calls) ([]string, Client, *Note) {
	if !r.AllRegions {
		if len(r.Regions) > 0 {
			return r.Regions, nil, nil
		}
		c, err := r.NewClient(ctx, profile, "")
		if err != nil {
			return nil, nil, &Note{Profile: profile, Text: oneLine(err)}
		}
		return []string{c.Region()}, c, nil
	}
	from := ""
	if len(r.Regions) > 0 {
		from = r.Regions[0]
	}
	c, err := r.NewClient(ctx, profile, from)
	if err != nil {
		return nil, nil, &Note{Profile: profile, Text: oneLine(err)}
	}
	regions, err := counter.wrap(c).EnabledRegions(ctx)
	if err != nil {
		return nil, nil, &Note{Profile: profile, Region: c.Region(), Text: regionNote(err) + "; pass the regions with --region instead of --all-regions"}
	}
	return regions, c, nil
}

// regionNote says why a region or account could not be read.
func regionNote(err error) string {
	switch awsclient.Classify(err) {
	case awsclient.KindAccess:
		return "access denied, not read: " + oneLine(err)
	case awsclient.KindCredentials:
		return "credentials refused, not read: " + oneLine(err)
	}
	return "not read: " + oneLine(err)
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// sortStatus orders stacks by profile, region and name, and notes alike,
// so that the table and the document do not depend on timing.
func sortStatus(st *Status) {
	sort.Slice(st.Stacks, func(i, j int) bool {
		a, b := st.Stacks[i], st.Stacks[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Name < b.Name
	})
	sort.SliceStable(st.Notes, func(i, j int) bool {
		a, b := st.Notes[i], st.Notes[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Stack < b.Stack
	})
}

// nesting records which stack holds which as a nested stack, from the
// parents' resources: an endpoint may leave ParentId out of the child's
// description. A child is known by profile, region and name: its physical
// ID is its ARN in CloudFormation, its name in some emulators.
type nesting struct {
	mu     sync.Mutex
	parent map[string]string // nestKey → parent name
}

func nestKey(profile, region, stack string) string {
	return profile + "\x00" + region + "\x00" + changeset.StackName(stack)
}

func (n *nesting) add(pl place, child, parent string) {
	n.mu.Lock()
	n.parent[nestKey(pl.profile, pl.region, child)] = parent
	n.mu.Unlock()
}

// fill gives each stack without a known parent the one its parent's
// resources name, and says it cannot be edited alone.
func (n *nesting) fill(st *Status) {
	for i := range st.Stacks {
		s := &st.Stacks[i]
		if p := n.parent[nestKey(s.Profile, s.Region, s.Name)]; p != "" && s.Parent == "" {
			s.Parent = p
			s.NotEditable = append([]string{nestedWhy(p)}, s.NotEditable...)
			s.Editable = false
		}
	}
}
