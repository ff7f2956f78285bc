package model

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Category is what a user is to the fx service; it decides their scopes.
type Category string

// The categories, lowest first.
const (
	CategoryAnonymousClient Category = "ANONYMOUS_CLIENT"
	CategoryAPIClient       Category = "API_CLIENT"
	CategoryManager         Category = "MANAGER"
	CategoryAdmin           Category = "ADMIN"
)

// rank orders categories for promotion and downgrade: the fx service's
// `to` values are 1 ADMIN, 0 MANAGER, -1 API_CLIENT.
var categoryRank = map[Category]int{
	CategoryAnonymousClient: -2,
	CategoryAPIClient:       -1,
	CategoryManager:         0,
	CategoryAdmin:           1,
}

// Valid reports whether c is one of the four categories.
func (c Category) Valid() bool {
	_, ok := categoryRank[c]
	return ok
}

// Scopes returns the scopes of rules §3 that a token of a user of the
// category carries.
func (c Category) Scopes() []Scope {
	switch c {
	case CategoryAdmin:
		return []Scope{ScopeAll}
	case CategoryAPIClient, CategoryManager:
		return []Scope{ScopeCurrencyRead, ScopeCurrencyCreate, ScopeCurrencyUpdate, ScopeRateRead, ScopeRateCreate, ScopeRateUpdate}
	case CategoryAnonymousClient:
		return []Scope{ScopeCurrencyRead, ScopeRateRead}
	}
	return nil
}

// CategoryFromTransition maps the fx service's `to` value to a category.
// It returns EINVALID for any other value.
func CategoryFromTransition(to int) (Category, error) {
	for c, r := range categoryRank {
		if r == to && c != CategoryAnonymousClient {
			return c, nil
		}
	}
	return "", Invalid("to", "to must be 1 (ADMIN), 0 (MANAGER) or -1 (API_CLIENT), got %d", to)
}

// CheckTransition returns ECONFLICT, with a message that says why, unless
// moving a user from cur to next is a promotion (up) or a downgrade (!up)
// that the fx admin routes allow: the category must change in that
// direction, and ADMIN is never a target.
func CheckTransition(cur, next Category, up bool) error {
	switch {
	case next == CategoryAdmin:
		return Errorf(ECONFLICT, "A user cannot be made ADMIN by a category change")
	case next == cur:
		return Errorf(ECONFLICT, "The user's category is already %s", cur)
	case up && categoryRank[next] < categoryRank[cur]:
		return Errorf(ECONFLICT, "Promotion must raise the category: %s is below %s", next, cur)
	case !up && categoryRank[next] > categoryRank[cur]:
		return Errorf(ECONFLICT, "Downgrade must lower the category: %s is above %s", next, cur)
	}
	return nil
}

// CheckActivation returns ECONFLICT, saying why, unless the fx admin routes
// may set u's active flag to active: it must change, and an ADMIN is
// neither activated nor deactivated there.
func CheckActivation(u *User, active bool) error {
	switch {
	case u.Category == CategoryAdmin:
		return Errorf(ECONFLICT, "The user is an ADMIN")
	case active && u.Active:
		return Errorf(ECONFLICT, "The user is already active")
	case !active && !u.Active:
		return Errorf(ECONFLICT, "The user is already deactivated")
	}
	return nil
}

// User is one identity, seen by every surface (rules §2).
type User struct {
	ID              int64  // fx and accounts id
	UUID            string // v1 and v2 id
	Username        *string
	Email           *string // stored lower-case
	FullName        *string
	Age             *int
	Gender          *int
	AuthMethod      int
	Category        Category
	Active          bool
	ReworkAvailable int
	AvatarURL       *string
	PasswordHash    string // never leaves the store and the hasher
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// IsAdmin reports whether the user is an ADMIN (v1 is_superuser, accounts
// is_admin).
func (u *User) IsAdmin() bool { return u.Category == CategoryAdmin }

// Login returns the name the user signs in with: the username, else the
// email.
func (u *User) Login() string {
	if u.Username != nil {
		return *u.Username
	}
	if u.Email != nil {
		return *u.Email
	}
	return ""
}

// UserUpdate holds the fields of a user to change; nil leaves one as it is.
type UserUpdate struct {
	Username        *string
	Email           *string
	FullName        *string
	Age             *int
	Gender          *int
	AuthMethod      *int
	Category        *Category
	Active          *bool
	AvatarURL       *string
	PasswordHash    *string
	ReworkAvailable *int
	// KeepSession, with a new PasswordHash, names the session that made the
	// change: its tokens stay valid; every other token of the user is
	// revoked (rules §7). Nil revokes them all.
	KeepSession *Session
}

// Session is the tokens of one sign-in: the token in use and, when it was
// issued for a device, every token of that device (its refresh token).
type Session struct {
	TokenID  string
	DeviceID string
}

// SessionOf returns the session of p's token, nil when p signed in
// without one (HTTP Basic).
func SessionOf(p *Principal) *Session {
	if p == nil || p.TokenID == "" {
		return nil
	}
	return &Session{TokenID: p.TokenID, DeviceID: p.DeviceID}
}

// UserFilter selects users; zero fields match everything.
type UserFilter struct {
	Username string
	Search   string // username, email or full name contains, case-insensitive
	Offset   int
	Limit    int // 0: no limit
}

// UserService is the persistence of users.
type UserService interface {
	// CreateUser inserts u and sets its ids and timestamps. ECONFLICT when
	// the username or email is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns ENOTFOUND when no user has the id.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByUUID returns ENOTFOUND when no user has the UUID.
	FindUserByUUID(ctx context.Context, uuid string) (*User, error)
	// FindUsersByIDs returns the users with the ids, in any order.
	FindUsersByIDs(ctx context.Context, ids []int64) ([]*User, error)
	// FindUserByLogin finds a user by username or, failing that, by email.
	// ENOTFOUND when neither matches.
	FindUserByLogin(ctx context.Context, login string) (*User, error)
	// FindUsers returns users ordered by id and the total count.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// UpdateUser applies upd. ENOTFOUND, ECONFLICT on a taken username or
	// email, and ECONFLICT when it would leave no active ADMIN. Disabling
	// a user or changing their category revokes all their tokens, in the
	// same transaction.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// DeleteUser deletes a user and revokes their tokens. ENOTFOUND, and
	// ECONFLICT when the user is the last active ADMIN.
	DeleteUser(ctx context.Context, id int64) error
}

// Field rules of users.
const (
	MinUsernameLen             = 3
	MinRegistrationUsernameLen = 5 // fx registration
	MaxUsernameLen             = 64
	MinPasswordLen             = 8
	MaxPasswordLen             = 72 // bcrypt reads no further
	MaxEmailLen                = 254
	MaxFullNameLen             = 255
	DefaultRework              = 2
	MaxAge, MinAge             = 120, 1
	MaxGender                  = 2
	MaxAuthMethod              = 3
	MaxAvatarURLLen            = 2048
	MaxSearchLen               = 255
	MaxDeviceIDLength          = 128
)

var (
	usernamePattern             = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	registrationUsernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// ParseUsername returns EINVALID unless s is 3 to 64 letters, digits,
// underscores or hyphens: the rule of every stored username, wide enough
// for every surface's own (fx registration, v2 names).
func ParseUsername(field, s string) (string, error) {
	if n := len(s); n < MinUsernameLen || n > MaxUsernameLen || !usernamePattern.MatchString(s) {
		return "", Invalid(field, "%s must be %d to %d letters, digits, underscores or hyphens", field, MinUsernameLen, MaxUsernameLen)
	}
	return s, nil
}

// CheckRegistrationUsername returns EINVALID unless s is at least 5 word
// characters (letters, digits, underscore): the fx registration rule
// (rules §6), stricter than ParseUsername.
func CheckRegistrationUsername(field, s string) error {
	if len(s) < MinRegistrationUsernameLen || !registrationUsernamePattern.MatchString(s) {
		return Invalid(field, "%s must be at least %d letters, digits or underscores", field, MinRegistrationUsernameLen)
	}
	return nil
}

// CheckPassword returns EINVALID unless s is 8 to 72 characters with no
// white space (rules §6, and bcrypt's limit).
func CheckPassword(field, s string) error {
	if err := CheckText(field, s); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) < MinPasswordLen {
		return Invalid(field, "%s must be at least %d characters", field, MinPasswordLen)
	}
	if len(s) > MaxPasswordLen {
		return Invalid(field, "%s must be at most %d bytes", field, MaxPasswordLen)
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return Invalid(field, "%s must not contain white space", field)
	}
	return nil
}

// ParseEmail returns s lower-cased when it is a plain address such as
// ann@example.com; EINVALID otherwise.
func ParseEmail(field, s string) (string, error) {
	if err := CheckText(field, s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > MaxEmailLen || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", Invalid(field, "%s must be an email address such as ann@example.com", field)
	}
	return strings.ToLower(s), nil
}

// CheckAge, CheckGender and CheckAuthMethod return EINVALID out of range.
func CheckAge(field string, v int) error {
	if v < MinAge || v > MaxAge {
		return Invalid(field, "%s must be between %d and %d", field, MinAge, MaxAge)
	}
	return nil
}

// CheckGender returns EINVALID unless v is 0, 1 or 2.
func CheckGender(field string, v int) error {
	if v < 0 || v > MaxGender {
		return Invalid(field, "%s must be 0, 1 or 2", field)
	}
	return nil
}

// CheckAuthMethod returns EINVALID unless v is 0 to 3.
func CheckAuthMethod(field string, v int) error {
	if v < 0 || v > MaxAuthMethod {
		return Invalid(field, "%s must be between 0 and %d", field, MaxAuthMethod)
	}
	return nil
}

// ParseDeviceID returns EINVALID for a device id longer than 128 bytes or
// with control characters; "" is the default device.
func ParseDeviceID(s string) (string, error) {
	if len(s) > MaxDeviceIDLength || CheckText("deviceId", s) != nil || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", Invalid("deviceId", "deviceId must be at most %d printable characters", MaxDeviceIDLength)
	}
	return s, nil
}

// ErrInactiveUser refuses the credentials of a disabled user: surfaces that
// word it their own way (v1's 400) match it with errors.Is.
var ErrInactiveUser = Errorf(EFORBIDDEN, "Inactive user")

// Apply sets on u every field upd gives (KeepSession is for the store, not
// a field): the one place where an update meets a user.
func (upd UserUpdate) Apply(u *User) {
	if upd.Username != nil {
		u.Username = upd.Username
	}
	if upd.Email != nil {
		u.Email = upd.Email
	}
	if upd.FullName != nil {
		u.FullName = upd.FullName
	}
	if upd.Age != nil {
		u.Age = upd.Age
	}
	if upd.Gender != nil {
		u.Gender = upd.Gender
	}
	if upd.AuthMethod != nil {
		u.AuthMethod = *upd.AuthMethod
	}
	if upd.Category != nil {
		u.Category = *upd.Category
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if upd.AvatarURL != nil {
		u.AvatarURL = upd.AvatarURL
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
	if upd.ReworkAvailable != nil {
		u.ReworkAvailable = *upd.ReworkAvailable
	}
}
