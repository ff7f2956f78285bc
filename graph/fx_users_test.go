package graph_test

import (
	"testing"

	"github.com/fxgraph/gateway/store"
)

// TestUserByUsernameExact: an empty name is nobody's, not a filter left out
// (fx GET /admin/users/search?username= answers 404, not the first user).
func TestUserByUsernameExact(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, _ *store.DB) {
		t.Run("ErrNotFound", func(t *testing.T) {
			for _, name := range []string{"", "USER_", "user"} {
				wantError(t, c.do(t, `query($u: String!) { userByUsername(username: $u) { id } }`, map[string]any{"u": name}), "NOT_FOUND", "User not found")
			}
		})
	})
}
