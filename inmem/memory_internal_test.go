package inmem

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
)

// BenchmarkSnapshotMemory reports the heap a snapshot takes per currency
// and per rate (the values as the store returns them, and the indexes), for
// the README's sizing: go test -run '^$' -bench SnapshotMemory ./inmem/
func BenchmarkSnapshotMemory(b *testing.B) {
	for _, size := range []struct{ currencies, rates int }{{200, 0}, {200, 10000}} {
		b.Run(fmt.Sprintf("%dcurrencies_%drates", size.currencies, size.rates), func(b *testing.B) {
			var before, after runtime.MemStats
			var s *snapshot
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				currencies, rates := syntheticCatalog(size.currencies, size.rates)
				s = newSnapshot(currencies, rates)
				runtime.GC()
				runtime.ReadMemStats(&after)
			}
			runtime.KeepAlive(s)
			heap := float64(after.HeapAlloc - before.HeapAlloc)
			if size.rates == 0 {
				b.ReportMetric(heap/float64(size.currencies), "B/currency")
			} else {
				b.ReportMetric(heap/float64(size.rates), "B/rate")
			}
		})
	}
}

func syntheticCatalog(nc, nr int) ([]*model.Currency, []*model.ExchangeRate) {
	now := time.Now().UTC()
	currencies := make([]*model.Currency, nc)
	for i := range currencies {
		code := fmt.Sprintf("%c%c%c", 'A'+i/676, 'A'+i/26%26, 'A'+i%26)
		currencies[i] = &model.Currency{ID: int64(i + 1), Code: code, Name: "Currency " + code, Sign: "¤", CreatedAt: now, UpdatedAt: now}
	}
	rates := make([]*model.ExchangeRate, 0, nr)
	for i := 0; len(rates) < nr; i++ {
		b, t := currencies[i%nc], currencies[(i/nc+1+i)%nc]
		if b == t {
			continue
		}
		rates = append(rates, &model.ExchangeRate{ID: int64(len(rates) + 1), BaseID: b.ID, TargetID: t.ID, BaseCode: b.Code, TargetCode: t.Code,
			Rate: decimal.New(int64(10000+i), -4), CreatedAt: now, UpdatedAt: now})
	}
	return currencies, rates
}
