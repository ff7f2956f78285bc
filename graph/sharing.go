package graph

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fxgraph/gateway/graph/gorillaws"
	"github.com/fxgraph/gateway/model"
)

// sharing tells the websocket transport which subscriptions share one
// execution: rateChanged subscriptions with the same document, operation
// name and variables (but for the ones that only choose where the stream
// starts: includeCurrent and after), whose subscribers may read rates.
// Each subscriber with includeCurrent or after gets its own prefix first.
type sharing struct{}

var _ gorillaws.Sharing = sharing{}

// tailKey marks the context of a shared execution: rateChanged streams
// from now on, whatever its includeCurrent and after.
type tailKey struct{}

// Share implements gorillaws.Sharing.
func (sharing) Share(ctx context.Context, oc *graphql.OperationContext) (string, bool, bool) {
	if rateChangedPermission(model.PrincipalFromContext(ctx)) != nil {
		return "", false, false // refused alone, with its own error
	}
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) != 1 || fields[0].Name != "rateChanged" {
		return "", false, false
	}
	args := fields[0].ArgumentMap(oc.Variables)
	cur, _ := args["includeCurrent"].(bool)
	prefix := cur || args["after"] != nil
	vars := make(map[string]any, len(oc.Variables))
	for k, v := range oc.Variables {
		vars[k] = v
	}
	for _, a := range fields[0].Arguments {
		if (a.Name == "includeCurrent" || a.Name == "after") && a.Value.Kind == ast.Variable && usedOnce(oc.RawQuery, a.Value.Raw) {
			delete(vars, a.Value.Raw)
		}
	}
	v, err := json.Marshal(vars) // sorted keys: one key per value set
	if err != nil {
		return "", false, false
	}
	return strings.Join([]string{"rate:read", oc.OperationName, oc.RawQuery, string(v)}, "\x00"), prefix, true
}

// Tail implements gorillaws.Sharing: the shared execution outlives its
// first subscriber, and streams from now on.
func (sharing) Tail(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), tailKey{}, true)
}

// usedOnce reports whether the document names variable $name only where
// it declares it and once more.
func usedOnce(doc, name string) bool {
	re, err := regexp.Compile(`\$` + regexp.QuoteMeta(name) + `\b`)
	return err == nil && len(re.FindAllStringIndex(doc, 3)) == 2
}
