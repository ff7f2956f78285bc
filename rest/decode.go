package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// fieldError is one item of a FastAPI-style 422 list.
type fieldError struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// validationError is a request that does not have the documented shape:
// the surface answers 422 with its items.
type validationError struct{ items []fieldError }

func (e *validationError) Error() string { return fmt.Sprintf("rest: %d invalid fields", len(e.items)) }

func invalid(loc []string, typ, msg string) *validationError {
	return &validationError{items: []fieldError{{Loc: loc, Msg: msg, Type: typ}}}
}

// errTooLarge is a body over the server's limit.
var errTooLarge = errors.New("rest: request body too large")

// fields is a decoded body: strings from a form, JSON values from JSON.
type fields map[string]any

// readFields decodes a body that the original services took as a form or
// as JSON: application/x-www-form-urlencoded, multipart/form-data or
// application/json (an object). An empty body is no fields.
func readFields(r *http.Request) (fields, error) {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return fields{}, nil
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, invalid([]string{"header", "content-type"}, "value_error", "Content-Type must be application/json or a form")
	}
	switch ct {
	case "application/json", "":
		var m map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, errTooLarge
			}
			if errors.Is(err, io.EOF) { // no body: no fields, as FastAPI reads an empty one
				return fields{}, nil
			}
			return nil, invalid([]string{"body"}, "json_invalid", "JSON decode error: the body must be a JSON object")
		}
		if m == nil {
			return nil, invalid([]string{"body"}, "model_attributes_type", "Input should be a valid dictionary or object")
		}
		return m, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		var err error
		if ct == "multipart/form-data" {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, errTooLarge
			}
			return nil, invalid([]string{"body"}, "value_error", "The form could not be read")
		}
		m := fields{}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				m[k] = v[0]
			}
		}
		return m, nil
	}
	return nil, invalid([]string{"header", "content-type"}, "value_error", "Content-Type must be application/json or a form")
}

// text returns a string field; missing is reported when required.
func (f fields) text(name string, required bool) (string, bool, *validationError) {
	v, ok := f[name]
	if !ok || v == nil {
		if required {
			return "", false, invalid([]string{"body", name}, "missing", "Field required")
		}
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, invalid([]string{"body", name}, "string_type", "Input should be a valid string")
	}
	return s, true, nil
}

// number returns a numeric field as its decimal text: a JSON number or a
// string, as FastAPI coerces one.
func (f fields) number(name string, required bool) (string, bool, *validationError) {
	v, ok := f[name]
	if !ok || v == nil {
		if required {
			return "", false, invalid([]string{"body", name}, "missing", "Field required")
		}
		return "", false, nil
	}
	switch v := v.(type) {
	case json.Number:
		return v.String(), true, nil
	case string:
		return strings.TrimSpace(v), true, nil
	}
	return "", false, invalid([]string{"body", name}, "float_type", "Input should be a valid number")
}

// boolean returns a boolean field: a JSON boolean, or in a form "true" or
// "false".
func (f fields) boolean(name string) (value, ok bool, verr *validationError) {
	v, present := f[name]
	if !present || v == nil {
		return false, false, nil
	}
	switch v := v.(type) {
	case bool:
		return v, true, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "on", "yes":
			return true, true, nil
		case "false", "0", "off", "no":
			return false, true, nil
		}
	}
	return false, false, invalid([]string{"body", name}, "bool_parsing", "Input should be a valid boolean")
}

// integer returns an integer field: a JSON integer, or the decimal text of
// one in a form.
func (f fields) integer(name string) (value int, ok bool, verr *validationError) {
	v, present := f[name]
	if !present || v == nil {
		return 0, false, nil
	}
	var text string
	switch v := v.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		return 0, false, invalid([]string{"body", name}, "int_type", "Input should be a valid integer")
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return 0, false, invalid([]string{"body", name}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
	}
	return n, true, nil
}
