package model_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
)

// BenchmarkModelConvert measures the conversion rules alone, without I/O: a
// GBP→JPY cross rate through USD over rates shaped like the demo set.
func BenchmarkModelConvert(b *testing.B) {
	var rates []*model.ExchangeRate
	for i, r := range [][3]string{
		{"USD", "EUR", "0.8650"},
		{"USD", "GBP", "0.7610"},
		{"USD", "JPY", "156.40"},
		{"USD", "CHF", "0.8040"},
		{"USD", "CAD", "1.4050"},
		{"USD", "AUD", "1.5420"},
		{"USD", "CNY", "7.1150"},
		{"USD", "INR", "88.65"},
		{"USD", "BRL", "5.3300"},
		{"EUR", "SEK", "10.9500"},
		{"EUR", "NOK", "11.7200"},
		{"EUR", "GBP", "0.8800"},
	} {
		rates = append(rates, &model.ExchangeRate{
			ID: int64(i + 1), BaseCode: r[0], TargetCode: r[1], Rate: decimal.RequireFromString(r[2]),
		})
	}
	amount := decimal.RequireFromString("100")
	c, err := model.Convert("GBP", "JPY", amount, rates)
	if err != nil {
		b.Fatal(err)
	}
	if c.Path != model.PathCross || c.Via != "USD" {
		b.Fatalf("path %s via %q, want CROSS via USD", c.Path, c.Via)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := model.Convert("GBP", "JPY", amount, rates); err != nil {
			b.Fatal(err)
		}
	}
}
