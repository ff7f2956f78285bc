// Package scalar marshals the graph's custom scalars.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
)

// MarshalDecimal writes d as a JSON string keeping its scale: "1.50" stays
// "1.50", so a converted amount always shows two places.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(model.DecimalString(d)))
	})
}

// UnmarshalDecimal reads a Decimal from a string (preferred) or a number
// literal. A float literal is read back in its shortest exact form, so the
// digits a client typed are the digits used. It returns EINVALID.
func UnmarshalDecimal(v any) (decimal.Decimal, error) {
	switch v := v.(type) {
	case string:
		return model.ParseDecimal("value", v)
	case json.Number:
		return model.ParseDecimal("value", v.String())
	case int:
		return decimal.NewFromInt(int64(v)), nil
	case int64:
		return decimal.NewFromInt(v), nil
	case float64:
		return model.ParseDecimal("value", strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return decimal.Decimal{}, model.Invalid("value", "a Decimal must be a string such as \"1.25\", got %s", typeName(v))
	}
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// MarshalInt64ID writes a numeric id as a GraphQL ID: its decimal string.
// Binding ID to int64 fields this way lets them be plain fields, without a
// resolver.
func MarshalInt64ID(id int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [24]byte
		b := append(buf[:0], '"')
		b = strconv.AppendInt(b, id, 10)
		_, _ = w.Write(append(b, '"'))
	})
}

// UnmarshalInt64ID reads a numeric id from a string or an integer;
// EINVALID otherwise.
func UnmarshalInt64ID(v any) (int64, error) {
	switch v := v.(type) {
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, nil
		}
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	}
	return 0, model.Invalid("id", "an id must be a decimal integer")
}
