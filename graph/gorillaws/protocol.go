package gorillaws

import "encoding/json"

// The subprotocols: graphql-transport-ws (the graphql-ws library's) and the
// legacy graphql-ws (subscriptions-transport-ws's). A client that offers
// neither speaks the legacy one, as older clients do.
const (
	transportWS = "graphql-transport-ws"
	legacyWS    = "graphql-ws"
)

// Close codes of graphql-transport-ws; the legacy protocol names none, and
// gets the same ones.
const (
	closeNormal          = 1000
	closeGoingAway       = 1001
	closeBadMessage      = 4400
	closeUnauthorized    = 4401
	closeForbidden       = 4403
	closeInitTimeout     = 4408
	closeDuplicateID     = 4409
	closeTooManyInits    = 4429
	closeTooSlow         = 1008
	reasonTooSlow        = "subscriber too slow"
	reasonInitTimeout    = "Connection initialisation timeout"
	reasonUnauthorized   = "Unauthorized"
	reasonTooManyInits   = "Too many initialisation requests"
	reasonShuttingDown   = "server shutting down"
	reasonTokenEnded     = "Forbidden: the token expired or was revoked"
	reasonInvalidMessage = "Invalid message received"
)

// message is a message of either protocol.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// protocol names a subprotocol's message types.
type protocol struct {
	name string
	// client to server
	subscribe, stop string
	// server to client
	next, keepAlive string
}

var (
	graphqlTransportWS = protocol{name: transportWS, subscribe: "subscribe", stop: "complete", next: "next", keepAlive: "ping"}
	graphqlWS          = protocol{name: legacyWS, subscribe: "start", stop: "stop", next: "data", keepAlive: "ka"}
)

// legacy reports whether p is the legacy protocol.
func (p protocol) legacy() bool { return p.name == legacyWS }

// frame is the envelope of one operation's results: a result's bytes go
// between prefix and suffix, so that one encoding serves every subscriber
// of a shared execution, each with its own id.
type frame struct {
	prefix []byte // {"id":"…","type":"next","payload":
}

var frameSuffix = []byte("}")

func newFrame(p protocol, id string) frame {
	q, _ := json.Marshal(id) // a string always encodes
	b := append([]byte(`{"id":`), q...)
	b = append(b, `,"type":"`...)
	b = append(b, p.next...)
	b = append(b, `","payload":`...)
	return frame{prefix: b}
}
