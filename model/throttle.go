package model

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// ERATELIMITED is the code of a request refused for now because of what
// came before it (too many failed logins): answered 429 with Retry-After.
const ERATELIMITED = "rate_limited"

// RateLimited returns an ERATELIMITED error that may be retried after d.
func RateLimited(d time.Duration) *Error {
	return &Error{Code: ERATELIMITED, Message: "Too many failed logins: try again later", RetryAfter: d}
}

// ErrorRetryAfter returns how long the client of an ERATELIMITED error
// should wait, rounded up to whole seconds (at least one); 0 for any other.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if !errors.As(err, &e) || e.Code != ERATELIMITED {
		return 0
	}
	return max((e.RetryAfter + time.Second - 1).Truncate(time.Second), time.Second)
}

// Throttle is the rule for failed logins, counted in fixed windows in the
// store that every instance shares:
//   - Failures of one login name from one client address within Window
//     refuse that name from that address until the window ends;
//   - AddressFailures from one client address, whatever the names, refuse
//     every login from that address until the window ends.
//
// A victim's login name is never refused to the victim's own address for
// the failures of an attacker elsewhere: nobody can lock an account.
type Throttle struct {
	Failures        int
	AddressFailures int
	Window          time.Duration
}

// DefaultThrottle is 10 failures of a name, or 100 of an address, in 15
// minutes.
func DefaultThrottle() Throttle {
	return Throttle{Failures: 10, AddressFailures: 100, Window: 15 * time.Minute}
}

// Enabled reports whether the throttle counts anything.
func (t Throttle) Enabled() bool { return t.Window > 0 && t.Failures > 0 && t.AddressFailures > 0 }

// LoginKeys are the counters a login attempt touches. The store keeps only
// their hashes: a login name may be a mistyped password.
type LoginKeys struct {
	Name    string // the login name (case-folded) from the address
	Address string // the address, any login name
}

// ThrottleKeys returns the counters of a login with the name from addr.
func ThrottleKeys(login, addr string) LoginKeys {
	return LoginKeys{
		Name:    hashKey("name\x00" + strings.ToLower(strings.TrimSpace(login)) + "\x00" + addr),
		Address: hashKey("addr\x00" + addr),
	}
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// LoginFailures is what the store counted for one key: the failures since
// WindowStart.
type LoginFailures struct {
	Key         string
	Count       int
	WindowStart time.Time
}

// RetryAfter returns how long the login with keys must wait, given what
// the store counted for them with this attempt included; 0 when it may go
// on now.
func (t Throttle) RetryAfter(keys LoginKeys, counted []LoginFailures, now time.Time) time.Duration {
	var wait time.Duration
	for _, f := range counted {
		limit := t.Failures
		if f.Key == keys.Address {
			limit = t.AddressFailures
		}
		if end := f.WindowStart.Add(t.Window); f.Count > limit && end.After(now) {
			wait = max(wait, end.Sub(now))
		}
	}
	return wait
}

// LoginFailureService counts failed logins per key, for every instance.
type LoginFailureService interface {
	// AddLoginFailures adds delta (one attempt, or -1 to take one back)
	// to each key's count, starting a new window for a key whose window is
	// older than window, and returns the counts after it.
	AddLoginFailures(ctx context.Context, window time.Duration, delta int, keys ...string) ([]LoginFailures, error)
	// ClearLoginFailures forgets the keys' failures.
	ClearLoginFailures(ctx context.Context, keys ...string) error
}

type clientAddrKey struct{}

// NewContextWithClientAddr returns ctx carrying the client's network
// address (its IP, without the port), for the login throttle.
func NewContextWithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFromContext returns the client's address, or "".
func ClientAddrFromContext(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}
