package model

import "errors"

// IsNotEnoughRights reports whether err is the refusal of Admin, SelfOrAdmin
// or Self to a signed-in user who lacks the right. The fx surface words
// such a refusal "Access denied", as it does a missing scope (rules §6),
// where v1 says "The user doesn't have enough privileges".
func IsNotEnoughRights(err error) bool { return errors.Is(err, errNotEnoughRights) }
