package auth_test

import (
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/model"
)

// BenchmarkVerify is the JWT work of every authenticated request.
func BenchmarkVerify(b *testing.B) {
	i, err := auth.NewIssuer(authKey, authName, auth.DefaultLifetimes(), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	out, err := i.Issue(&model.User{ID: 42, Category: model.CategoryAdmin}, "bench", model.FlowFX)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := i.Verify(out.AccessToken, model.TokenAccess); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := i.Verify(out.AccessToken, model.TokenAccess); err != nil {
			b.Fatal(err)
		}
	}
}

// benchHasher is a hasher at bcrypt.DefaultCost (10): the cost of a login.
func benchHasher(b *testing.B) *auth.Hasher {
	b.Helper()
	h, err := auth.NewHasher(bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkHash is registering a user or changing a password.
func BenchmarkHash(b *testing.B) {
	h := benchHasher(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash("correct-horse-battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is the password check of a login.
func BenchmarkCheck(b *testing.B) {
	h := benchHasher(b)
	hash, err := h.Hash("correct-horse-battery")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !h.Check(hash, "correct-horse-battery") {
			b.Fatal("Check refused the password")
		}
	}
}
