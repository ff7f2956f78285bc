package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
)

// Codes of extensions.code, as rules §7 names them.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeConflict        = "CONFLICT"
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeRateLimited     = "RATE_LIMITED"
	CodeInternal        = "INTERNAL_SERVER_ERROR"
)

// extensionCode maps an application error code to its GraphQL code.
func extensionCode(code string) string {
	switch code {
	case model.EINVALID:
		return CodeBadUserInput
	case model.ENOTFOUND:
		return CodeNotFound
	case model.ECONFLICT:
		return CodeConflict
	case model.EUNAUTHORIZED:
		return CodeUnauthenticated
	case model.EFORBIDDEN:
		return CodeForbidden
	case model.ERATELIMITED:
		return CodeRateLimited
	}
	return CodeInternal
}

// errorPresenter turns every error into a GraphQL error with
// extensions.code. Application errors keep their message; gqlgen's own
// parse and validation errors keep theirs; anything else is logged and
// answered as an internal error whose text never reaches the client.
// Without suggestions, "Did you mean …?" is cut from validation messages.
func errorPresenter(logger *slog.Logger, suggestions bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var me *model.Error
		switch {
		case errors.As(err, &me):
			gqlErr.Message = me.Message
			gqlErr.Extensions = map[string]any{"code": extensionCode(me.Code)}
			if me.Field != "" {
				gqlErr.Extensions["field"] = me.Field
			}
			if me.Reason != "" {
				gqlErr.Extensions["reason"] = me.Reason
			}
			if wait := model.ErrorRetryAfter(err); wait > 0 {
				gqlErr.Extensions["retryAfter"] = int(wait / time.Second)
			}
			if me.Code == model.EINTERNAL {
				logger.ErrorContext(ctx, "graphql: internal error", "path", gqlErr.Path.String(), "err", err)
			}
		case gqlErr.Err == nil:
			// Made by gqlgen itself (syntax, validation, variable
			// coercion): safe to show; make sure it has a code.
			if !suggestions {
				gqlErr.Message = withoutSuggestions(gqlErr.Message)
			}
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			if _, ok := gqlErr.Extensions["code"]; !ok {
				gqlErr.Extensions["code"] = CodeBadUserInput
			}
		default:
			logger.ErrorContext(ctx, "graphql: internal error", "path", gqlErr.Path.String(), "err", err)
			gqlErr = &gqlerror.Error{
				Message:    "Internal server error.",
				Path:       gqlErr.Path,
				Locations:  gqlErr.Locations,
				Extensions: map[string]any{"code": CodeInternal},
			}
		}
		if info := reqinfo.From(ctx); info != nil {
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			gqlErr.Extensions["requestId"] = info.ID
		}
		return gqlErr
	}
}

// recoverFunc logs a panic in a resolver and answers an internal error.
func recoverFunc(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "graphql: panic", "panic", fmt.Sprint(p))
		return &model.Error{Code: model.EINTERNAL, Message: "Internal server error."}
	}
}
