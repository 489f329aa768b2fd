package changeset

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tcdind/tcdind/awsclient"
	"github.com/tcdind/tcdind/dind"
)

// MaxTemplateBody is the largest template CloudFormation accepts inline
// (TemplateBody); larger ones must come from S3 (TemplateURL).
const MaxTemplateBody = 51200

// NewInput is the change set that puts res on stack st: named
// tcdind-<mode>-<UTC time>-<random>, the name also its client token, so
// that two runs never share either; every parameter kept with
// UsePreviousValue except those res overrides; the stack's capabilities;
// the template inline (Place moves a large one to S3).
//
// random gives the random part; nil is crypto/rand (tests pass a fixed one).
func NewInput(st *awsclient.Stack, res *dind.Result, mode dind.Mode, now time.Time, random io.Reader) awsclient.ChangeSetInput {
	var r [4]byte
	if random == nil {
		random = rand.Reader
	}
	if _, err := io.ReadFull(random, r[:]); err != nil {
		// A reader that runs dry: fall back to the clock's nanoseconds.
		binary.BigEndian.PutUint32(r[:], uint32(now.UnixNano()))
	}
	name := fmt.Sprintf("tcdind-%s-%s-%s", mode, now.UTC().Format("20060102-150405"), hex.EncodeToString(r[:]))
	in := awsclient.ChangeSetInput{
		Stack:              st.Name,
		Name:               name,
		ClientToken:        name,
		Description:        fmt.Sprintf("tcdind: %s Docker-in-Docker for %s", mode, strings.Join(res.Targets, ", ")),
		TemplateBody:       res.Output,
		PreviousParameters: slices.Clone(st.ParameterKeys),
		ParameterValues:    res.ParameterOverrides,
		Capabilities:       st.Capabilities,
	}
	for k := range res.ParameterOverrides {
		if !slices.Contains(in.PreviousParameters, k) {
			in.PreviousParameters = append(in.PreviousParameters, k)
		}
	}
	return in
}

// TooLargeError is a template over MaxTemplateBody with no bucket to put
// it in.
type TooLargeError struct {
	Stack string
	Size  int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the patched template of stack %s is %d bytes, over CloudFormation's limit of %d bytes for a template sent inline: pass --s3-bucket BUCKET to upload it to S3 and pass its URL", e.Stack, e.Size, MaxTemplateBody)
}

// NeedsBucket reports whether a template of this size must go through S3.
func NeedsBucket(body []byte) bool { return len(body) > MaxTemplateBody }

// Place uploads a template over MaxTemplateBody to bucket at
// tcdind/<stack>/<sha256>.<ext>, in the stack's account (ExpectedBucketOwner)
// and with the object's version in the URL when the bucket keeps versions,
// and passes its URL instead of the body. It returns the key, or "" when
// the template goes inline.
func Place(ctx context.Context, c Client, st *awsclient.Stack, in *awsclient.ChangeSetInput, bucket string) (string, error) {
	body := in.TemplateBody
	if !NeedsBucket(body) {
		return "", nil
	}
	if bucket == "" {
		return "", &TooLargeError{Stack: st.Name, Size: len(body)}
	}
	key := fmt.Sprintf("tcdind/%s/%x.%s", st.Name, sha256.Sum256(body), templateExt(body))
	url, err := c.UploadTemplate(ctx, awsclient.Upload{
		Bucket: bucket, Key: key, Body: body,
		ExpectedOwner: st.Account(),
		Partition:     st.Partition(),
		Region:        c.Region(),
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", Interrupted("nothing was changed")
		}
		return "", err
	}
	in.TemplateURL, in.TemplateBody = url, nil
	return key, nil
}
