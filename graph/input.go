package graph

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/model"
)

// The parsing of input shared by every domain: texts, URLs, UUIDs and
// offset pages.

// optionalText trims s and returns EINVALID when it is not text
// (model.CheckText) or too long; nil for nil.
func optionalText(field string, s *string, maxLen int) (*string, error) {
	if s == nil {
		return nil, nil
	}
	if err := model.CheckText(field, *s); err != nil {
		return nil, err
	}
	v := strings.TrimSpace(*s)
	if utf8.RuneCountInString(v) > maxLen {
		return nil, model.Invalid(field, "%s must be at most %d characters", field, maxLen)
	}
	return &v, nil
}

// deref is *s, "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// optionalURL is optionalText for a URL: http or https only, "" clears it.
func optionalURL(field string, s *string, maxLen int) (*string, error) {
	v, err := optionalText(field, s, maxLen)
	if err != nil || v == nil || *v == "" {
		return v, err
	}
	if _, err := model.ParseWebURL(field, *v); err != nil {
		return nil, err
	}
	return v, nil
}

// parseUUID returns the id of an object of type typ (a global id, or its
// UUID) as a canonical UUID, or EINVALID naming field.
func parseUUID(field, typ, id string) (string, error) {
	key, err := legacyKey(field, typ, id)
	if err != nil {
		return "", err
	}
	u, err := uuid.Parse(key)
	if err != nil {
		return "", model.Invalid(field, "%s must be a global id or a UUID", field)
	}
	return u.String(), nil
}

// offsetPage reads the page arguments of an offset-paged list (cursors of
// the kind) into the window to read: limit items from offset. skip, when
// given, is an offset to start at instead of after. Paging backward, the
// window ends before the before cursor, or at the end of the list, which
// count says. EINVALID.
func (r *Resolver) offsetPage(kind string, skip *int, a pageArgs, count func() (int, error)) (limit, offset int, err error) {
	back, limit, field, cursor, err := r.readPage(a)
	if err != nil {
		return 0, 0, err
	}
	if skip != nil {
		switch {
		case back:
			return 0, 0, model.Invalid("offset", "give offset with first, not with last or before")
		case given(a.after):
			return 0, 0, model.Invalid("offset", "give offset or after, not both")
		case *skip < 0:
			return 0, 0, model.Invalid("offset", "offset must not be negative, got %d", *skip)
		}
		return limit, *skip, nil
	}
	at, err := offsetOf(field, kind, cursor)
	if err != nil {
		return 0, 0, err
	}
	if !back {
		return limit, at + 1, nil // at is -1 without a cursor
	}
	if at < 0 {
		if at, err = count(); err != nil {
			return 0, 0, err
		}
	}
	offset = max(0, at-limit)
	return at - offset, offset, nil
}

// offsetOf returns the offset an offset cursor of the kind given as the
// argument field stands for; -1 for none.
func offsetOf(field, kind string, cursor *string) (int, error) {
	key, err := decodeCursor(field, kind, cursor)
	if err != nil || key == "" {
		return -1, err
	}
	n, err := strconv.Atoi(key)
	if err != nil || n < 0 {
		return 0, model.Invalid(field, "%s is not a cursor of this list", field)
	}
	return n, nil
}

// parseText trims s and returns EINVALID when it is blank or too long.
func parseText(field, s string, maxLen int) (string, error) {
	v, err := optionalText(field, &s, maxLen)
	if err != nil {
		return "", err
	}
	if *v == "" {
		return "", model.Invalid(field, "%s must not be blank", field)
	}
	return *v, nil
}
