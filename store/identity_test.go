package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/internal/testclock"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

// eachStoreClock is eachStore with a clock that starts at fixedNow and that
// the test can move.
func eachStoreClock(t *testing.T, fn func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			clock := testclock.New(fixedNow)
			fn(t, context.Background(), storetest.Open(t, backend, clock.Now), clock)
		})
	}
}

func idPtr[T any](v T) *T { return &v }

// idUser creates an active user; username and email may be "" for none.
func idUser(t *testing.T, ctx context.Context, db *store.DB, username, email string, cat model.Category) *model.User {
	t.Helper()
	u := &model.User{Category: cat, Active: true, ReworkAvailable: model.DefaultRework, PasswordHash: "hash-of-" + username}
	if username != "" {
		u.Username = &username
	}
	if email != "" {
		u.Email = &email
	}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%q, %q): %v", username, email, err)
	}
	return u
}

func idFind(t *testing.T, ctx context.Context, db *store.DB, id int64) *model.User {
	t.Helper()
	u, err := db.FindUserByID(ctx, id)
	if err != nil {
		t.Fatalf("FindUserByID(%d): %v", id, err)
	}
	return u
}

// idToken returns an unsaved token record issued at issued and living ttl.
func idToken(userID int64, device string, typ model.TokenType, issued time.Time, ttl time.Duration) *model.Token {
	return &model.Token{ID: uuid.NewString(), UserID: userID, DeviceID: device, Type: typ, IssuedAt: issued, ExpiresAt: issued.Add(ttl)}
}

func idCreateTokens(t *testing.T, ctx context.Context, db *store.DB, revokeDevice bool, tokens ...*model.Token) {
	t.Helper()
	if err := db.CreateTokens(ctx, revokeDevice, tokens...); err != nil {
		t.Fatalf("CreateTokens: %v", err)
	}
}

func idFindToken(t *testing.T, ctx context.Context, db *store.DB, id string) *model.Token {
	t.Helper()
	tk, err := db.FindToken(ctx, id)
	if err != nil {
		t.Fatalf("FindToken(%s): %v", id, err)
	}
	return tk
}

// idWantRevoked checks that each token is revoked (at `at`, when non-zero).
func idWantRevoked(t *testing.T, ctx context.Context, db *store.DB, at time.Time, tokens ...*model.Token) {
	t.Helper()
	for _, want := range tokens {
		got := idFindToken(t, ctx, db, want.ID)
		if got.RevokedAt == nil {
			t.Errorf("token %s (%s, device %q) is live, want revoked", want.ID, want.Type, want.DeviceID)
		} else if !at.IsZero() && !got.RevokedAt.Equal(at) {
			t.Errorf("token %s revoked at %v, want %v", want.ID, *got.RevokedAt, at)
		}
	}
}

func idWantLive(t *testing.T, ctx context.Context, db *store.DB, tokens ...*model.Token) {
	t.Helper()
	for _, want := range tokens {
		if got := idFindToken(t, ctx, db, want.ID); got.RevokedAt != nil {
			t.Errorf("token %s (%s, device %q) revoked at %v, want live", want.ID, want.Type, want.DeviceID, *got.RevokedAt)
		}
	}
}

func idTokenIDs(tokens []*model.Token) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t.ID
	}
	slices.Sort(out)
	return out
}

func idUserIDs(users []*model.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func TestCreateUser(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		alice := &model.User{Username: idPtr("alice_1"), Email: idPtr("alice@example.com"), FullName: idPtr("Alice A"),
			Age: idPtr(30), Gender: idPtr(1), AuthMethod: 2, Active: true, ReworkAvailable: model.DefaultRework,
			AvatarURL: idPtr("https://example.com/a.png"), PasswordHash: "$2a$04$hash"}
		if err := db.CreateUser(ctx, alice); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}

		t.Run("OK", func(t *testing.T) {
			if alice.ID <= 0 {
				t.Errorf("ID = %d, want a positive serial", alice.ID)
			}
			if _, err := uuid.Parse(alice.UUID); err != nil {
				t.Errorf("UUID = %q, not a UUID: %v", alice.UUID, err)
			}
			if !alice.CreatedAt.Equal(fixedNow) || !alice.UpdatedAt.Equal(fixedNow) {
				t.Errorf("timestamps = %v, %v, want the clock's %v", alice.CreatedAt, alice.UpdatedAt, fixedNow)
			}
			if alice.Category != model.CategoryAPIClient {
				t.Errorf("category = %q, want the default %q", alice.Category, model.CategoryAPIClient)
			}
			if alice.ReworkAvailable != 2 {
				t.Errorf("rework_available = %d, want 2", alice.ReworkAvailable)
			}
			got := idFind(t, ctx, db, alice.ID)
			if got.UUID != alice.UUID || *got.Username != "alice_1" || *got.Email != "alice@example.com" ||
				*got.FullName != "Alice A" || *got.Age != 30 || *got.Gender != 1 || got.AuthMethod != 2 ||
				got.Category != model.CategoryAPIClient || !got.Active || got.ReworkAvailable != 2 ||
				*got.AvatarURL != "https://example.com/a.png" || got.PasswordHash != "$2a$04$hash" ||
				!got.CreatedAt.Equal(fixedNow) || !got.UpdatedAt.Equal(fixedNow) {
				t.Errorf("stored user = %+v, want %+v", got, alice)
			}
		})
		t.Run("KeepsGivenUUIDAndCategory", func(t *testing.T) {
			id := uuid.NewString()
			u := &model.User{UUID: id, Username: idPtr("manager_1"), Category: model.CategoryManager, Active: true, PasswordHash: "h"}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if u.UUID != id || u.Category != model.CategoryManager {
				t.Errorf("uuid %q category %q, want %q %q", u.UUID, u.Category, id, model.CategoryManager)
			}
		})
		t.Run("DuplicateUsername", func(t *testing.T) {
			err := db.CreateUser(ctx, &model.User{Username: idPtr("alice_1"), Email: idPtr("other@example.com"), PasswordHash: "h"})
			wantCode(t, err, model.ECONFLICT)
		})
		t.Run("DuplicateEmail", func(t *testing.T) {
			err := db.CreateUser(ctx, &model.User{Username: idPtr("alice_2"), Email: idPtr("alice@example.com"), PasswordHash: "h"})
			wantCode(t, err, model.ECONFLICT)
		})
		t.Run("NullUsernameAndEmailTwice", func(t *testing.T) {
			a := idUser(t, ctx, db, "", "", "")
			b := idUser(t, ctx, db, "", "", "")
			if a.ID == b.ID || a.UUID == b.UUID {
				t.Errorf("two users share id or uuid: %d/%s, %d/%s", a.ID, a.UUID, b.ID, b.UUID)
			}
			if a.Username != nil || a.Email != nil || idFind(t, ctx, db, b.ID).Username != nil {
				t.Errorf("users without username and email got one")
			}
		})
		t.Run("InvalidCategory", func(t *testing.T) {
			err := db.CreateUser(ctx, &model.User{Username: idPtr("weird_1"), Category: "ROOT", PasswordHash: "h"})
			wantCode(t, err, model.EINVALID)
		})
		t.Run("FindUserByLogin", func(t *testing.T) {
			for _, login := range []string{"alice_1", "alice@example.com", "ALICE@Example.COM"} {
				got, err := db.FindUserByLogin(ctx, login)
				if err != nil {
					t.Errorf("FindUserByLogin(%q): %v", login, err)
					continue
				}
				if got.ID != alice.ID {
					t.Errorf("FindUserByLogin(%q) = user %d, want %d", login, got.ID, alice.ID)
				}
			}
			for _, login := range []string{"nobody", "nobody@example.com", ""} {
				_, err := db.FindUserByLogin(ctx, login)
				wantCode(t, err, model.ENOTFOUND)
			}
		})
		t.Run("FindUserByLoginPrefersUsername", func(t *testing.T) {
			// A username that looks like another user's email wins.
			tricky := idUser(t, ctx, db, "", "carol@example.com", "")
			owner := &model.User{Username: idPtr("carol@example.com"), PasswordHash: "h", Active: true}
			if err := db.CreateUser(ctx, owner); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindUserByLogin(ctx, "carol@example.com")
			if err != nil || got.ID != owner.ID {
				t.Errorf("FindUserByLogin = %v, %v, want the user named so (%d), not %d", got, err, owner.ID, tricky.ID)
			}
		})
		t.Run("FindUserByUUID", func(t *testing.T) {
			got, err := db.FindUserByUUID(ctx, alice.UUID)
			if err != nil || got.ID != alice.ID {
				t.Fatalf("FindUserByUUID = %v, %v, want user %d", got, err, alice.ID)
			}
			_, err = db.FindUserByUUID(ctx, uuid.NewString())
			wantCode(t, err, model.ENOTFOUND)
			_, err = db.FindUserByID(ctx, 999999)
			wantCode(t, err, model.ENOTFOUND)
		})
	})
}

func TestFindUsers(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		var ids []int64
		for i := range 5 {
			ids = append(ids, idUser(t, ctx, db, fmt.Sprintf("user_%d", i), "", "").ID)
		}
		for _, tc := range []struct {
			name string
			f    model.UserFilter
			want []int64
			tot  int
		}{
			{"All", model.UserFilter{}, ids, 5},
			{"FirstPage", model.UserFilter{Limit: 2}, ids[:2], 5},
			{"SecondPage", model.UserFilter{Offset: 2, Limit: 2}, ids[2:4], 5},
			{"LastPage", model.UserFilter{Offset: 4, Limit: 2}, ids[4:], 5},
			{"PastTheEnd", model.UserFilter{Offset: 10, Limit: 2}, []int64{}, 5},
			{"Username", model.UserFilter{Username: "user_3"}, ids[3:4], 1},
			{"UnknownUsername", model.UserFilter{Username: "nobody"}, []int64{}, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, total, err := db.FindUsers(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := idUserIDs(list); total != tc.tot || !slices.Equal(got, tc.want) {
					t.Errorf("FindUsers(%+v) = %v (total %d), want %v (total %d)", tc.f, got, total, tc.want, tc.tot)
				}
			})
		}
	})
}

func TestUpdateUser(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		bob := idUser(t, ctx, db, "bob_1", "bob@example.com", "")
		idUser(t, ctx, db, "taken_1", "taken@example.com", "")
		clock.Advance(time.Hour)
		later := fixedNow.Add(time.Hour)

		t.Run("Fields", func(t *testing.T) {
			upd := model.UserUpdate{Username: idPtr("bob_2"), Email: idPtr("bob2@example.com"), FullName: idPtr("Bob B"),
				Age: idPtr(44), Gender: idPtr(2), AuthMethod: idPtr(3), AvatarURL: idPtr("https://example.com/b.png"),
				PasswordHash: idPtr("new-hash")}
			got, err := db.UpdateUser(ctx, bob.ID, upd)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []*model.User{got, idFind(t, ctx, db, bob.ID)} {
				if *u.Username != "bob_2" || *u.Email != "bob2@example.com" || *u.FullName != "Bob B" || *u.Age != 44 ||
					*u.Gender != 2 || u.AuthMethod != 3 || *u.AvatarURL != "https://example.com/b.png" ||
					u.PasswordHash != "new-hash" || u.Category != model.CategoryAPIClient || !u.Active ||
					u.UUID != bob.UUID || u.ReworkAvailable != 2 {
					t.Errorf("after update: %+v", u)
				}
				if !u.CreatedAt.Equal(fixedNow) || !u.UpdatedAt.Equal(later) {
					t.Errorf("timestamps = %v, %v, want created %v and updated %v", u.CreatedAt, u.UpdatedAt, fixedNow, later)
				}
			}
			if _, err := db.FindUserByLogin(ctx, "bob_1"); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("old username still signs in: %v", err)
			}
		})
		t.Run("EmptyUpdateKeepsFields", func(t *testing.T) {
			got, err := db.UpdateUser(ctx, bob.ID, model.UserUpdate{})
			if err != nil {
				t.Fatal(err)
			}
			if *got.Username != "bob_2" || *got.FullName != "Bob B" {
				t.Errorf("empty update changed fields: %+v", got)
			}
		})
		t.Run("TakenUsername", func(t *testing.T) {
			_, err := db.UpdateUser(ctx, bob.ID, model.UserUpdate{Username: idPtr("taken_1")})
			wantCode(t, err, model.ECONFLICT)
			if u := idFind(t, ctx, db, bob.ID); *u.Username != "bob_2" {
				t.Errorf("username = %q after a refused update, want bob_2", *u.Username)
			}
		})
		t.Run("TakenEmail", func(t *testing.T) {
			_, err := db.UpdateUser(ctx, bob.ID, model.UserUpdate{Email: idPtr("taken@example.com")})
			wantCode(t, err, model.ECONFLICT)
		})
		t.Run("NotFound", func(t *testing.T) {
			_, err := db.UpdateUser(ctx, 999999, model.UserUpdate{FullName: idPtr("x")})
			wantCode(t, err, model.ENOTFOUND)
		})
	})
}

func TestDeleteUser(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		u := idUser(t, ctx, db, "doomed_1", "", "")
		other := idUser(t, ctx, db, "other_1", "", "")
		access := idToken(u.ID, "d1", model.TokenAccess, fixedNow, 30*time.Minute)
		refresh := idToken(u.ID, "d1", model.TokenRefresh, fixedNow, 14*24*time.Hour)
		elsewhere := idToken(u.ID, "d2", model.TokenAccess, fixedNow, time.Hour)
		kept := idToken(other.ID, "d1", model.TokenAccess, fixedNow, time.Hour)
		idCreateTokens(t, ctx, db, false, access, refresh)
		idCreateTokens(t, ctx, db, false, elsewhere)
		idCreateTokens(t, ctx, db, false, kept)

		if err := db.DeleteUser(ctx, u.ID); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err := db.FindUserByID(ctx, u.ID)
		wantCode(t, err, model.ENOTFOUND)
		for _, tk := range []*model.Token{access, refresh, elsewhere} {
			got := idFindToken(t, ctx, db, tk.ID)
			if got.RevokedAt == nil || !got.RevokedAt.Equal(fixedNow) {
				t.Errorf("token %s of the deleted user: revoked_at %v, want %v", tk.ID, got.RevokedAt, fixedNow)
			}
			if got.UserID != 0 {
				t.Errorf("token %s of the deleted user: user id %d, want NULL (0)", tk.ID, got.UserID)
			}
		}
		idWantLive(t, ctx, db, kept)
		revoked, err := db.RevokedSince(ctx, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := idTokenIDs(revoked), idTokenIDs([]*model.Token{access, refresh, elsewhere}); !slices.Equal(got, want) {
			t.Errorf("RevokedSince = %v, want the deleted user's tokens %v", got, want)
		}
		wantCode(t, db.DeleteUser(ctx, u.ID), model.ENOTFOUND)
		if _, err := db.FindUserByID(ctx, other.ID); err != nil {
			t.Errorf("the other user: %v", err)
		}
	})
}

// The changes that would take the ADMIN away from a user.
var (
	idDemote  = model.UserUpdate{Category: idPtr(model.CategoryManager)}
	idDisable = model.UserUpdate{Active: idPtr(false)}
)

func TestLastAdmin(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("OneActiveAdmin", func(t *testing.T) {
			admin := idUser(t, ctx, db, "root_1", "", model.CategoryAdmin)
			idUser(t, ctx, db, "client_1", "", model.CategoryAPIClient)
			idUser(t, ctx, db, "manager_1", "", model.CategoryManager)
			tk := idToken(admin.ID, "", model.TokenAccess, fixedNow, time.Hour)
			idCreateTokens(t, ctx, db, false, tk)

			for name, upd := range map[string]model.UserUpdate{
				"demote":         idDemote,
				"demote-to-anon": {Category: idPtr(model.CategoryAnonymousClient)},
				"disable":        idDisable,
				"both":           {Category: idPtr(model.CategoryAPIClient), Active: idPtr(false)},
			} {
				_, err := db.UpdateUser(ctx, admin.ID, upd)
				if model.ErrorCode(err) != model.ECONFLICT {
					t.Errorf("%s the last active ADMIN: %v, want ECONFLICT", name, err)
				}
			}
			wantCode(t, db.DeleteUser(ctx, admin.ID), model.ECONFLICT)
			if got := idFind(t, ctx, db, admin.ID); got.Category != model.CategoryAdmin || !got.Active {
				t.Errorf("after refused changes: category %s active %v, want ADMIN, active", got.Category, got.Active)
			}
			idWantLive(t, ctx, db, tk) // the refused transactions revoked nothing

			// Changes that leave them an active ADMIN are fine.
			got, err := db.UpdateUser(ctx, admin.ID, model.UserUpdate{FullName: idPtr("Root"), Category: idPtr(model.CategoryAdmin), Active: idPtr(true)})
			if err != nil || *got.FullName != "Root" {
				t.Errorf("harmless update of the last ADMIN: %v, %v", got, err)
			}
			idWantLive(t, ctx, db, tk)
		})
	})
}

func TestLastAdminTwoAdmins(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("TwoAdmins", func(t *testing.T) {
			a := idUser(t, ctx, db, "root_a", "", model.CategoryAdmin)
			b := idUser(t, ctx, db, "root_b", "", model.CategoryAdmin)
			if _, err := db.UpdateUser(ctx, a.ID, idDemote); err != nil {
				t.Fatalf("demoting one of two ADMINs: %v", err)
			}
			_, err := db.UpdateUser(ctx, b.ID, idDemote)
			wantCode(t, err, model.ECONFLICT)
			_, err = db.UpdateUser(ctx, b.ID, idDisable)
			wantCode(t, err, model.ECONFLICT)
			wantCode(t, db.DeleteUser(ctx, b.ID), model.ECONFLICT)
			if got := idFind(t, ctx, db, b.ID); got.Category != model.CategoryAdmin || !got.Active {
				t.Errorf("last ADMIN after refused changes: %s, active %v", got.Category, got.Active)
			}
		})
	})
}

func TestLastAdminTwoAdminsDelete(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("TwoAdminsDelete", func(t *testing.T) {
			a := idUser(t, ctx, db, "root_a", "", model.CategoryAdmin)
			b := idUser(t, ctx, db, "root_b", "", model.CategoryAdmin)
			if err := db.DeleteUser(ctx, a.ID); err != nil {
				t.Fatalf("deleting one of two ADMINs: %v", err)
			}
			wantCode(t, db.DeleteUser(ctx, b.ID), model.ECONFLICT)
		})
	})
}

func TestLastAdminInactiveAdminDoesNotCount(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("InactiveAdminDoesNotCount", func(t *testing.T) {
			active := idUser(t, ctx, db, "root_a", "", model.CategoryAdmin)
			inactive := &model.User{Username: idPtr("root_off"), Category: model.CategoryAdmin, Active: false, PasswordHash: "h"}
			if err := db.CreateUser(ctx, inactive); err != nil {
				t.Fatal(err)
			}
			_, err := db.UpdateUser(ctx, active.ID, idDemote)
			wantCode(t, err, model.ECONFLICT)
			_, err = db.UpdateUser(ctx, active.ID, idDisable)
			wantCode(t, err, model.ECONFLICT)
			wantCode(t, db.DeleteUser(ctx, active.ID), model.ECONFLICT)

			// The inactive ADMIN is no last active ADMIN: it may be changed.
			if _, err := db.UpdateUser(ctx, inactive.ID, model.UserUpdate{FullName: idPtr("Off")}); err != nil {
				t.Errorf("updating an inactive ADMIN: %v", err)
			}
			// Once active again it counts.
			if _, err := db.UpdateUser(ctx, inactive.ID, model.UserUpdate{Active: idPtr(true)}); err != nil {
				t.Fatalf("activating an ADMIN: %v", err)
			}
			if _, err := db.UpdateUser(ctx, active.ID, idDemote); err != nil {
				t.Errorf("demoting one of two active ADMINs: %v", err)
			}
		})
	})
}

// TestLastAdminConcurrent demotes, disables or deletes the last two active
// ADMINs at the same time, many rounds over: exactly one change may win,
// the other is ECONFLICT, and one active ADMIN always remains. On SQLite the
// immediate transactions serialise; on PostgreSQL the rows are locked. The
// loser must be told ECONFLICT (409), not an internal error: a deadlock
// between the two transactions (each holding its own row and waiting for
// the other's) is a failure of the locking rule too.
func TestLastAdminConcurrent(t *testing.T) {
	type op struct {
		name string
		do   func(ctx context.Context, db *store.DB, id int64) error
	}
	demote := op{"demote", func(ctx context.Context, db *store.DB, id int64) error {
		_, err := db.UpdateUser(ctx, id, model.UserUpdate{Category: idPtr(model.CategoryManager)})
		return err
	}}
	disable := op{"disable", func(ctx context.Context, db *store.DB, id int64) error {
		_, err := db.UpdateUser(ctx, id, model.UserUpdate{Active: idPtr(false)})
		return err
	}}
	remove := op{"delete", func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteUser(ctx, id) }}

	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		survivor := idUser(t, ctx, db, "root_0", "", model.CategoryAdmin)
		round := 0
		for _, pair := range [][2]op{{demote, demote}, {disable, disable}, {remove, remove}, {demote, disable}, {demote, remove}, {disable, remove}} {
			for range 5 {
				round++
				other := idUser(t, ctx, db, fmt.Sprintf("root_%d", round), "", model.CategoryAdmin)
				ids := [2]int64{survivor.ID, other.ID}
				if round%2 == 0 {
					ids[0], ids[1] = ids[1], ids[0]
				}
				var errs [2]error
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range 2 {
					wg.Go(func() {
						<-start
						errs[i] = pair[i].do(ctx, db, ids[i])
					})
				}
				close(start)
				wg.Wait()

				ok := 0
				for i, err := range errs {
					switch model.ErrorCode(err) {
					case "":
						ok++
					case model.ECONFLICT:
					default:
						t.Errorf("round %d: %s of ADMIN %d: %v, want success or ECONFLICT", round, pair[i].name, ids[i], err)
					}
				}
				if ok != 1 {
					t.Errorf("round %d (%s %d, %s %d): %d changes succeeded (%v), want exactly 1",
						round, pair[0].name, ids[0], pair[1].name, ids[1], ok, errs)
				}
				admins := 0
				for _, id := range ids {
					u, err := db.FindUserByID(ctx, id)
					if err == nil && u.Category == model.CategoryAdmin && u.Active {
						admins++
						survivor = u
					}
				}
				if admins != 1 {
					t.Fatalf("round %d: %d active ADMINs left, want 1", round, admins)
				}
			}
		}
	})
}

func TestTokens(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		u := idUser(t, ctx, db, "tokens_u", "", "")

		t.Run("CreateAndFind", func(t *testing.T) {
			a := idToken(u.ID, "phone", model.TokenAccess, fixedNow, 30*time.Minute)
			r := idToken(u.ID, "phone", model.TokenRefresh, fixedNow, 14*24*time.Hour)
			idCreateTokens(t, ctx, db, false, a, r)
			for _, want := range []*model.Token{a, r} {
				got := idFindToken(t, ctx, db, want.ID)
				if got.ID != want.ID || got.UserID != u.ID || got.DeviceID != "phone" || got.Type != want.Type ||
					!got.IssuedAt.Equal(want.IssuedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || got.RevokedAt != nil {
					t.Errorf("FindToken = %+v, want %+v", got, want)
				}
			}
			_, err := db.FindToken(ctx, uuid.NewString())
			wantCode(t, err, model.ENOTFOUND)
			if err := db.CreateTokens(ctx, false); err != nil {
				t.Errorf("CreateTokens of nothing: %v", err)
			}
		})
		t.Run("UnknownUser", func(t *testing.T) {
			err := db.CreateTokens(ctx, false, idToken(999999, "", model.TokenAccess, fixedNow, time.Hour))
			wantCode(t, err, model.ENOTFOUND)
		})
		t.Run("DuplicateID", func(t *testing.T) {
			a := idToken(u.ID, "", model.TokenAccess, fixedNow, time.Hour)
			idCreateTokens(t, ctx, db, false, a)
			if err := db.CreateTokens(ctx, false, a); err == nil {
				t.Errorf("recording a token id twice succeeded")
			}
		})
	})
}

func TestTokensRevokeDevice(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		t.Run("RevokeDevice", func(t *testing.T) {
			u := idUser(t, ctx, db, "tokens_u", "", "")
			v := idUser(t, ctx, db, "tokens_v", "", "")
			t0 := clock.Now()
			earlier := idToken(u.ID, "d1", model.TokenAccess, t0, time.Hour)
			expired := idToken(u.ID, "d1", model.TokenAccess, t0.Add(-2*time.Hour), time.Hour)
			idCreateTokens(t, ctx, db, false, earlier, expired)
			if _, err := db.RevokeTokens(ctx, u.ID, []string{earlier.ID}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
			a1 := idToken(u.ID, "d1", model.TokenAccess, clock.Now(), 30*time.Minute)
			r1 := idToken(u.ID, "d1", model.TokenRefresh, clock.Now(), 14*24*time.Hour)
			a2 := idToken(u.ID, "d2", model.TokenAccess, clock.Now(), 30*time.Minute)
			vt := idToken(v.ID, "d1", model.TokenAccess, clock.Now(), 30*time.Minute)
			idCreateTokens(t, ctx, db, true, a1, r1)
			idCreateTokens(t, ctx, db, true, a2)
			idCreateTokens(t, ctx, db, true, vt)

			clock.Advance(time.Minute)
			revokedAt := clock.Now()
			na := idToken(u.ID, "d1", model.TokenAccess, revokedAt, 30*time.Minute)
			nr := idToken(u.ID, "d1", model.TokenRefresh, revokedAt, 14*24*time.Hour)
			idCreateTokens(t, ctx, db, true, na, nr)

			idWantRevoked(t, ctx, db, revokedAt, a1, r1)
			idWantLive(t, ctx, db, a2, vt, na, nr)
			idWantRevoked(t, ctx, db, t0, earlier) // keeps its first revocation
			idWantLive(t, ctx, db, expired)        // dead already: not touched
		})
	})
}

func TestTokensRotate(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		u := idUser(t, ctx, db, "tokens_u", "", "")
		t0 := clock.Now()
		a1 := idToken(u.ID, "d1", model.TokenAccess, t0, 30*time.Minute)
		r1 := idToken(u.ID, "d1", model.TokenRefresh, t0, 14*24*time.Hour)
		other := idToken(u.ID, "d2", model.TokenAccess, t0, 30*time.Minute)
		otherR := idToken(u.ID, "d2", model.TokenRefresh, t0, 14*24*time.Hour)
		idCreateTokens(t, ctx, db, true, a1, r1)
		idCreateTokens(t, ctx, db, true, other, otherR)

		clock.Advance(time.Minute)
		t1 := clock.Now()
		a2 := idToken(u.ID, "d1", model.TokenAccess, t1, 30*time.Minute)
		r2 := idToken(u.ID, "d1", model.TokenRefresh, t1, 14*24*time.Hour)

		t.Run("Rotate", func(t *testing.T) {
			if err := db.RotateRefreshToken(ctx, r1.ID, a2, r2); err != nil {
				t.Fatalf("RotateRefreshToken: %v", err)
			}
			idWantRevoked(t, ctx, db, t1, r1)
			idWantLive(t, ctx, db, a2, r2, other, otherR)
			if got := idFindToken(t, ctx, db, r2.ID); got.UserID != u.ID || got.Type != model.TokenRefresh {
				t.Errorf("new refresh token = %+v", got)
			}
		})
		t.Run("Reuse", func(t *testing.T) {
			clock.Advance(time.Minute)
			t2 := clock.Now()
			a3 := idToken(u.ID, "d1", model.TokenAccess, t2, 30*time.Minute)
			r3 := idToken(u.ID, "d1", model.TokenRefresh, t2, 14*24*time.Hour)
			err := db.RotateRefreshToken(ctx, r1.ID, a3, r3)
			wantCode(t, err, model.EFORBIDDEN)
			// Committed despite the error: every token of the device is revoked.
			idWantRevoked(t, ctx, db, t2, a1, a2, r2)
			idWantRevoked(t, ctx, db, t1, r1)
			idWantLive(t, ctx, db, other, otherR)
			for _, tk := range []*model.Token{a3, r3} {
				_, err := db.FindToken(ctx, tk.ID)
				wantCode(t, err, model.ENOTFOUND)
			}
			revoked, err := db.RevokedSince(ctx, t2)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := idTokenIDs(revoked), idTokenIDs([]*model.Token{a1, a2, r2}); !slices.Equal(got, want) {
				t.Errorf("RevokedSince(reuse) = %v, want %v", got, want)
			}
		})
		t.Run("Unknown", func(t *testing.T) {
			err := db.RotateRefreshToken(ctx, uuid.NewString(), idToken(u.ID, "d2", model.TokenAccess, t1, time.Minute))
			wantCode(t, err, model.EUNAUTHORIZED)
		})
		t.Run("AccessTokenAsOld", func(t *testing.T) {
			na := idToken(u.ID, "d2", model.TokenAccess, t1, time.Minute)
			err := db.RotateRefreshToken(ctx, other.ID, na)
			wantCode(t, err, model.EUNAUTHORIZED)
			idWantLive(t, ctx, db, other)
			_, err = db.FindToken(ctx, na.ID)
			wantCode(t, err, model.ENOTFOUND)
		})
	})
}

func TestTokensRevoke(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		u := idUser(t, ctx, db, "tokens_u", "", "")
		v := idUser(t, ctx, db, "tokens_v", "", "")
		t0 := clock.Now()
		var mine []*model.Token
		for i := range 4 {
			mine = append(mine, idToken(u.ID, fmt.Sprintf("d%d", i), model.TokenAccess, t0.Add(time.Duration(i)*time.Second), time.Hour))
		}
		theirs := idToken(v.ID, "d0", model.TokenAccess, t0, time.Hour)
		idCreateTokens(t, ctx, db, false, mine...)
		idCreateTokens(t, ctx, db, false, theirs)
		clock.Advance(time.Minute)

		t.Run("ByIDs", func(t *testing.T) {
			got, err := db.RevokeTokens(ctx, u.ID, []string{mine[1].ID, theirs.ID, uuid.NewString()})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []string{mine[1].ID}) {
				t.Errorf("RevokeTokens(ids) = %v, want only the user's own [%s]", got, mine[1].ID)
			}
			idWantRevoked(t, ctx, db, clock.Now(), mine[1])
			idWantLive(t, ctx, db, mine[0], mine[2], mine[3], theirs)
			// Revoking it again revokes nothing.
			got, err = db.RevokeTokens(ctx, u.ID, []string{mine[1].ID})
			if err != nil || got == nil || len(got) != 0 {
				t.Errorf("revoking a revoked token again = %#v, %v, want []", got, err)
			}
		})
		t.Run("All", func(t *testing.T) {
			clock.Advance(time.Minute)
			got, err := db.RevokeTokens(ctx, u.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{mine[0].ID, mine[2].ID, mine[3].ID}; !slices.Equal(got, want) {
				t.Errorf("RevokeTokens(all) = %v, want the live ones in issue order %v", got, want)
			}
			idWantRevoked(t, ctx, db, clock.Now(), mine[0], mine[2], mine[3])
			idWantRevoked(t, ctx, db, clock.Now().Add(-time.Minute), mine[1])
			idWantLive(t, ctx, db, theirs)
			got, err = db.RevokeTokens(ctx, u.ID, []string{})
			if err != nil || got == nil || len(got) != 0 {
				t.Errorf("RevokeTokens(all) again = %#v, %v, want []", got, err)
			}
		})
	})
}

func TestTokensRevokedSince(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		t.Run("RevokedSinceExcludesExpired", func(t *testing.T) {
			u := idUser(t, ctx, db, "tokens_u", "", "")
			t0 := clock.Now()
			short := idToken(u.ID, "", model.TokenAccess, t0, 2*time.Minute)
			long := idToken(u.ID, "", model.TokenRefresh, t0, time.Hour)
			live := idToken(u.ID, "x", model.TokenAccess, t0, time.Hour)
			idCreateTokens(t, ctx, db, false, short, long, live)
			if _, err := db.RevokeTokens(ctx, u.ID, []string{short.ID, long.ID}); err != nil {
				t.Fatal(err)
			}
			check := func(since time.Time, want ...*model.Token) {
				t.Helper()
				got, err := db.RevokedSince(ctx, since)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := idTokenIDs(got), idTokenIDs(want); !slices.Equal(g, w) {
					t.Errorf("RevokedSince(%v) at %v = %v, want %v", since, clock.Now(), g, w)
				}
				for _, tk := range got {
					if tk.RevokedAt == nil || tk.ExpiresAt.IsZero() {
						t.Errorf("RevokedSince row %+v lacks revoked_at or expires_at", tk)
					}
				}
			}
			check(time.Time{}, short, long)
			check(t0, short, long)
			check(t0.Add(time.Second))
			clock.Advance(3 * time.Minute)
			check(time.Time{}, long)
			clock.Advance(time.Hour)
			check(time.Time{})
		})
	})
}

// TestUserChangesRevokeTokens: disabling a user or changing their category
// revokes their live tokens in the same transaction; other changes (but a
// password, TestPasswordChangeRevokesOtherSessions) do not.
func TestUserChangesRevokeTokens(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		idUser(t, ctx, db, "root_1", "", model.CategoryAdmin)
		u := idUser(t, ctx, db, "user_1", "", "")
		other := idUser(t, ctx, db, "user_2", "", "")
		theirs := idToken(other.ID, "", model.TokenAccess, clock.Now(), time.Hour)
		idCreateTokens(t, ctx, db, false, theirs)

		issue := func() []*model.Token {
			now := clock.Now()
			tks := []*model.Token{idToken(u.ID, "a", model.TokenAccess, now, time.Hour), idToken(u.ID, "b", model.TokenRefresh, now, 24*time.Hour)}
			idCreateTokens(t, ctx, db, false, tks...)
			return tks
		}
		update := func(upd model.UserUpdate) time.Time {
			t.Helper()
			clock.Advance(time.Minute)
			if _, err := db.UpdateUser(ctx, u.ID, upd); err != nil {
				t.Fatalf("UpdateUser(%+v): %v", upd, err)
			}
			return clock.Now()
		}

		tks := issue()
		update(model.UserUpdate{FullName: idPtr("U"), Category: idPtr(model.CategoryAPIClient), Active: idPtr(true)})
		idWantLive(t, ctx, db, tks...)

		at := update(model.UserUpdate{Category: idPtr(model.CategoryManager)})
		idWantRevoked(t, ctx, db, at, tks...)
		idWantLive(t, ctx, db, theirs)

		tks = issue()
		at = update(model.UserUpdate{Active: idPtr(false)})
		idWantRevoked(t, ctx, db, at, tks...)
		idWantLive(t, ctx, db, theirs)

		tks = issue()
		update(model.UserUpdate{Active: idPtr(true)})
		idWantLive(t, ctx, db, tks...)

		revoked, err := db.RevokedSince(ctx, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(revoked) != 4 {
			t.Errorf("RevokedSince = %d tokens, want the 4 revoked by the two changes", len(revoked))
		}
	})
}

// TestPasswordChangeRevokesOtherSessions: a new password revokes every live
// token of the user, refresh tokens included, but those of the session
// that made the change: its token, and its device's tokens.
func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		u := idUser(t, ctx, db, "user_1", "", "")
		other := idUser(t, ctx, db, "user_2", "", "")
		issue := func() (mineAccess, mineRefresh, noDevice, elsewhere, theirs *model.Token) {
			now := clock.Now()
			mineAccess, mineRefresh = idToken(u.ID, "phone", model.TokenAccess, now, time.Hour), idToken(u.ID, "phone", model.TokenRefresh, now, 24*time.Hour)
			noDevice, elsewhere = idToken(u.ID, "", model.TokenAccess, now, time.Hour), idToken(u.ID, "laptop", model.TokenRefresh, now, 24*time.Hour)
			theirs = idToken(other.ID, "phone", model.TokenAccess, now, time.Hour)
			idCreateTokens(t, ctx, db, false, mineAccess, mineRefresh, noDevice, elsewhere, theirs)
			return
		}
		change := func(keep *model.Session) time.Time {
			t.Helper()
			clock.Advance(time.Minute)
			if _, err := db.UpdateUser(ctx, u.ID, model.UserUpdate{PasswordHash: idPtr("new-hash"), KeepSession: keep}); err != nil {
				t.Fatal(err)
			}
			return clock.Now()
		}
		t.Run("OK", func(t *testing.T) {
			access, refresh, noDevice, elsewhere, theirs := issue()
			at := change(&model.Session{TokenID: access.ID, DeviceID: "phone"})
			idWantLive(t, ctx, db, access, refresh, theirs)
			idWantRevoked(t, ctx, db, at, noDevice, elsewhere)
		})
		t.Run("NoDevice", func(t *testing.T) {
			access, refresh, noDevice, elsewhere, theirs := issue()
			at := change(&model.Session{TokenID: noDevice.ID})
			idWantLive(t, ctx, db, noDevice, theirs)
			idWantRevoked(t, ctx, db, at, access, refresh, elsewhere)
		})
		t.Run("NoSession", func(t *testing.T) {
			access, refresh, noDevice, elsewhere, theirs := issue()
			at := change(nil)
			idWantLive(t, ctx, db, theirs)
			idWantRevoked(t, ctx, db, at, access, refresh, noDevice, elsewhere)
		})
	})
}

func TestSetting(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("Once", func(t *testing.T) {
			calls := 0
			got, err := db.Setting(ctx, "jwt_key", func() (string, error) { calls++; return "first", nil })
			if err != nil || got != "first" {
				t.Fatalf("first Setting = %q, %v, want first", got, err)
			}
			got, err = db.Setting(ctx, "jwt_key", func() (string, error) { calls++; return "second", nil })
			if err != nil || got != "first" {
				t.Errorf("second Setting = %q, %v, want the first value", got, err)
			}
			if calls != 1 {
				t.Errorf("value func called %d times, want once", calls)
			}
			other, err := db.Setting(ctx, "other_key", func() (string, error) { return "other", nil })
			if err != nil || other != "other" {
				t.Errorf("another key = %q, %v, want other", other, err)
			}
		})
		t.Run("ValueError", func(t *testing.T) {
			boom := errors.New("boom")
			if _, err := db.Setting(ctx, "failing", func() (string, error) { return "", boom }); !errors.Is(err, boom) {
				t.Errorf("Setting with a failing func = %v, want %v", err, boom)
			}
			got, err := db.Setting(ctx, "failing", func() (string, error) { return "later", nil })
			if err != nil || got != "later" {
				t.Errorf("after a failure = %q, %v, want later (nothing was stored)", got, err)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			const n = 8
			var got [n]string
			var errs [n]error
			var calls atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					got[i], errs[i] = db.Setting(ctx, "race", func() (string, error) {
						calls.Add(1)
						return fmt.Sprintf("value-%d", i), nil
					})
				})
			}
			close(start)
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Errorf("caller %d: %v", i, errs[i])
				}
				if got[i] != got[0] {
					t.Errorf("callers disagree: %q", got)
					break
				}
			}
			if !slices.Contains([]string{"value-0", "value-1", "value-2", "value-3", "value-4", "value-5", "value-6", "value-7"}, got[0]) {
				t.Errorf("stored %q, want one of the values offered", got[0])
			}
			again, err := db.Setting(ctx, "race", func() (string, error) { return "late", nil })
			if err != nil || again != got[0] {
				t.Errorf("after the race = %q, %v, want %q", again, err, got[0])
			}
			t.Logf("value func called %d times by %d racing callers", calls.Load(), n)
		})
	})
}

// TestOpenSQLitePathWithHash: a SQLite path is a file path, whatever its
// characters. Subtests run twice under one name are "sqlite#01", so a test
// directory with '#' in it is common (t.TempDir keeps the name).
func TestOpenSQLitePathWithHash(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	open := func(dir string) (*store.DB, string) {
		path := filepath.Join(base, dir, "test.db")
		db, err := store.Open(ctx, path, func() time.Time { return fixedNow })
		if err != nil {
			t.Fatalf("Open(%s): %v", path, err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate(%s): %v", path, err)
		}
		return db, path
	}
	one, path := open("data#1")
	idUser(t, ctx, one, "only_in_one", "", "")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("no database file at %s: %v", path, err)
	}
	two, _ := open("data#2")
	if _, total, err := two.FindUsers(ctx, model.UserFilter{}); err != nil || total != 0 {
		t.Errorf("a store at another path sees %d users (%v), want 0: both opened the same file", total, err)
	}
}
