package main

import (
	"fmt"
	"testing"
)

// TestRevocationsAtOnceOnThisInstance shows that a write which revokes
// tokens in the store is enforced at once by the instance that made it,
// without waiting for the revocation poll (set to an hour here): a new
// login on a device, a password change, a revocation, a category change
// and a deactivation.
func TestRevocationsAtOnceOnThisInstance(t *testing.T) {
	base, _, _ := startGateway(t, nil, map[string]string{"BCRYPT_COST": "4", "DATA_DIR": t.TempDir(),
		"ADMIN_USERNAME": "rv_admin", "ADMIN_PASSWORD": "rv-admin-pw", "REVOCATION_POLL": "1h"})
	admin := loginOnDevice(t, base, "rv_admin", "rv-admin-pw", "admin-device")
	_, out := postGraphQL(t, base, "", `mutation { register(input: {username: "rv_client", password: "client-pw-1", passwordConfirmation: "client-pw-1"}) { id } }`)
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	id := out["data"].(map[string]any)["register"].(map[string]any)["id"].(string)
	refused := func(t *testing.T, token string) bool {
		t.Helper()
		_, out := postGraphQL(t, base, token, `{ me { id } }`)
		return out["errors"] != nil
	}
	mustAdmin := func(t *testing.T, query string) {
		t.Helper()
		if _, out := postGraphQL(t, base, admin, query); out["errors"] != nil {
			t.Fatalf("%s: %v", query, out["errors"])
		}
	}

	t.Run("NewLoginOnDevice", func(t *testing.T) {
		first := loginOnDevice(t, base, "rv_client", "client-pw-1", "phone")
		loginOnDevice(t, base, "rv_client", "client-pw-1", "phone")
		if !refused(t, first) {
			t.Errorf("the device's earlier token: accepted, want refused at once")
		}
	})
	t.Run("PasswordChange", func(t *testing.T) {
		other := loginOnDevice(t, base, "rv_client", "client-pw-1", "old-laptop")
		mine := loginOnDevice(t, base, "rv_client", "client-pw-1", "desk")
		if _, out := postGraphQL(t, base, mine, `mutation { changeMyPassword(currentPassword: "client-pw-1", newPassword: "client-pw-2") }`); out["errors"] != nil {
			t.Fatal(out["errors"])
		}
		if !refused(t, other) || refused(t, mine) {
			t.Errorf("after a password change: other session refused %v (want true), own refused %v (want false)", refused(t, other), refused(t, mine))
		}
		if _, out := postGraphQL(t, base, mine, `mutation { changeMyPassword(currentPassword: "client-pw-2", newPassword: "client-pw-1") }`); out["errors"] != nil {
			t.Fatal(out["errors"])
		}
	})
	t.Run("RevokeTokens", func(t *testing.T) {
		token := loginOnDevice(t, base, "rv_client", "client-pw-1", "kiosk")
		if _, out := postGraphQL(t, base, token, `mutation { revokeTokens }`); out["errors"] != nil {
			t.Fatal(out["errors"])
		}
		if !refused(t, token) {
			t.Errorf("a token revoked by revokeTokens: accepted, want refused at once")
		}
	})
	t.Run("CategoryChange", func(t *testing.T) {
		token := loginOnDevice(t, base, "rv_client", "client-pw-1", "tablet")
		mustAdmin(t, fmt.Sprintf(`mutation { promoteUser(id: %q, to: MANAGER) { id } }`, id))
		if !refused(t, token) {
			t.Errorf("a token from before the category change: accepted, want refused at once")
		}
	})
	t.Run("Deactivation", func(t *testing.T) {
		token := loginOnDevice(t, base, "rv_client", "client-pw-1", "laptop")
		if refused(t, token) {
			t.Fatal("a fresh token is refused")
		}
		mustAdmin(t, fmt.Sprintf(`mutation { deactivateUser(id: %q) { id } }`, id))
		if !refused(t, token) {
			t.Errorf("the token of a deactivated user: accepted, want refused at once")
		}
	})
}
