package rest

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/model"
)

// errorTable is how a surface answers an application error once its own
// cases (malformed input, overrides per route) are handled: the status of
// each code and the body around the message, in the WTF Dial style of
// mapping codes at the edge only. A 401 challenges Bearer; a code the
// table does not map is internal: logged, and answered 500 with the body
// of "Internal Server Error", never the error's text.
type errorTable struct {
	body     func(msg string) any
	override map[string]int // statuses this surface gives differently
}

// statuses are the statuses every surface gives the codes the same way.
var statuses = map[string]int{
	model.ENOTFOUND:     http.StatusNotFound,
	model.ECONFLICT:     http.StatusConflict,
	model.EUNAUTHORIZED: http.StatusUnauthorized,
	model.EFORBIDDEN:    http.StatusForbidden,
	model.ERATELIMITED:  http.StatusTooManyRequests,
}

// The tables of the surfaces, built once.
var (
	detailErrors   = errorTable{body: detailBody}
	accountsErrors = errorTable{body: detailBody, override: map[string]int{model.ECONFLICT: http.StatusBadRequest}}
	fxErrors       = errorTable{body: func(msg string) any { return fxError{msg, msg} }}
	v2Errors       = errorTable{
		body:     func(msg string) any { return v2Error{v2Failure, msg} },
		override: map[string]int{model.EINVALID: http.StatusBadRequest},
	}
)

// status returns the status the table gives code, and false for a code it
// does not map.
func (t errorTable) status(code string) (int, bool) {
	if status, ok := t.override[code]; ok {
		return status, true
	}
	status, ok := statuses[code]
	return status, ok
}

// write answers err with msg, the message the surface words for it; an
// unmapped code goes to logger.
func (t errorTable) write(logger *slog.Logger, w http.ResponseWriter, r *http.Request, err error, msg string) {
	status, ok := t.status(model.ErrorCode(err))
	if !ok {
		logger.ErrorContext(r.Context(), "rest: internal error", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, t.body("Internal Server Error"))
		return
	}
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, status, t.body(msg))
}

// answerShared answers the errors every surface answers alike, in the
// surface's body: a body over the limit 413, a route's own status
// (statusError; with its legacy detail when set, else msg) and a route's
// own body (bodyError). It reports whether err was one of them.
func (t errorTable) answerShared(w http.ResponseWriter, err error, msg string) bool {
	var berr *bodyError
	var serr *statusError
	switch {
	case errors.Is(err, errTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, t.body("Request body too large"))
	case errors.As(err, &berr):
		writeJSON(w, berr.status, berr.body)
	case errors.As(err, &serr):
		if serr.detail != "" {
			msg = serr.detail
		}
		writeJSON(w, serr.status, t.body(msg))
	default:
		return false
	}
	return true
}
