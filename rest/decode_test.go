package rest

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadFields(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, c := range []struct{ contentType, body, want string }{
			{"application/json", `{"a":"x"}`, "x"},
			{"application/json; charset=utf-8", `{"a":"x"}`, "x"},
			{"application/x-www-form-urlencoded", "a=x", "x"},
			{"", `{"a":"x"}`, "x"},
			{"application/json", "", ""}, // an empty body is no fields, as FastAPI reads it
			{"", "", ""},
		} {
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			f, err := readFields(r)
			if err != nil {
				t.Errorf("%q %q: got error %v, want none", c.contentType, c.body, err)
				continue
			}
			if got, _ := f["a"].(string); got != c.want {
				t.Errorf("%q %q: got a=%q, want %q", c.contentType, c.body, got, c.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct{ contentType, body string }{
			{"application/json", "{"},
			{"application/json", "[]"},
			{"application/json", "null"},
			{"text/plain", "a=x"},
			{"bad/", "a=x"},
		} {
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.contentType)
			var verr *validationError
			if _, err := readFields(r); !errors.As(err, &verr) {
				t.Errorf("%q %q: got %v, want a validation error", c.contentType, c.body, err)
			}
		}
	})
}
