// Package auth issues and verifies the gateway's tokens (one JWT format for
// every surface, HMAC-SHA256 pinned), hashes passwords, and keeps the
// revocation cache that lets a request be authenticated without a database
// round trip.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/fxgraph/gateway/model"
)

// Lifetimes of the tokens of one login flow; Refresh 0 issues no refresh
// token.
type Lifetimes struct {
	Access  time.Duration
	Refresh time.Duration
}

// DefaultLifetimes are rules §3's.
func DefaultLifetimes() map[model.LoginFlow]Lifetimes {
	return map[model.LoginFlow]Lifetimes{
		model.FlowFX:       {Access: 30 * time.Minute, Refresh: 14 * 24 * time.Hour},
		model.FlowV1:       {Access: 8 * 24 * time.Hour},
		model.FlowAccounts: {Access: 24 * time.Hour},
	}
}

// Claims are the claims of every token.
type Claims struct {
	jwt.RegisteredClaims
	TokenType model.TokenType `json:"token_type"`
	Scopes    []model.Scope   `json:"scopes"`
	DeviceID  string          `json:"device_id"`
}

// Issuer signs and verifies tokens.
type Issuer struct {
	key       []byte
	issuer    string
	audience  string
	lifetimes map[model.LoginFlow]Lifetimes
	now       func() time.Time
	parser    *jwt.Parser
}

// MinKeyLen is the shortest signing key accepted: 256 bits for HS256.
const MinKeyLen = 32

// NewIssuer returns an issuer signing with key (at least MinKeyLen bytes)
// and naming name as both issuer and audience.
func NewIssuer(key []byte, name string, lifetimes map[model.LoginFlow]Lifetimes, now func() time.Time) (*Issuer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("auth: signing key must be at least %d bytes, got %d", MinKeyLen, len(key))
	}
	return &Issuer{
		key: key, issuer: name, audience: name, lifetimes: lifetimes, now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(name),
			jwt.WithAudience(name),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(now),
			jwt.WithLeeway(5*time.Second),
		),
	}, nil
}

// NewKey returns a random signing key, base64 encoded.
func NewKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: generate key: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// Issued is what one login or refresh hands out.
type Issued struct {
	AccessToken      string
	AccessExpiresIn  time.Duration
	RefreshToken     string // "" when the flow has none
	RefreshExpiresIn time.Duration
	Scopes           []model.Scope
	// Records are the tokens to store, access first.
	Records []*model.Token
}

// Issue signs the tokens of flow for u on device. EINVALID for an unknown
// flow.
func (i *Issuer) Issue(u *model.User, device string, flow model.LoginFlow) (*Issued, error) {
	lt, ok := i.lifetimes[flow]
	if !ok {
		return nil, model.Errorf(model.EINVALID, "Unknown login flow %q", flow)
	}
	out := &Issued{Scopes: u.Category.Scopes(), AccessExpiresIn: lt.Access, RefreshExpiresIn: lt.Refresh}
	var err error
	if out.AccessToken, err = i.sign(u, device, model.TokenAccess, lt.Access, out); err != nil {
		return nil, err
	}
	if lt.Refresh > 0 {
		if out.RefreshToken, err = i.sign(u, device, model.TokenRefresh, lt.Refresh, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (i *Issuer) sign(u *model.User, device string, typ model.TokenType, ttl time.Duration, out *Issued) (string, error) {
	now := i.now().UTC().Truncate(time.Second)
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        uuid.NewString(),
			Subject:   fmt.Sprint(u.ID),
			Issuer:    i.issuer,
			Audience:  jwt.ClaimStrings{i.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		TokenType: typ,
		Scopes:    out.Scopes,
		DeviceID:  device,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	out.Records = append(out.Records, &model.Token{ID: c.ID, UserID: u.ID, DeviceID: device, Type: typ,
		IssuedAt: now, ExpiresAt: now.Add(ttl)})
	return s, nil
}

// The refusals of a token share their code and message, which the legacy
// surfaces document; GraphQL tells them apart by their Reason. "expired" is
// said only of a token whose signature is good; every other failure
// (signature, issuer, audience, claims, form) is "invalid", with no more
// detail.
var (
	errInvalidToken = &model.Error{Code: model.EUNAUTHORIZED, Message: "Could not validate credentials", Reason: "invalid"}
	errExpiredToken = &model.Error{Code: model.EUNAUTHORIZED, Message: "Could not validate credentials", Reason: "expired"}
	errRevokedToken = &model.Error{Code: model.EUNAUTHORIZED, Message: "Could not validate credentials", Reason: "revoked"}
)

// errAmbiguous refuses a request that carries more than one credential.
var errAmbiguous = model.Errorf(model.EUNAUTHORIZED, "Could not validate credentials: send one Authorization header")

// Verify checks a token's signature (HS256 only: "none" and every other
// algorithm are refused), issuer, audience, expiry and issue time, and its
// type. A valid token of the other type is EFORBIDDEN; anything else wrong
// is EUNAUTHORIZED. Revocation is the caller's check.
func (i *Issuer) Verify(raw string, want model.TokenType) (*Claims, error) {
	var c Claims
	tok, err := i.parser.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return i.key, nil })
	if errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return nil, errExpiredToken
	}
	if err != nil || !tok.Valid || c.ID == "" || c.Subject == "" {
		return nil, errInvalidToken
	}
	if c.TokenType != want {
		if c.TokenType == model.TokenRefresh || c.TokenType == model.TokenAccess {
			return nil, model.Errorf(model.EFORBIDDEN, "This %s token cannot be used here", c.TokenType)
		}
		return nil, errInvalidToken
	}
	return &c, nil
}

// UserID returns the user id of verified claims.
func (c *Claims) UserID() (int64, error) {
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0, errInvalidToken
	}
	return id, nil
}
