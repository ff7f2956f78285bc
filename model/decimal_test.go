package model_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
)

// rat parses an exact rational such as "1.005", "-2/3" or "1/3"; it panics
// on a malformed one, which is a broken test.
func rat(s string) *big.Rat {
	q, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational in test: " + s)
	}
	return q
}

func TestParseDecimal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want string // exact value, as Decimal.String (trailing zeros trimmed)
			exp  int32
		}{
			{"1", "1", 0},
			{"1.0825", "1.0825", -4},
			{"0001.5", "1.5", -1},
			{"+2", "2", 0},
			{"-1", "-1", 0},
			{"0", "0", 0},
			{"0.000", "0", -3},
			{"1.50", "1.5", -2}, // keeps its exponent
			{"100.00", "100", -2},
			{"0.000000000000000001", "0.000000000000000001", -18},
			{"123456789012345678", "123456789012345678", 0},
			{"123456789012345678.123456789012345678", "123456789012345678.123456789012345678", -18},
			{"-123456789012345678.123456789012345678", "-123456789012345678.123456789012345678", -18},
			{"999999999999999999.999999999999999999", "999999999999999999.999999999999999999", -18},
			// Leading zeros are not significant integer digits.
			{"000" + strings.Repeat("9", 18), strings.Repeat("9", 18), 0},
		} {
			got, err := model.ParseDecimal("rate", tt.in)
			if err != nil {
				t.Errorf("ParseDecimal(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got.String() != tt.want {
				t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, got.String(), tt.want)
			}
			if got.Exponent() != tt.exp {
				t.Errorf("ParseDecimal(%q) exponent = %d, want %d", tt.in, got.Exponent(), tt.exp)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			" ",
			"abc",
			"1e3",
			"1E3",
			"1.5e-2",
			"NaN",
			"nan",
			"Inf",
			"+Inf",
			"-Infinity",
			"1.",
			".5",
			"-.5",
			"1,5",
			"1 000",
			"0x10",
			"0b1",
			"1_000",
			"--1",
			"+-1",
			"1.2.3",
			"１", // full-width digit
			"1/3",
			strings.Repeat("1", 19),        // 19 integer digits
			"0." + strings.Repeat("1", 19), // 19 fraction digits
			strings.Repeat("9", 19) + ".5", // 19 integer digits with a fraction
			"1." + strings.Repeat("0", 19), // 19 fraction digits, even zeros
			strings.Repeat("1", 18) + "." + strings.Repeat("1", 19), // 18 + 19
		} {
			_, err := model.ParseDecimal("rate", in)
			wantInvalid(t, "ParseDecimal("+quote(in)+")", err, "rate")
		}
	})
}

func TestParsePositiveDecimal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"1", "1"},
			{"1.0825", "1.0825"},
			{"0001.5", "1.5"},
			{"+2", "2"},
			{"0.000000000000000001", "0.000000000000000001"},
		} {
			got, err := model.ParsePositiveDecimal("amount", tt.in)
			if err != nil {
				t.Errorf("ParsePositiveDecimal(%q) error = %v, want nil", tt.in, err)
				continue
			}
			if got.String() != tt.want {
				t.Errorf("ParsePositiveDecimal(%q) = %s, want %s", tt.in, got.String(), tt.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"0", "0.000", "-0", "+0", "-1", "-0.000000000000000001"} {
			_, err := model.ParsePositiveDecimal("amount", in)
			wantInvalid(t, "ParsePositiveDecimal("+quote(in)+")", err, "amount")
			if msg := model.ErrorMessage(err); !strings.Contains(msg, "greater than zero") {
				t.Errorf("ParsePositiveDecimal(%q) message = %q, want it to contain %q", in, msg, "greater than zero")
			}
		}
		// Malformed input is refused before the sign is looked at.
		for _, in := range []string{"", "abc", "1e3", strings.Repeat("1", 19)} {
			_, err := model.ParsePositiveDecimal("amount", in)
			wantInvalid(t, "ParsePositiveDecimal("+quote(in)+")", err, "amount")
		}
	})
}

func TestRequirePositive(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, in := range []string{"1", "0.000000000000000001", "123456789012345678"} {
			if err := model.RequirePositive("rate", dec(in)); err != nil {
				t.Errorf("RequirePositive(%s) = %v, want nil", in, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"0", "0.00", "-1", "-0.000000000000000001"} {
			err := model.RequirePositive("rate", dec(in))
			wantInvalid(t, "RequirePositive("+in+")", err, "rate")
			if msg := model.ErrorMessage(err); !strings.Contains(msg, "greater than zero") {
				t.Errorf("RequirePositive(%s) message = %q, want it to contain %q", in, msg, "greater than zero")
			}
		}
	})
}

func TestRoundHalfUp(t *testing.T) {
	for _, tt := range []struct {
		q      string
		places int
		want   string
	}{
		{"1.005", 2, "1.01"},
		{"1.004", 2, "1.00"},
		{"1.0049999999999999999", 2, "1.00"},
		{"2.675", 2, "2.68"},
		{"0.125", 2, "0.13"},
		{"0.005", 2, "0.01"}, // half-even would give 0.00
		{"0.015", 2, "0.02"},
		{"0.025", 2, "0.03"}, // half-even would give 0.02
		{"0.004", 2, "0.00"},
		{"0", 2, "0.00"},
		{"1", 2, "1.00"},
		{"-1.005", 2, "-1.01"}, // halves away from zero
		{"-1.004", 2, "-1.00"},
		{"-0.125", 2, "-0.13"},
		{"-0.004", 2, "0.00"},
		{"1/3", 2, "0.33"},
		{"2/3", 2, "0.67"},
		{"-2/3", 2, "-0.67"},
		{"1/8", 2, "0.13"},
		{"1/6", 4, "0.1667"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"2.4999", 0, "2"},
		{"1/3", 18, "0.333333333333333333"},
		{"2/3", 18, "0.666666666666666667"},
		{"999999999999999999.995", 2, "1000000000000000000.00"},
		{"123456789012345678901234567891/7", 2, "17636684144620811271604938270.14"},
	} {
		got := model.RoundHalfUp(rat(tt.q), tt.places)
		if s := got.StringFixed(int32(tt.places)); s != tt.want {
			t.Errorf("RoundHalfUp(%s, %d) = %s, want %s", tt.q, tt.places, s, tt.want)
		}
		if got.Exponent() != int32(-tt.places) {
			t.Errorf("RoundHalfUp(%s, %d) exponent = %d, want %d", tt.q, tt.places, got.Exponent(), -tt.places)
		}
	}
}

func TestRatToDecimal(t *testing.T) {
	for _, tt := range []struct {
		q     string
		want  string
		exact bool // the decimal equals q exactly
	}{
		{"1", "1", true},
		{"200", "200", true},
		{"1/4", "0.25", true},
		{"1/8", "0.125", true},
		{"5/4", "1.25", true},
		{"1/10", "0.1", true},
		{"1/20", "0.05", true},
		{"9/10", "0.9", true},
		{"7/250", "0.028", true},
		{"-1/4", "-0.25", true},
		{"1/1024", "0.0009765625", true},
		// A finite expansion longer than RateScale stays exact.
		{"1/1048576", "0.00000095367431640625", true},
		{"1/10000000000000000000000", "0.0000000000000000000001", true},
		{"1/3", "0.333333333333333333", false},
		{"2/3", "0.666666666666666667", false},
		{"-2/3", "-0.666666666666666667", false},
		{"1/6", "0.166666666666666667", false},
		{"1/7", "0.142857142857142857", false},
		{"10/3", "3.333333333333333333", false},
		{"1/12", "0.083333333333333333", false},
	} {
		got := model.RatToDecimal(rat(tt.q))
		if got.String() != tt.want {
			t.Errorf("RatToDecimal(%s) = %s, want %s", tt.q, got.String(), tt.want)
		}
		if isExact := got.Rat().Cmp(rat(tt.q)) == 0; isExact != tt.exact {
			t.Errorf("RatToDecimal(%s) exact = %v, want %v", tt.q, isExact, tt.exact)
		}
		// An exact decimal has no trailing zeros; a rounded one has RateScale places.
		wantExp := -int32(model.RateScale)
		if tt.exact {
			wantExp = 0
			if i := strings.IndexByte(tt.want, '.'); i >= 0 {
				wantExp = -int32(len(tt.want) - i - 1)
			}
		}
		if got.Exponent() != wantExp {
			t.Errorf("RatToDecimal(%s) exponent = %d, want %d", tt.q, got.Exponent(), wantExp)
		}
	}
}
