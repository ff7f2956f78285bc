package model

import (
	"context"
	"time"
)

// TokenType tells an access token from a refresh token.
type TokenType string

// The token types.
const (
	TokenAccess  TokenType = "access"
	TokenRefresh TokenType = "refresh"
)

// Token is the record of an issued token, kept so that it can be revoked.
type Token struct {
	ID        string // the JWT's jti
	UserID    int64
	DeviceID  string
	Type      TokenType
	IssuedAt  time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// LoginFlow names a login route; each has its own token lifetimes.
type LoginFlow string

// The login flows of rules §3. GraphQL logs in with the fx flow.
const (
	FlowFX       LoginFlow = "fx"       // access + refresh
	FlowV1       LoginFlow = "v1"       // access only
	FlowAccounts LoginFlow = "accounts" // access only
)

// TokenService is the persistence of issued tokens.
type TokenService interface {
	// CreateTokens records tokens issued together. When revokeDevice is set
	// it first revokes the user's live tokens on that device, in the same
	// transaction (a new login on a device).
	CreateTokens(ctx context.Context, revokeDevice bool, tokens ...*Token) error
	// FindToken returns ENOTFOUND for an unknown id.
	FindToken(ctx context.Context, id string) (*Token, error)
	// RotateRefreshToken revokes the refresh token old and records the new
	// tokens, in one transaction. When old was revoked already (a reuse)
	// it revokes every token of old's device instead and returns
	// EFORBIDDEN.
	RotateRefreshToken(ctx context.Context, old string, tokens ...*Token) error
	// RevokeTokens revokes the user's tokens with the ids, or all of them
	// when ids is empty, and returns the ids it revoked.
	RevokeTokens(ctx context.Context, userID int64, ids []string) ([]string, error)
	// RevokedSince returns the unexpired tokens revoked at or after since;
	// for the revocation cache.
	RevokedSince(ctx context.Context, since time.Time) ([]*Token, error)
}
