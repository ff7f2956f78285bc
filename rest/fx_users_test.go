package rest

import (
	"errors"
	"slices"
	"testing"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/gqlmodel"
)

func TestEachPage(t *testing.T) {
	cursor := func(s string) *string { return &s }
	pages := []*gqlmodel.PageInfo{
		{HasNextPage: true, EndCursor: cursor("a")},
		{HasNextPage: true, EndCursor: cursor("b")},
		{HasNextPage: false, EndCursor: cursor("c")},
	}

	t.Run("OK", func(t *testing.T) {
		var afters []string
		err := eachPage(graph.MaxPageSize, func(first *int, after *string) (*gqlmodel.PageInfo, error) {
			if *first != graph.MaxPageSize {
				t.Errorf("first: got %v, want %v", *first, graph.MaxPageSize)
			}
			a := "<nil>"
			if after != nil {
				a = *after
			}
			afters = append(afters, a)
			return pages[len(afters)-1], nil
		})
		if want := []string{"<nil>", "a", "b"}; err != nil || !slices.Equal(afters, want) {
			t.Errorf("got %v %v, want %v <nil>", afters, err, want)
		}
	})

	t.Run("Err", func(t *testing.T) {
		boom := errors.New("boom")
		calls := 0
		err := eachPage(graph.MaxPageSize, func(*int, *string) (*gqlmodel.PageInfo, error) {
			calls++
			if calls == 2 {
				return nil, boom
			}
			return pages[0], nil
		})
		if !errors.Is(err, boom) || calls != 2 {
			t.Errorf("got %v after %d calls, want boom after 2", err, calls)
		}
	})
}
