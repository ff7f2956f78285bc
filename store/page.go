package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

// scanPage scans into rows (the model of q) the window of a list ordered
// by column that page selects: ascending after page.After, or, with
// page.Last, the last page.Limit before page.Before, read descending and
// put back in order. column is the store's own SQL, such as "c.code".
func scanPage[R any, K cmp.Ordered](ctx context.Context, q *bun.SelectQuery, rows *[]*R, column string, page model.KeyPage[K]) error {
	var none K
	q = q.Limit(int64(page.Limit))
	order := " ASC"
	switch {
	case page.Last:
		order = " DESC"
		if page.Before != none {
			q = q.Where(column+" < ?", page.Before)
		}
	case page.After != none:
		q = q.Where(column+" > ?", page.After)
	}
	if err := q.OrderExpr(column + order).Scan(ctx); err != nil {
		return err
	}
	if page.Last {
		slices.Reverse(*rows)
	}
	return nil
}
