package graph

import (
	"context"

	"github.com/fxgraph/gateway/model"
)

// userByUsername returns the user whose username is exactly username.
// ENOTFOUND when nobody's is: an empty name is nobody's, not a filter
// left out.
func (r *Resolver) userByUsername(ctx context.Context, username string) (*model.User, error) {
	if err := model.CheckText("username", username); err != nil {
		return nil, err
	}
	if username != "" {
		list, _, err := r.UserService.FindUsers(ctx, model.UserFilter{Username: username, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			return list[0], nil
		}
	}
	return nil, model.Errorf(model.ENOTFOUND, "User not found")
}
