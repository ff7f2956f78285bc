package graph_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/generated"
	"github.com/fxgraph/gateway/store"
)

// badStrings are strings no store may be handed as they are: a NUL,
// invalid UTF-8 (JSON turns it into U+FFFD on the way in), SQL quoting,
// and text too long for any field.
var badStrings = []string{"a\x00b", "\xff\xfe", `x' OR '1'='1 \`, strings.Repeat("é", 300)}

// TestGraphQLNeverFails sends every query and mutation of the schema with
// each bad string in one String, ID or JSON position at a time (an
// argument, or a field of an input), the other arguments plausible, as an
// ADMIN and as nobody: no answer is an internal error, on either backend.
func TestGraphQLNeverFails(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	eachGraph(t, func(t *testing.T, admin *client, _ *store.DB) {
		sent := 0
		for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
			op := strings.ToLower(root.Name)
			for _, f := range root.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				doc := sweepDocument(schema, op, f)
				for _, bad := range badStrings {
					for _, vars := range sweepVariables(schema, f, bad) {
						for _, c := range []*client{admin, admin.as("")} {
							res := c.do(t, doc, vars)
							sent++
							if res.Status >= 500 {
								t.Errorf("%s %s with %q: HTTP %d", op, f.Name, vars, res.Status)
							}
							for _, e := range res.Errors {
								if e.Extensions["code"] == graph.CodeInternal {
									t.Errorf("%s %s with %q: internal error %q", op, f.Name, vars, e.Message)
								}
							}
						}
					}
				}
			}
		}
		if sent < 500 {
			t.Errorf("sent %d operations, want the whole schema swept", sent)
		}
	})
}

// sweepDocument is an operation calling f with a variable per argument,
// selecting __typename of what it returns.
func sweepDocument(schema *ast.Schema, op string, f *ast.FieldDefinition) string {
	var defs, args []string
	for _, a := range f.Arguments {
		defs = append(defs, fmt.Sprintf("$%s: %s", a.Name, a.Type.String()))
		args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
	}
	call, head := f.Name, op
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
		head += "(" + strings.Join(defs, ", ") + ")"
	}
	sel := ""
	if def := schema.Types[f.Type.Name()]; def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union) {
		sel = " { __typename }"
	}
	return fmt.Sprintf("%s { %s%s }", head, call, sel)
}

// sweepVariables returns the variables of f's call, one set per string
// position, that position bad and every other argument its default.
func sweepVariables(schema *ast.Schema, f *ast.FieldDefinition, bad string) []map[string]any {
	defaults := map[string]any{}
	for _, a := range f.Arguments {
		if d, ok := sweepDefault(schema, a.Type, 0); ok {
			defaults[a.Name] = d
		}
	}
	var out []map[string]any
	for _, a := range f.Arguments {
		for _, v := range sweepVariants(schema, a.Type, bad, 0) {
			vars := maps.Clone(defaults)
			vars[a.Name] = v
			out = append(out, vars)
		}
	}
	return out
}

// sweepDefault is a plausible value of t; false for an optional one left out.
func sweepDefault(schema *ast.Schema, t *ast.Type, depth int) (any, bool) {
	if !t.NonNull {
		return nil, false
	}
	if t.Elem != nil {
		d, _ := sweepDefault(schema, t.Elem, depth)
		return []any{d}, true
	}
	if def := schema.Types[t.NamedType]; def != nil {
		switch def.Kind {
		case ast.Enum:
			return def.EnumValues[0].Name, true
		case ast.InputObject:
			obj := map[string]any{}
			for _, f := range def.Fields {
				if d, ok := sweepDefault(schema, f.Type, depth+1); ok {
					obj[f.Name] = d
				}
			}
			return obj, true
		}
	}
	switch t.NamedType {
	case "Int":
		return 1, true
	case "Float":
		return 1.5, true
	case "Boolean":
		return true, true
	case "Decimal":
		return "1.5", true
	case "ID":
		return "1", true
	case "Map":
		return map[string]any{"k": "v"}, true
	}
	return "valid_1", true
}

// sweepVariants are values of t with bad in one string position each.
func sweepVariants(schema *ast.Schema, t *ast.Type, bad string, depth int) []any {
	if t.Elem != nil {
		var out []any
		for _, v := range sweepVariants(schema, t.Elem, bad, depth) {
			out = append(out, []any{v})
		}
		return out
	}
	if def := schema.Types[t.NamedType]; def != nil && def.Kind == ast.InputObject {
		base, _ := sweepDefault(schema, ast.NonNullNamedType(t.NamedType, nil), depth)
		var out []any
		for _, f := range def.Fields {
			if depth >= 3 {
				break
			}
			for _, v := range sweepVariants(schema, f.Type, bad, depth+1) {
				obj := maps.Clone(base.(map[string]any))
				obj[f.Name] = v
				out = append(out, obj)
			}
		}
		return out
	}
	switch t.NamedType {
	case "String", "ID":
		return []any{bad}
	case "Map":
		return []any{map[string]any{"k": bad}, map[string]any{bad: []any{bad}}}
	}
	return nil
}
