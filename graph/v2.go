package graph

import (
	"regexp"

	"github.com/fxgraph/gateway/model"
)

// v2NamePattern is the v2 document's rule for a user's name: 3 to 32
// letters, digits, underscores or hyphens.
var v2NamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{3,32}$`)

// CheckV2Name returns EINVALID unless name fits the v2 document's rule for
// a user's name. The v2 surface checks it before it creates or renames a
// user; the gateway's one username rule (model.ParseUsername) applies on top
// of it, so a v2 name must fit both.
func CheckV2Name(field, name string) error {
	if !v2NamePattern.MatchString(name) {
		return model.Invalid(field, "%s must be 3 to 32 letters, digits, underscores or hyphens", field)
	}
	return nil
}
