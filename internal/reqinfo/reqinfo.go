// Package reqinfo carries what the log line of one request says about it:
// its id, the signed-in user and the GraphQL operation. The outermost
// middleware puts an Info in the request's context; the layers inside fill
// it in (authentication the user, the graph the operation), and every log
// line written with that context carries them (Handler).
package reqinfo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
)

// Info is what is known of one request so far. Safe for concurrent use.
type Info struct {
	ID string // the request id: the client's X-Request-ID, or one made up

	mu        sync.Mutex
	userID    int64
	operation string // GraphQL operation name, or "" (anonymous)
	opType    string // query, mutation or subscription
}

type key struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request's Info, or nil outside a request.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(key{}).(*Info)
	return info
}

// SetUser records the signed-in user.
func (i *Info) SetUser(id int64) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.userID = id
	i.mu.Unlock()
}

// SetOperation records the GraphQL operation's name and type.
func (i *Info) SetOperation(name, typ string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.operation, i.opType = name, typ
	i.mu.Unlock()
}

// Attrs are the request's log attributes: request_id, and user_id,
// operation and operation_type once known.
func (i *Info) Attrs() []slog.Attr {
	if i == nil {
		return nil
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	attrs := []slog.Attr{slog.String("request_id", i.ID)}
	if i.userID != 0 {
		attrs = append(attrs, slog.Int64("user_id", i.userID))
	}
	if i.opType != "" {
		attrs = append(attrs, slog.String("operation", i.operation), slog.String("operation_type", i.opType))
	}
	return attrs
}

// maxIDLen bounds a client's request id; a longer one, or one with other
// characters than letters, digits, '.', '_' and '-', is replaced.
const maxIDLen = 128

// ID returns the client's request id when it is acceptable, else a new one.
func ID(client string) string {
	if validID(client) {
		return client
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Handler adds the request's attributes to every record logged with its
// context.
type Handler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if info := From(ctx); info != nil {
		r.AddAttrs(info.Attrs()...)
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return Handler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h Handler) WithGroup(name string) slog.Handler { return Handler{h.Handler.WithGroup(name)} }
