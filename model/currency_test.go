package model_test

import (
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
)

func TestParseCode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"usd", "USD"},
			{"UsD", "USD"},
			{"USD", "USD"},
			{"eur", "EUR"},
			{"aZz", "AZZ"},
		} {
			got, err := model.ParseCode("code", tt.in)
			if err != nil {
				t.Errorf("ParseCode(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got != tt.want {
				t.Errorf("ParseCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"US",
			"USDX",
			"U1D",
			"ÜSD", // non-ASCII, four bytes
			"ÜS",  // non-ASCII, three bytes
			"SÜ",  // non-ASCII, three bytes
			"us ",
			" us",
			"€€€",
			"U-D",
			"U@D", // '@' is 'A'-1
			"U[D", // '[' is 'Z'+1
			"U`D", // '`' is 'a'-1
			"U{D", // '{' is 'z'+1
			"U\x00D",
			"\xc1SD", // invalid UTF-8 whose low bits look like a letter
		} {
			got, err := model.ParseCode("base", in)
			if got != "" {
				t.Errorf("ParseCode(%q) = %q, want \"\"", in, got)
			}
			wantInvalid(t, "ParseCode("+quote(in)+")", err, "base")
		}
	})
}

func TestParsePair(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want model.Pair
		}{
			{"usdeur", model.Pair{Base: "USD", Target: "EUR"}},
			{"USDEUR", model.Pair{Base: "USD", Target: "EUR"}},
			{"gBpJpY", model.Pair{Base: "GBP", Target: "JPY"}},
			// ParsePair only parses; Validate refuses a currency with itself.
			{"usdusd", model.Pair{Base: "USD", Target: "USD"}},
		} {
			got, err := model.ParsePair("pair", tt.in)
			if err != nil {
				t.Errorf("ParsePair(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got != tt.want {
				t.Errorf("ParsePair(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.want.Base+tt.want.Target {
				t.Errorf("ParsePair(%q).String() = %q, want %q", tt.in, got.String(), tt.want.Base+tt.want.Target)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"usd",
			"usdeu",
			"usdeurx",
			"usd-eu",
			"usd eur",
			"usdeu ",
			"usd1eu",
			"ü",
			"üsdeu", // six bytes, not six letters
			"usdeü", // six bytes, not six letters
			"üüü",   // six bytes
			"usdéur",
			"€€",
		} {
			got, err := model.ParsePair("pair", in)
			if got != (model.Pair{}) {
				t.Errorf("ParsePair(%q) = %+v, want zero Pair", in, got)
			}
			wantInvalid(t, "ParsePair("+quote(in)+")", err, "pair")
		}
	})
}

func TestPairValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		if err := (model.Pair{Base: "USD", Target: "EUR"}).Validate(); err != nil {
			t.Errorf("Pair{USD EUR}.Validate() = %v, want nil", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		p, err := model.ParsePair("pair", "usdusd")
		if err != nil {
			t.Fatalf("ParsePair(usdusd) error = %v, want nil", err)
		}
		wantInvalid(t, "Pair{USD USD}.Validate()", p.Validate(), "target")
	})
}

func TestNewPair(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := model.NewPair("base", "usd", "target", "Eur")
		if err != nil {
			t.Fatalf("NewPair(usd, Eur) error = %v, want nil", err)
		}
		if want := (model.Pair{Base: "USD", Target: "EUR"}); got != want {
			t.Errorf("NewPair(usd, Eur) = %+v, want %+v", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ base, target, field string }{
			{"usd", "usd", "target"},
			{"usd", "USD", "target"},
			{"us", "eur", "baseCurrencyCode"},
			{"usd", "eurx", "targetCurrencyCode"},
			{"", "", "baseCurrencyCode"},
			{"ÜSD", "eur", "baseCurrencyCode"},
		} {
			_, err := model.NewPair("baseCurrencyCode", tt.base, "targetCurrencyCode", tt.target)
			wantInvalid(t, "NewPair("+quote(tt.base)+", "+quote(tt.target)+")", err, tt.field)
		}
	})
}

func TestNewCurrency(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := model.NewCurrency("usd", "  US Dollar\t", " $ ")
		if err != nil {
			t.Fatalf("NewCurrency(usd, US Dollar, $) error = %v, want nil", err)
		}
		if c.Code != "USD" || c.Name != "US Dollar" || c.Sign != "$" {
			t.Errorf("NewCurrency(usd, US Dollar, $) = {Code:%q Name:%q Sign:%q}, want {USD US Dollar $}", c.Code, c.Name, c.Sign)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ code, name, sign, field string }{
			{"us", "US Dollar", "$", "code"},
			{" usd", "US Dollar", "$", "code"},
			{"usd", "", "$", "name"},
			{"usd", " \t\n", "$", "name"},
			{"usd", strings.Repeat("n", 65), "$", "name"},
			{"usd", "US Dollar", "", "sign"},
			{"usd", "US Dollar", "   ", "sign"},
			{"usd", "US Dollar", strings.Repeat("$", 9), "sign"},
		} {
			c, err := model.NewCurrency(tt.code, tt.name, tt.sign)
			if c != nil {
				t.Errorf("NewCurrency(%q, %q, %q) = %+v, want nil", tt.code, tt.name, tt.sign, c)
			}
			wantInvalid(t, "NewCurrency("+quote(tt.code)+", "+quote(tt.name)+", "+quote(tt.sign)+")", err, tt.field)
		}
	})
}

func TestParseCurrencyName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"Euro", "Euro"},
			{"  Euro  ", "Euro"},
			{"\tPound Sterling\n", "Pound Sterling"},
			{"\u00a0Yen\u00a0", "Yen"},
			{strings.Repeat("a", 64), strings.Repeat("a", 64)},
			// 64 runes but 128 bytes: the limit counts characters.
			{strings.Repeat("é", 64), strings.Repeat("é", 64)},
			{strings.Repeat("€", 64), strings.Repeat("€", 64)},
			// Surrounding blanks do not count.
			{"  " + strings.Repeat("a", 64) + "  ", strings.Repeat("a", 64)},
		} {
			got, err := model.ParseCurrencyName(tt.in)
			if err != nil {
				t.Errorf("ParseCurrencyName(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got != tt.want {
				t.Errorf("ParseCurrencyName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"   ",
			"\t\n",
			strings.Repeat("a", 65),
			strings.Repeat("é", 65),
			"Euro\xff",
		} {
			got, err := model.ParseCurrencyName(in)
			if got != "" {
				t.Errorf("ParseCurrencyName(%q) = %q, want \"\"", in, got)
			}
			wantInvalid(t, "ParseCurrencyName("+quote(in)+")", err, "name")
		}
	})
}

func TestParseCurrencySign(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"$", "$"},
			{" € ", "€"},
			{"12345678", "12345678"},
			{strings.Repeat("€", 8), strings.Repeat("€", 8)},
			{" " + strings.Repeat("£", 8) + " ", strings.Repeat("£", 8)},
		} {
			got, err := model.ParseCurrencySign(tt.in)
			if err != nil {
				t.Errorf("ParseCurrencySign(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got != tt.want {
				t.Errorf("ParseCurrencySign(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", " ", "123456789", strings.Repeat("€", 9), "\xff"} {
			got, err := model.ParseCurrencySign(in)
			if got != "" {
				t.Errorf("ParseCurrencySign(%q) = %q, want \"\"", in, got)
			}
			wantInvalid(t, "ParseCurrencySign("+quote(in)+")", err, "sign")
		}
	})
}
