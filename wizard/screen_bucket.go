package wizard

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/tcdind/tcdind/changeset"
	"github.com/tcdind/tcdind/render"
)

// bucketScreen asks for the S3 bucket a patched stack template over
// CloudFormation's inline limit is uploaded to, between the review and
// the change set: without one the change set cannot be created.
type bucketScreen struct{ question }

// needsBucket reports whether the reviewed stack template must go through
// S3 and no bucket was given.
func (m *Model) needsBucket() bool {
	return m.isStack() && m.result != nil && changeset.NeedsBucket(m.result.Output) && m.a.s3Bucket == ""
}

func (s *bucketScreen) enter(m *Model) tea.Cmd { return m.ask(s) }

func (*bucketScreen) field(m *Model) huh.Field {
	return huh.NewInput().
		Title("S3 bucket for the patched template").
		Placeholder("bucket name").
		Value(&m.a.s3Bucket).
		Validate(keepOnEmpty(&m.a.s3Bucket, func(s string) error {
			_, err := bucketName(s)
			return err
		}))
}

func (*bucketScreen) intro(m *Model) string {
	return render.BucketIntro(len(m.result.Output), changeset.MaxTemplateBody)
}

func (s *bucketScreen) view(m *Model, w, _ int) body {
	return m.formView(m.st.Subtle.Render(render.Wrap(s.intro(m), min(w, 90))))
}

func (*bucketScreen) submit(m *Model) tea.Cmd {
	m.a.s3Bucket, _ = bucketName(m.a.s3Bucket)
	return m.enter(stepChangeSet)
}

// bucketRule is S3's rule for bucket names.
var bucketRule = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// errNotABucket refuses a typed bucket name.
var errNotABucket = errors.New("not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens")

// bucketName reads a typed bucket: s3://name/ is understood.
func bucketName(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "s3://"), "/")
	if !bucketRule.MatchString(s) {
		if s == "" {
			return "", fmt.Errorf("give the bucket's name (%w)", errNotABucket)
		}
		return "", errNotABucket
	}
	return s, nil
}
