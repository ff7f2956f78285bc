package graph

import (
	"cmp"
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

// cost is what a page of first (or last) items costs in complexity: its
// size.
func (p PageSizes) cost(first, last *int) int {
	def, most := p.sizes()
	n := cmp.Or(first, last)
	if n == nil || *n < 1 {
		return def
	}
	return min(*n, most)
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
	memberCursor       = "member:"
	resourceCursor     = "resource:"
)

func encodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + key))
}

// decodeCursor returns the key of a cursor of the kind given as the
// argument field; "" for no cursor. It returns EINVALID for a cursor that
// is not one of ours.
func decodeCursor(field, kind string, cursor *string) (string, error) {
	if !given(cursor) {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*cursor)
	if err != nil || !strings.HasPrefix(string(b), kind) || len(b) == len(kind) {
		return "", model.Invalid(field, "%s is not a cursor of this list", field)
	}
	return string(b[len(kind):]), nil
}

func decodeRateCursor(field string, cursor *string) (int64, error) {
	key, err := decodeCursor(field, rateCursor, cursor)
	if err != nil || key == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid(field, "%s is not a cursor of this list", field)
	}
	return id, nil
}

// given reports whether a cursor argument was given.
func given(cursor *string) bool { return cursor != nil && *cursor != "" }

// pageArgs are a connection's paging arguments: first and after page
// forward from the start, last and before backward from the end.
type pageArgs struct {
	first  *int
	after  *string
	last   *int
	before *string
}

// backward reports whether a pages from the end; EINVALID when it mixes
// the two directions.
func (a pageArgs) backward() (bool, error) {
	back := a.last != nil || given(a.before)
	if back && (a.first != nil || given(a.after)) {
		return false, model.Invalid("last", "give first and after, or last and before, not both")
	}
	return back, nil
}

// pageSize returns the page size given as the argument field (first or
// last), or the default, and EINVALID when out of range.
func (r *Resolver) pageSize(field string, n *int) (int, error) {
	def, most := r.Pages.sizes()
	if n == nil {
		return def, nil
	}
	if *n < 1 || *n > most {
		return 0, model.Invalid(field, "%s must be between 1 and %d, got %d", field, most, *n)
	}
	return *n, nil
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

// connectionLast is connection for a page read backward: list is in order
// and holds one extra item at its front when there is a previous page;
// hasNext says whether items follow it (a before cursor was given).
func connectionLast[T, E any](list []T, limit int, hasNext bool, cursor func(int, T) string, edge func(string, T) E) ([]E, *gqlmodel.PageInfo) {
	hasPrevious := len(list) > limit
	if hasPrevious {
		list = list[len(list)-limit:]
	}
	edges, pi := connection(list, limit, false, cursor, edge)
	pi.HasPreviousPage, pi.HasNextPage = hasPrevious, hasNext
	return edges, pi
}

// readPage reads a connection's paging arguments: the direction, the page
// size, and the cursor argument's name and value. EINVALID.
func (r *Resolver) readPage(a pageArgs) (back bool, limit int, field string, cursor *string, err error) {
	if back, err = a.backward(); err != nil {
		return false, 0, "", nil, err
	}
	sizeField, size, field, cursor := "first", a.first, "after", a.after
	if back {
		sizeField, size, field, cursor = "last", a.last, "before", a.before
	}
	if limit, err = r.pageSize(sizeField, size); err != nil {
		return false, 0, "", nil, err
	}
	return back, limit, field, cursor, nil
}

// keyPage is the store's page of limit items after key, or before it when
// back.
func keyPage[K cmp.Ordered](back bool, key K, limit int) model.KeyPage[K] {
	if back {
		return model.KeyPage[K]{Before: key, Limit: limit, Last: true}
	}
	return model.KeyPage[K]{After: key, Limit: limit}
}

// keysetConnection is connection, or connectionLast for a page read
// backward; fromCursor says the page was read from a cursor.
func keysetConnection[T, E any](back bool, list []T, limit int, fromCursor bool, cursor func(int, T) string, edge func(string, T) E) ([]E, *gqlmodel.PageInfo) {
	if back {
		return connectionLast(list, limit, fromCursor, cursor, edge)
	}
	return connection(list, limit, fromCursor, cursor, edge)
}

// offsetConnection reads a page of an offset-paged list (cursors of the
// kind) with find(offset, limit), which returns the items and the list's
// total count, and builds its edges. EINVALID, and find's errors.
func offsetConnection[T, E any](r *Resolver, kind string, skip *int, a pageArgs, find func(offset, limit int) ([]T, int, error), edge func(string, T) E) ([]E, *gqlmodel.PageInfo, int, error) {
	limit, offset, err := r.offsetPage(kind, skip, a, func() (int, error) {
		_, total, err := find(0, 1)
		return total, err
	})
	if err != nil {
		return nil, nil, 0, err
	}
	list, total, err := find(offset, limit+1)
	if err != nil {
		return nil, nil, 0, err
	}
	edges, pi := connection(list, limit, offset > 0, offsetCursor[T](kind, offset), edge)
	return edges, pi, total, nil
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
