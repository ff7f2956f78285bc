package auth

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Hasher hashes and checks passwords with bcrypt.
type Hasher struct {
	cost  int
	dummy []byte // compared against for unknown users, so timing tells nothing
}

// The bcrypt costs a Hasher accepts: the configuration's bounds too.
const (
	MinCost = bcrypt.MinCost
	MaxCost = bcrypt.MaxCost
)

// NewHasher returns a bcrypt hasher of the cost (bcrypt.MinCost to
// bcrypt.MaxCost; bcrypt.DefaultCost is 10).
func NewHasher(cost int) (*Hasher, error) {
	if cost < MinCost || cost > MaxCost {
		return nil, fmt.Errorf("auth: bcrypt cost must be %d to %d, got %d", MinCost, MaxCost, cost)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cost)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return &Hasher{cost: cost, dummy: dummy}, nil
}

// Hash returns the bcrypt hash of a password that passed the policy.
func (h *Hasher) Hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash: %w", err)
	}
	return string(b), nil
}

// Check reports whether password matches hash. With an empty hash (no such
// user) it still spends the time of a comparison and reports false.
func (h *Hasher) Check(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password))
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return err == nil
}
