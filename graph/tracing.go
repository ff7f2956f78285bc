package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/fxgraph/gateway/graph/generated"
	"github.com/fxgraph/gateway/model"
)

// Queries returns the query resolvers, each in a span of its own when the
// resolver has a Tracer: what the executor and the REST surfaces call.
func (r *Resolver) Queries() generated.QueryResolver {
	if r.Tracer == nil {
		return r.Query()
	}
	return tracedQuery{next: r.Query(), tracer: r.Tracer}
}

// Mutations returns the mutation resolvers, each in a span of its own when
// the resolver has a Tracer.
func (r *Resolver) Mutations() generated.MutationResolver {
	if r.Tracer == nil {
		return r.Mutation()
	}
	return tracedMutation{next: r.Mutation(), tracer: r.Tracer}
}

// tracedRoot is the resolver root the executor uses: the root fields go
// through Queries and Mutations.
type tracedRoot struct{ *Resolver }

func (t tracedRoot) Query() generated.QueryResolver       { return t.Queries() }
func (t tracedRoot) Mutation() generated.MutationResolver { return t.Mutations() }

// endSpan marks a span failed with the application error's code; the
// message, which may be internal, stays out of the span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		code := model.ErrorCode(err)
		span.SetAttributes(attribute.String("error.code", code))
		span.SetStatus(codes.Error, code)
	}
}

// operationSpans runs every GraphQL operation in a span named after its
// type and name ("graphql query ListRates").
type operationSpans struct{ tracer trace.Tracer }

var (
	_ graphql.HandlerExtension     = operationSpans{}
	_ graphql.OperationInterceptor = operationSpans{}
)

func (operationSpans) ExtensionName() string                   { return "OperationSpans" }
func (operationSpans) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation starts the operation's span; it ends with the
// operation's last response.
func (o operationSpans) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return next(ctx)
	}
	name := "graphql " + string(oc.Operation.Operation)
	if oc.Operation.Name != "" {
		name += " " + oc.Operation.Name
	}
	ctx, span := o.tracer.Start(ctx, name, trace.WithAttributes(
		attribute.String("graphql.operation.type", string(oc.Operation.Operation)),
		attribute.String("graphql.operation.name", oc.Operation.Name)))
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := h(trace.ContextWithSpan(ctx, span))
		if resp == nil {
			span.End()
			return nil
		}
		if len(resp.Errors) > 0 {
			span.SetStatus(codes.Error, "errors")
		}
		if !isSubscription(ctx) {
			span.End()
		}
		return resp
	}
}
