package graph

import (
	"context"
	"regexp"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits bounds what one operation may ask for, and what answering it may
// cost. Every check runs in time linear in the document's size.
type Limits struct {
	MaxDepth      int // nesting of selection sets; GraphiQL's introspection needs 13
	MaxAliases    int // fields renamed by an alias, counted with every fragment spread expanded
	MaxComplexity int // gqlgen complexity: every list costs its page size times its items
	// MaxFields bounds the field selections of a document once every
	// fragment spread is expanded: what validation and execution walk.
	MaxFields int
	// MaxTokens bounds the parser's tokens (names, punctuators, values).
	MaxTokens int
	// MaxErrors bounds the errors of one response; past it the rest are
	// dropped and one "too many errors" error says so.
	MaxErrors int
	// Introspection allows __schema and __type, and "Did you mean" in
	// error messages; both go off together.
	Introspection bool
}

// DefaultLimits admit listing 1,000 rates with both currencies and GraphiQL's
// introspection, and refuse the usual amplification attacks.
func DefaultLimits() Limits {
	return Limits{MaxDepth: 15, MaxAliases: 30, MaxComplexity: 25000, MaxFields: 1000,
		MaxTokens: 15000, MaxErrors: 50, Introspection: true}
}

// documentLimit refuses, before gqlgen parses and validates a document, one
// that is nested deeper than MaxDepth, uses more aliases than MaxAliases or
// selects more than MaxFields fields once its fragments are expanded. It
// parses the document itself (bounded by MaxTokens) and walks each fragment
// once, memoising what it costs, so a document of fragments that spread
// each other twice costs time linear in its size, not exponential. A
// document in gqlgen's query cache passed already and is not walked again.
type documentLimit struct {
	Limits
	cache graphql.Cache[*ast.QueryDocument]
}

var (
	_ graphql.HandlerExtension          = documentLimit{}
	_ graphql.OperationParameterMutator = documentLimit{}
)

// ExtensionName implements graphql.HandlerExtension.
func (documentLimit) ExtensionName() string { return "DocumentLimit" }

// Validate implements graphql.HandlerExtension.
func (documentLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (l documentLimit) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if _, ok := l.cache.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.MaxTokens)
	if err != nil {
		return nil // gqlgen's own parse, with the same token limit, answers it
	}
	return l.check(doc)
}

// check measures every operation of doc against the limits.
func (l documentLimit) check(doc *ast.QueryDocument) *gqlerror.Error {
	c := measureDocument(doc, l.Limits)
	switch {
	case c.depth > l.MaxDepth:
		return limitError("the operation is nested %d levels deep, more than the limit of %d", c.depth, l.MaxDepth)
	case c.aliases > l.MaxAliases:
		return limitError("the operation uses %d aliases, more than the limit of %d", c.aliases, l.MaxAliases)
	case c.fields > l.MaxFields:
		return limitError("the operation selects more than %d fields once its fragments are expanded", l.MaxFields)
	case c.introspects && !l.Introspection:
		err := gqlerror.Errorf("introspection is disabled on this server")
		err.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
		return err
	}
	return nil
}

// cost is what a selection set asks for with its fragments expanded. Each
// count saturates just past its limit, so that 2^N spreads cannot overflow.
type cost struct{ depth, aliases, fields int }

// documentCost is the largest cost of doc's operations, whether any selects
// __schema or __type, and the number of selections the walk visited (each
// at most once: the walk is linear).
type documentCost struct {
	cost
	introspects bool
	visited     int
}

// measureDocument walks every selection of doc once: a fragment's cost is
// computed at its first spread and reused at the others.
func measureDocument(doc *ast.QueryDocument, l Limits) documentCost {
	w := costWalker{limits: l, fragments: map[string]*ast.FragmentDefinition{}, memo: map[string]cost{}, onPath: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, dup := w.fragments[f.Name]; !dup {
			w.fragments[f.Name] = f
		}
	}
	var out documentCost
	for _, op := range doc.Operations {
		c := w.set(op.SelectionSet)
		out.depth, out.aliases, out.fields = max(out.depth, c.depth), max(out.aliases, c.aliases), max(out.fields, c.fields)
	}
	out.visited, out.introspects = w.visited, w.introspects
	return out
}

type costWalker struct {
	limits    Limits
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]cost
	onPath    map[string]bool // fragments being measured, against cycles (validation refuses them)
	visited   int
	// introspects is set by a __schema or __type field anywhere.
	introspects bool
}

func (w *costWalker) set(set ast.SelectionSet) cost {
	var c cost
	for _, sel := range set {
		w.visited++
		var sub cost
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				w.introspects = true
			}
			sub = w.set(s.SelectionSet)
			sub.depth++
			sub.fields++
			if s.Alias != "" && s.Alias != s.Name {
				sub.aliases++
			}
		case *ast.InlineFragment:
			sub = w.set(s.SelectionSet)
		case *ast.FragmentSpread:
			sub = w.fragment(s.Name)
		}
		c = w.add(c, sub)
	}
	return c
}

// fragment is the cost of the named fragment, measured once.
func (w *costWalker) fragment(name string) cost {
	if c, ok := w.memo[name]; ok {
		return c
	}
	f := w.fragments[name]
	if f == nil || w.onPath[name] {
		return cost{}
	}
	w.onPath[name] = true
	c := w.set(f.SelectionSet)
	delete(w.onPath, name)
	w.memo[name] = c
	return c
}

// add sums sibling costs (depth is their maximum), saturating each count
// just past its limit.
func (w *costWalker) add(a, b cost) cost {
	return cost{
		depth:   max(a.depth, b.depth),
		aliases: min(a.aliases+b.aliases, w.limits.MaxAliases+1),
		fields:  min(a.fields+b.fields, w.limits.MaxFields+1),
	}
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": "QUERY_TOO_COMPLEX"}
	return err
}

// capErrors keeps the first max errors of every response and replaces the
// rest by one error that says how many were dropped: a document of a few
// kilobytes cannot make an answer of megabytes.
func capErrors(max int) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil || len(resp.Errors) <= max {
			return resp
		}
		dropped := len(resp.Errors) - max
		resp.Errors = append(resp.Errors[:max:max], &gqlerror.Error{
			Message:    "too many errors: " + strconv.Itoa(dropped) + " more were dropped",
			Extensions: map[string]any{"code": "TOO_MANY_ERRORS"},
		})
		return resp
	}
}

// suggestion is gqlparser's "Did you mean …?" tail of a validation message.
var suggestion = regexp.MustCompile(`\s*Did you mean [^?]*\?`)

// withoutSuggestions drops "Did you mean …?" from a message: with
// introspection off, an error must not spell out the schema either.
func withoutSuggestions(msg string) string { return suggestion.ReplaceAllString(msg, "") }
