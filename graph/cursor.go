package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// The page sizes of connections unless PageSizes say otherwise.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// PageSizes are a connection's page sizes: Default when first is not given,
// Max the largest first. A zero value takes DefaultPageSize or MaxPageSize.
type PageSizes struct {
	Default, Max int
}

// sizes returns p with its zero values defaulted.
func (p PageSizes) sizes() (def, most int) {
	def, most = p.Default, p.Max
	if most <= 0 {
		most = MaxPageSize
	}
	if def <= 0 {
		def = min(DefaultPageSize, most)
	}
	return def, most
}

// cost is what a page of first items costs in complexity: its size.
func (p PageSizes) cost(first *int) int {
	def, most := p.sizes()
	if first == nil || *first < 1 {
		return def
	}
	return min(*first, most)
}

// MaxPageSize returns the largest page a list gives: the REST surfaces page
// through lists with it.
func (r *Resolver) MaxPageSize() int {
	_, most := r.Pages.sizes()
	return most
}

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
func (r *Resolver) pageSize(first *int) (int, error) {
	def, most := r.Pages.sizes()
	if first == nil {
		return def, nil
	}
	if *first < 1 || *first > most {
		return 0, model.Invalid("first", "first must be between 1 and %d, got %d", most, *first)
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
