package store

import (
	"context"
	"sync"

	"github.com/fxgraph/gateway/model"
)

// The SQLite feed: this process's followers of rate and catalog changes,
// called once a write has committed, in commit order.

// committed hands changes that just committed to this process's followers:
// on SQLite they are the whole feed; on PostgreSQL the listener delivers
// them (to every instance alike), so nothing happens here.
func (db *DB) committed(changes ...model.RateChange) {
	if db.isPG() || len(changes) == 0 {
		return
	}
	db.local.mu.Lock()
	for _, c := range changes {
		for _, sink := range db.local.sinks {
			sink(c)
		}
	}
	db.local.mu.Unlock()
	db.catalogChanged()
}

// localFeed is the SQLite feed: the followers of this process.
type localFeed struct {
	mu      sync.Mutex
	next    int
	sinks   map[int]func(model.RateChange)
	catalog map[int]func() // FollowCatalog's followers

	// writes is held by a rate write from before its transaction until its
	// changes are delivered, so that two writes of one pair are delivered
	// in commit order. SQLite has one writer at a time anyway.
	writes sync.Mutex
}

// lockChanges orders the delivery of local changes like their commits: a
// rate write calls it first and the returned function once it has called
// committed. On PostgreSQL the listener sees commit order itself.
func (db *DB) lockChanges() func() {
	if db.isPG() {
		return func() {}
	}
	db.local.writes.Lock()
	return db.local.writes.Unlock
}

// FollowChanges delivers every committed rate change to sink, once, in
// commit order, until ctx is done. On SQLite (one instance) it hears this
// process's writes. On PostgreSQL it LISTENs on a dedicated connection,
// reconnecting with back-off. It calls resync once it follows, and again
// after each reconnection: what committed before that is in the change log
// (ChangesAfter), for subscribers that went live before the feed did.
// sink and resync must not block.
func (db *DB) FollowChanges(ctx context.Context, sink func(model.RateChange), resync func()) error {
	if !db.isPG() {
		followLocally(ctx, db.local, db.local.sinks, sink, resync)
		return nil
	}
	return db.listen(ctx, sink, resync)
}

// followLocally registers f among followers (a map of l) until ctx is
// done; started, if not nil, is called once f is registered.
func followLocally[F any](ctx context.Context, l *localFeed, followers map[int]F, f F, started func()) {
	l.mu.Lock()
	id := l.next
	l.next++
	followers[id] = f
	l.mu.Unlock()
	if started != nil {
		started()
	}
	<-ctx.Done()
	l.mu.Lock()
	delete(followers, id)
	l.mu.Unlock()
}
