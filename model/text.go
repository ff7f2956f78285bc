package model

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// CheckText returns EINVALID naming field when s is not valid UTF-8 or
// holds a NUL character: the rule of every string that enters the domain,
// from any surface. Neither can be stored (PostgreSQL refuses both), and
// neither belongs in a name, a login or a search.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "%s must be valid UTF-8 text", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "%s must not contain NUL characters", field)
	}
	return nil
}

// CheckTexts is CheckText for several fields, given as name, value pairs;
// it returns the first refusal.
func CheckTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// ParseWebURL returns s when it is an absolute http or https URL with a
// host (no javascript:, data: or file:), EINVALID naming field otherwise.
func ParseWebURL(field, s string) (string, error) {
	if err := CheckText(field, s); err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", Invalid(field, "%s must be an http or https URL", field)
	}
	return s, nil
}

// CheckJSONText is CheckText for every key and string of a JSON value
// (objects, arrays, strings; other values pass).
func CheckJSONText(field string, v any) error {
	switch x := v.(type) {
	case string:
		return CheckText(field, x)
	case map[string]any:
		for k, e := range x {
			if err := CheckText(field, k); err != nil {
				return err
			}
			if err := CheckJSONText(field, e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := CheckJSONText(field, e); err != nil {
				return err
			}
		}
	}
	return nil
}
