package graph_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// seedManyRates stores n rates between generated currencies (AAA, AAB, …),
// straight through the store.
func seedManyRates(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	k := 2
	for k*(k-1) < n {
		k++
	}
	codes := make([]string, k)
	for i := range codes {
		codes[i] = string([]byte{'A' + byte(i/676%26), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		if err := db.CreateCurrency(ctx, &model.Currency{Code: codes[i], Name: "Currency " + codes[i], Sign: "¤"}); err != nil {
			t.Fatalf("create currency %s: %v", codes[i], err)
		}
	}
	made := 0
	for i := 0; i < k && made < n; i++ {
		for j := 0; j < k && made < n; j++ {
			if i == j {
				continue
			}
			rate := decimal.New(int64(100+i*k+j), -2)
			if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: codes[i], Target: codes[j]}, rate); err != nil {
				t.Fatalf("create rate: %v", err)
			}
			made++
		}
	}
}

// introspectionQuery is the query GraphiQL sends on load.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
