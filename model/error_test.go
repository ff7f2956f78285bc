package model_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
)

// wantInvalid fails the test unless err is an EINVALID application error
// about field.
func wantInvalid(t *testing.T, call string, err error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s error = nil, want %s", call, model.EINVALID)
	}
	if got := model.ErrorCode(err); got != model.EINVALID {
		t.Errorf("%s code = %q, want %q (err: %v)", call, got, model.EINVALID, err)
	}
	if got := model.ErrorField(err); got != field {
		t.Errorf("%s field = %q, want %q", call, got, field)
	}
	if model.ErrorMessage(err) == "" {
		t.Errorf("%s message = \"\", want a client-safe message", call)
	}
}

// quote is strconv.Quote, short for failure messages.
func quote(s string) string { return strconv.Quote(s) }

func TestErrorCode(t *testing.T) {
	appErr := &model.Error{Code: model.ENOTFOUND, Message: "Currency not found"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Nil", nil, ""},
		{"AppError", appErr, model.ENOTFOUND},
		{"Wrapped", fmt.Errorf("x: %w", appErr), model.ENOTFOUND},
		{"WrappedTwice", fmt.Errorf("y: %w", fmt.Errorf("x: %w", appErr)), model.ENOTFOUND},
		{"Joined", errors.Join(errors.New("other"), appErr), model.ENOTFOUND},
		{"Errorf", model.Errorf(model.ECONFLICT, "taken %d", 1), model.ECONFLICT},
		{"Invalid", model.Invalid("rate", "bad"), model.EINVALID},
		{"PlainError", errors.New("pq: connection refused"), model.EINTERNAL},
		{"WrappedPlainError", fmt.Errorf("x: %w", errors.New("boom")), model.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	appErr := &model.Error{Code: model.EFORBIDDEN, Message: "Access denied"}
	t.Run("Nil", func(t *testing.T) {
		if got := model.ErrorMessage(nil); got != "" {
			t.Errorf("ErrorMessage(nil) = %q, want %q", got, "")
		}
	})
	t.Run("OK", func(t *testing.T) {
		if got, want := model.ErrorMessage(appErr), "Access denied"; got != want {
			t.Errorf("ErrorMessage(*Error) = %q, want %q", got, want)
		}
	})
	t.Run("Wrapped", func(t *testing.T) {
		if got, want := model.ErrorMessage(fmt.Errorf("x: %w", appErr)), "Access denied"; got != want {
			t.Errorf("ErrorMessage(wrapped) = %q, want %q", got, want)
		}
	})
	t.Run("ErrInternal", func(t *testing.T) {
		const secret = "pq: password authentication failed for user gateway at 10.0.0.7"
		for _, err := range []error{errors.New(secret), fmt.Errorf("store: %w", errors.New(secret))} {
			got := model.ErrorMessage(err)
			if got == "" {
				t.Errorf("ErrorMessage(%q) = \"\", want a generic message", err)
			}
			if strings.Contains(got, "pq") || strings.Contains(got, "password") || strings.Contains(got, "10.0.0.7") || strings.Contains(got, "store") {
				t.Errorf("ErrorMessage(%q) = %q, want a generic message that leaks nothing", err, got)
			}
		}
	})
}

func TestErrorField(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Nil", nil, ""},
		{"Invalid", model.Invalid("rate", "bad"), "rate"},
		{"WrappedInvalid", fmt.Errorf("x: %w", model.Invalid("code", "bad")), "code"},
		{"NoField", model.Errorf(model.ENOTFOUND, "x"), ""},
		{"PlainError", errors.New("rate"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.ErrorField(tt.err); got != tt.want {
				t.Errorf("ErrorField(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorConstructors(t *testing.T) {
	t.Run("Errorf", func(t *testing.T) {
		e := model.Errorf(model.ENOTFOUND, "%s %d not found", "rate", 7)
		if e.Code != model.ENOTFOUND || e.Message != "rate 7 not found" || e.Field != "" {
			t.Errorf("Errorf(...) = %+v, want {Code:%s Message:rate 7 not found Field:}", *e, model.ENOTFOUND)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		e := model.Invalid("amount", "%s must be > %d", "amount", 0)
		if e.Code != model.EINVALID || e.Message != "amount must be > 0" || e.Field != "amount" {
			t.Errorf("Invalid(...) = %+v, want {Code:%s Message:amount must be > 0 Field:amount}", *e, model.EINVALID)
		}
	})
	t.Run("ErrorString", func(t *testing.T) {
		e := model.Invalid("amount", "bad amount")
		for _, part := range []string{model.EINVALID, "amount", "bad amount"} {
			if !strings.Contains(e.Error(), part) {
				t.Errorf("Error() = %q, want it to contain %q", e.Error(), part)
			}
		}
		e2 := model.Errorf(model.ENOTFOUND, "gone")
		if got := e2.Error(); !strings.Contains(got, model.ENOTFOUND) || !strings.Contains(got, "gone") || strings.Contains(got, "field=") {
			t.Errorf("Error() = %q, want code and message without a field", got)
		}
	})
}
