package rest

import (
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
)

func TestCheckV2Name(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"a-b_c9", true},
		{strings.Repeat("x", 32), true},
		{"ab", false},
		{strings.Repeat("x", 33), false},
		{"a b c", false},
		{"ünï", false},
		{"", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkV2Name("name", c.name)
			if got := err == nil; got != c.ok {
				t.Errorf("got %v, want %v", err, c.ok)
			}
			if err != nil && (model.ErrorCode(err) != model.EINVALID || model.ErrorField(err) != "name") {
				t.Errorf("got %v, want EINVALID on name", err)
			}
		})
	}
}
