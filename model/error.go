// Package model holds the gateway's domain: types, the one application error
// type with its codes, and the pure rules of the domain (code parsing,
// conversion paths, who may do what). It imports nothing internal.
package model

import (
	"errors"
	"fmt"
	"time"
)

// Application error codes. Each surface (GraphQL, REST) maps them to its own
// status or extension code at its edge, and nowhere else.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
)

// Error is the application error: a code for machines and a message that is
// safe to show to a client. Anything that is not an *Error is internal and its
// text must never reach a client.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
	// RetryAfter is how long an ERATELIMITED client should wait.
	RetryAfter time.Duration
	// Reason tells apart refusals that share a code and a message, for
	// surfaces that can say more (GraphQL's extensions.reason): a refused
	// token is "expired", "revoked" or "invalid".
	Reason string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("model error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("model error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of an application error, and a
// generic text for any other error so that internal details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the input field an application error is about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
