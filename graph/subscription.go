package graph

import (
	"context"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/live"
	"github.com/fxgraph/gateway/model"
)

// toGraphChange converts a rate change for subscribers.
func toGraphChange(c model.RateChange) *gqlmodel.RateChange {
	return &gqlmodel.RateChange{
		Kind: c.Kind, Pair: c.Pair.String(), BaseCode: c.Pair.Base, TargetCode: c.Pair.Target,
		Rate: c.Rate, PreviousRate: c.Previous, Sequence: int(c.Seq), At: c.At, Snapshot: c.Snapshot,
	}
}

// rateChanges subscribes to the hub, then (with includeCurrent) reads the
// current rates, and streams both until ctx ends: the subscription is made
// before the snapshot is read, so no change falls between them; a change
// that the snapshot already shows arrives too, with the same or a lower
// sequence number. The channel work runs here, outside the resolvers.
func (r *Resolver) rateChanges(ctx context.Context, base, target *string, includeCurrent bool) (<-chan *gqlmodel.RateChange, error) {
	filter, err := parseRateFilter(base, target)
	if err != nil {
		return nil, err
	}
	sub, err := r.Hub.Subscribe(filter)
	if err != nil {
		return nil, model.Errorf(model.EINTERNAL, "The gateway is shutting down")
	}
	var snapshot []model.RateChange
	if includeCurrent {
		if snapshot, err = r.Snapshots.RateSnapshot(ctx, filter); err != nil {
			r.Hub.Unsubscribe(sub)
			return nil, err
		}
	}
	out := make(chan *gqlmodel.RateChange, 1)
	go func() {
		defer close(out)
		defer r.Hub.Unsubscribe(sub)
		send := func(c model.RateChange) bool {
			select {
			case out <- toGraphChange(c):
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, c := range snapshot {
			if !send(c) {
				return
			}
		}
		for {
			changes, err := sub.Next(ctx)
			if err != nil {
				if err == live.ErrTooSlow {
					r.Logger.Warn("subscription dropped: subscriber too slow")
				}
				return
			}
			for _, c := range changes {
				if !send(c) {
					return
				}
			}
		}
	}()
	return out, nil
}
