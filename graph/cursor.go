package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// Page sizes of connections.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Cursors are opaque to clients: base64 of a kind prefix and a key.
const (
	currencyCursor     = "currency:"
	rateCursor         = "rate:"
	userCursor         = "user:"
	organizationCursor = "organization:"
	resourceCursor     = "resource:"
)

func encodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + key))
}

// decodeCursor returns the key of a cursor of the kind; "" for no cursor.
// It returns EINVALID for a cursor that is not one of ours.
func decodeCursor(kind string, cursor *string) (string, error) {
	if cursor == nil || *cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*cursor)
	if err != nil || !strings.HasPrefix(string(b), kind) || len(b) == len(kind) {
		return "", model.Invalid("after", "after is not a cursor of this list")
	}
	return string(b[len(kind):]), nil
}

func decodeRateCursor(cursor *string) (int64, error) {
	key, err := decodeCursor(rateCursor, cursor)
	if err != nil || key == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid("after", "after is not a cursor of this list")
	}
	return id, nil
}

// pageSize returns first, or the default, and EINVALID when out of range.
func pageSize(first *int) (int, error) {
	if first == nil {
		return DefaultPageSize, nil
	}
	if *first < 1 || *first > MaxPageSize {
		return 0, model.Invalid("first", "first must be between 1 and %d, got %d", MaxPageSize, *first)
	}
	return *first, nil
}

// connection trims a page read with one extra item (which tells whether
// there is a next page) and builds its edges, each with cursor(i, item).
func connection[T, E any](list []T, limit int, hasPrevious bool, cursor func(int, T) string, edge func(string, T) E) ([]E, *gqlmodel.PageInfo) {
	hasNext := len(list) > limit
	list = list[:min(len(list), limit)]
	edges := make([]E, len(list))
	cursors := make([]string, len(list))
	for i, v := range list {
		cursors[i] = cursor(i, v)
		edges[i] = edge(cursors[i], v)
	}
	return edges, pageInfo(cursors, hasNext, hasPrevious)
}

// offsetCursor gives the items of a page read from offset their cursors of
// the kind.
func offsetCursor[T any](kind string, offset int) func(int, T) string {
	return func(i int, _ T) string { return encodeCursor(kind, strconv.Itoa(offset+i)) }
}

// pageInfo builds the page info of a page's cursors.
func pageInfo(cursors []string, hasNext, hasPrevious bool) *gqlmodel.PageInfo {
	pi := &gqlmodel.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if n := len(cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[n-1]
	}
	return pi
}
