package rest

import (
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
	status map[string]int
	body   func(msg string) any
	logger *slog.Logger
}

// statuses are the statuses every surface gives the codes the same way.
var statuses = map[string]int{
	model.ENOTFOUND:     http.StatusNotFound,
	model.ECONFLICT:     http.StatusConflict,
	model.EUNAUTHORIZED: http.StatusUnauthorized,
	model.EFORBIDDEN:    http.StatusForbidden,
	model.ERATELIMITED:  http.StatusTooManyRequests,
}

// newErrorTable returns the table of statuses with the overrides given
// (code, status pairs) and the surface's body.
func newErrorTable(logger *slog.Logger, body func(msg string) any, overrides ...any) errorTable {
	t := errorTable{status: make(map[string]int, len(statuses)), body: body, logger: logger}
	for code, status := range statuses {
		t.status[code] = status
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		t.status[overrides[i].(string)] = overrides[i+1].(int)
	}
	return t
}

// write answers err with msg, the message the surface words for it.
func (t errorTable) write(w http.ResponseWriter, r *http.Request, err error, msg string) {
	status, ok := t.status[model.ErrorCode(err)]
	if !ok {
		t.logger.ErrorContext(r.Context(), "rest: internal error", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, t.body("Internal Server Error"))
		return
	}
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, status, t.body(msg))
}
