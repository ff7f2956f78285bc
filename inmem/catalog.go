// Package inmem is the gateway's in-memory read model of currencies and
// rates: every read of either (lists, lookups, conversions) is answered
// from memory, by GraphQL and REST alike, and every write goes to the store
// beneath.
//
// The model is an immutable snapshot swapped atomically, so readers take no
// lock. It is loaded at start; a write through it reloads it before the
// write returns, so that this instance reads its own writes at once; the
// store's catalog feed (model.CatalogSource) makes it reload when another
// instance writes, and after the feed reconnects. A full reload reads two
// tables, which suits a catalog of thousands of rates that change now and
// then (see the README for its size and cost).
package inmem

import (
	"cmp"
	"context"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fxgraph/gateway/model"
)

// Store is what the catalog reads from and writes to.
type Store interface {
	model.CurrencyService
	model.ExchangeRateService
	model.CatalogSource
}

// Catalog serves model.CurrencyService and model.ExchangeRateService from
// memory, writing through to the store.
type Catalog struct {
	store  Store
	logger *slog.Logger

	snap   atomic.Pointer[snapshot]
	loadMu sync.Mutex    // one load at a time
	stale  chan struct{} // a reload is wanted (capacity 1)
	loads  atomic.Int64
}

var (
	_ model.CurrencyService     = (*Catalog)(nil)
	_ model.ExchangeRateService = (*Catalog)(nil)
)

// New returns a catalog over store, empty until Load.
func New(store Store, logger *slog.Logger) *Catalog {
	return &Catalog{store: store, logger: logger, stale: make(chan struct{}, 1)}
}

// Load reads the whole catalog from the store and swaps it in, as a new
// version unless nothing changed (a reconnection's reload, say).
func (c *Catalog) Load(ctx context.Context) error {
	c.loadMu.Lock()
	defer c.loadMu.Unlock()
	currencies, rates, err := c.store.LoadCatalog(ctx)
	if err != nil {
		return err
	}
	if cur := c.snap.Load(); cur != nil && cur.same(currencies, rates) {
		return nil
	}
	s := newSnapshot(currencies, rates)
	s.version = c.loads.Add(1)
	c.snap.Store(s)
	return nil
}

// Loaded reports whether the catalog has been loaded: /readyz is not ready
// before.
func (c *Catalog) Loaded() bool { return c.snap.Load() != nil }

// Version numbers the catalog's loads: two reads that see the same
// version see the same currencies and rates. 0 before the first load.
func (c *Catalog) Version() int64 { return c.current().version }

// Follow reloads the catalog whenever the store's feed says it changed,
// until ctx is done; a failed reload is retried. Signals that come while a
// reload runs make one more reload, not one each.
func (c *Catalog) Follow(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		done <- c.store.FollowCatalog(ctx, c.markStale)
	}()
	retry := time.Duration(0)
	for {
		var wait <-chan time.Time
		if retry > 0 {
			wait = time.After(retry)
		}
		select {
		case <-ctx.Done():
			return <-done
		case <-c.stale:
		case <-wait:
		}
		if err := c.Load(ctx); err != nil {
			if ctx.Err() != nil {
				return <-done
			}
			retry = min(max(2*retry, 100*time.Millisecond), 5*time.Second)
			c.logger.Warn("catalog: reload failed; retrying", "err", err, "in", retry)
			continue
		}
		retry = 0
	}
}

func (c *Catalog) markStale() {
	select {
	case c.stale <- struct{}{}:
	default:
	}
}

// wrote reloads the catalog after a write of this instance committed, so
// that the next read sees it. A failed reload is logged and left to Follow.
func (c *Catalog) wrote(ctx context.Context) {
	if err := c.Load(context.WithoutCancel(ctx)); err != nil {
		c.logger.Warn("catalog: reload after a write failed; retrying in the background", "err", err)
		c.markStale()
	}
}

// current is the snapshot, empty before the first load.
func (c *Catalog) current() *snapshot {
	if s := c.snap.Load(); s != nil {
		return s
	}
	return emptySnapshot
}

// snapshot is the catalog at one moment. Nothing in it is ever modified:
// the values it hands out are shared by every reader.
type snapshot struct {
	version    int64
	currencies []*model.Currency // by code
	byCode     map[string]*model.Currency
	byID       map[int64]*model.Currency
	rates      []*model.ExchangeRate // by id
	byPair     map[model.Pair]*model.ExchangeRate
	touching   map[string][]*model.ExchangeRate // by currency code, by id
}

var emptySnapshot = newSnapshot(nil, nil)

// same reports whether currencies (by code) and rates (by id) are what s
// holds.
func (s *snapshot) same(currencies []*model.Currency, rates []*model.ExchangeRate) bool {
	if len(currencies) != len(s.currencies) || len(rates) != len(s.rates) {
		return false
	}
	for i, c := range currencies {
		o := s.currencies[i]
		if c.ID != o.ID || c.Code != o.Code || c.Name != o.Name || c.Sign != o.Sign || !c.UpdatedAt.Equal(o.UpdatedAt) {
			return false
		}
	}
	for i, r := range rates {
		o := s.rates[i]
		if r.ID != o.ID || r.BaseID != o.BaseID || r.TargetID != o.TargetID || !r.Rate.Equal(o.Rate) ||
			r.Rate.Exponent() != o.Rate.Exponent() || !r.UpdatedAt.Equal(o.UpdatedAt) {
			return false
		}
	}
	return true
}

func newSnapshot(currencies []*model.Currency, rates []*model.ExchangeRate) *snapshot {
	s := &snapshot{
		currencies: currencies,
		byCode:     make(map[string]*model.Currency, len(currencies)),
		byID:       make(map[int64]*model.Currency, len(currencies)),
		rates:      rates,
		byPair:     make(map[model.Pair]*model.ExchangeRate, len(rates)),
		touching:   make(map[string][]*model.ExchangeRate, len(currencies)),
	}
	sort.Slice(s.currencies, func(i, j int) bool { return s.currencies[i].Code < s.currencies[j].Code })
	sort.Slice(s.rates, func(i, j int) bool { return s.rates[i].ID < s.rates[j].ID })
	for _, c := range currencies {
		s.byCode[c.Code] = c
		s.byID[c.ID] = c
	}
	for _, r := range rates {
		s.byPair[model.Pair{Base: r.BaseCode, Target: r.TargetCode}] = r
		s.touching[r.BaseCode] = append(s.touching[r.BaseCode], r)
		s.touching[r.TargetCode] = append(s.touching[r.TargetCode], r)
	}
	return s
}

var errCurrencyNotFound = model.Errorf(model.ENOTFOUND, "Currency not found")

// FindCurrencies returns the page of the currencies ordered by code
// (page.Limit 0: no bound), and the total count.
func (c *Catalog) FindCurrencies(_ context.Context, page model.CodePage) ([]*model.Currency, int, error) {
	s := c.current()
	return pageOf(s.currencies, func(c *model.Currency) string { return c.Code }, page), len(s.currencies), nil
}

// FindCurrencyByCode returns the currency with the code, or ENOTFOUND.
func (c *Catalog) FindCurrencyByCode(_ context.Context, code string) (*model.Currency, error) {
	if cur := c.current().byCode[code]; cur != nil {
		return cur, nil
	}
	return nil, errCurrencyNotFound
}

// FindCurrenciesByCodes returns the currencies with the codes that exist.
func (c *Catalog) FindCurrenciesByCodes(_ context.Context, codes []string) ([]*model.Currency, error) {
	s := c.current()
	out := make([]*model.Currency, 0, len(codes))
	for _, code := range codes {
		if cur := s.byCode[code]; cur != nil {
			out = append(out, cur)
		}
	}
	return out, nil
}

// FindCurrenciesByIDs returns the currencies with the ids that exist.
func (c *Catalog) FindCurrenciesByIDs(_ context.Context, ids []int64) ([]*model.Currency, error) {
	s := c.current()
	out := make([]*model.Currency, 0, len(ids))
	for _, id := range ids {
		if cur := s.byID[id]; cur != nil {
			out = append(out, cur)
		}
	}
	return out, nil
}

// CreateCurrency stores c, then reloads. ECONFLICT, EINVALID.
func (c *Catalog) CreateCurrency(ctx context.Context, cur *model.Currency) error {
	err := c.store.CreateCurrency(ctx, cur)
	if err == nil {
		c.wrote(ctx)
	}
	return err
}

// UpdateCurrency updates the currency in the store, then reloads. ENOTFOUND.
func (c *Catalog) UpdateCurrency(ctx context.Context, code string, upd model.CurrencyUpdate) (*model.Currency, error) {
	cur, err := c.store.UpdateCurrency(ctx, code, upd)
	if err == nil {
		c.wrote(ctx)
	}
	return cur, err
}

// DeleteCurrency deletes the currency and its rates in the store, then
// reloads. ENOTFOUND.
func (c *Catalog) DeleteCurrency(ctx context.Context, code string) (*model.Currency, []*model.ExchangeRate, error) {
	cur, rates, err := c.store.DeleteCurrency(ctx, code)
	if err == nil {
		c.wrote(ctx)
	}
	return cur, rates, err
}

// FindExchangeRates returns the page of the rates matching f ordered by id
// (page.Limit 0: no bound), and the total count of matches.
func (c *Catalog) FindExchangeRates(_ context.Context, f model.RateFilter, page model.Page) ([]*model.ExchangeRate, int, error) {
	s := c.current()
	list := s.rates
	switch {
	case f.BaseCode != "" && f.TargetCode != "":
		list = nil
		if r := s.byPair[model.Pair{Base: f.BaseCode, Target: f.TargetCode}]; r != nil {
			list = []*model.ExchangeRate{r}
		}
	case f.BaseCode != "":
		list = filter(s.touching[f.BaseCode], func(r *model.ExchangeRate) bool { return r.BaseCode == f.BaseCode })
	case f.TargetCode != "":
		list = filter(s.touching[f.TargetCode], func(r *model.ExchangeRate) bool { return r.TargetCode == f.TargetCode })
	}
	return pageOf(list, func(r *model.ExchangeRate) int64 { return r.ID }, page), len(list), nil
}

// FindExchangeRate returns the stored rate of the pair, or ENOTFOUND.
func (c *Catalog) FindExchangeRate(_ context.Context, pair model.Pair) (*model.ExchangeRate, error) {
	if r := c.current().byPair[pair]; r != nil {
		return r, nil
	}
	return nil, model.Errorf(model.ENOTFOUND, "Exchange rate not found")
}

// FindRatesTouching returns every rate whose base or target is one of the
// codes, by id.
func (c *Catalog) FindRatesTouching(_ context.Context, codes ...string) ([]*model.ExchangeRate, error) {
	s := c.current()
	seen := make(map[int64]bool)
	var out []*model.ExchangeRate
	for _, code := range codes {
		for _, r := range s.touching[code] {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CreateExchangeRate stores the rate, then reloads. ENOTFOUND, ECONFLICT.
func (c *Catalog) CreateExchangeRate(ctx context.Context, pair model.Pair, rate model.Decimal) (*model.ExchangeRate, error) {
	r, err := c.store.CreateExchangeRate(ctx, pair, rate)
	if err == nil {
		c.wrote(ctx)
	}
	return r, err
}

// UpdateExchangeRate updates the rate in the store, then reloads. ENOTFOUND.
func (c *Catalog) UpdateExchangeRate(ctx context.Context, pair model.Pair, rate model.Decimal) (prev, cur *model.ExchangeRate, err error) {
	prev, cur, err = c.store.UpdateExchangeRate(ctx, pair, rate)
	if err == nil {
		c.wrote(ctx)
	}
	return prev, cur, err
}

// DeleteExchangeRate deletes the rate in the store, then reloads. ENOTFOUND.
func (c *Catalog) DeleteExchangeRate(ctx context.Context, pair model.Pair) (*model.ExchangeRate, error) {
	r, err := c.store.DeleteExchangeRate(ctx, pair)
	if err == nil {
		c.wrote(ctx)
	}
	return r, err
}

// window is at most limit items of list (0: all). The caller gets a
// slice of the snapshot: it must not change it.
// pageOf returns the window of list (ordered by key) that page selects;
// page.Limit 0 is no bound.
func pageOf[T any, K cmp.Ordered](list []T, key func(T) K, page model.KeyPage[K]) []T {
	var none K
	if !page.Last {
		return window(list[sort.Search(len(list), func(i int) bool { return key(list[i]) > page.After }):], page.Limit)
	}
	if page.Before != none {
		list = list[:sort.Search(len(list), func(i int) bool { return key(list[i]) >= page.Before })]
	}
	if page.Limit > 0 && len(list) > page.Limit {
		list = list[len(list)-page.Limit:]
	}
	return list[:len(list):len(list)]
}

func window[T any](list []T, limit int) []T {
	if limit > 0 && len(list) > limit {
		return list[:limit:limit]
	}
	return list[:len(list):len(list)]
}

func filter(list []*model.ExchangeRate, keep func(*model.ExchangeRate) bool) []*model.ExchangeRate {
	var out []*model.ExchangeRate
	for _, r := range list {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}
