package rest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The body decoders of every surface, fuzzed: whatever the bytes and the
// Content-Type, a decoder returns fields or an error that its surface
// answers with a 4xx, and never panics. The seed corpus is in
// testdata/fuzz; CI runs each target for a short, bounded time.

// bodySeeds are bodies every decoder is seeded with.
var bodySeeds = []struct{ contentType, body string }{
	{"application/json", `{"username":"ann_1","password":"pass-word-1","device_id":"d"}`},
	{"application/json", `{"name":"abc","age":30,"gender":1,"email":{"email":"a@b.co","authMethod":1,"password":"pass-word-1"}}`},
	{"application/json", `{"name":"Org","avatar_image":{"url":"https://x.example/a.png","w":1},"description":null,"rework_available":2}`},
	{"application/json", `{"email":"a@b.co","is_superuser":true,"rework_available":1.5,"full_name":"\u0000"}`},
	{"application/x-www-form-urlencoded", "username=a%00b&password=%FF&grant_type=password"},
	{"application/json; charset=utf-8", `[1,2,{"a":[]}]`},
	{"text/plain", "hello"},
	{"", `{"a":` + "\xff" + `}`},
}

// surfaceStatus is the status the surface's error writer gives err.
func surfaceStatus(t *testing.T, write func(http.ResponseWriter, *http.Request, error), r *http.Request, err error) int {
	t.Helper()
	rec := httptest.NewRecorder()
	write(rec, r, err)
	return rec.Code
}

func fuzzRequest(contentType string, body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func seed(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s.contentType, []byte(s.body))
	}
}

var discard = slog.New(slog.DiscardHandler)

func FuzzReadFields(f *testing.F) {
	seed(f)
	fx := FX{Logger: discard}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := fuzzRequest(contentType, body)
		fields, err := readFields(r)
		if err != nil {
			if s := surfaceStatus(t, fx.writeError, r, err); s < 400 || s >= 500 {
				t.Fatalf("readFields error %v answered %d, want a 4xx", err, s)
			}
			return
		}
		for name := range fields {
			// Every accessor answers a value or a validation error.
			_, _, verr := fields.text(name, true)
			_, _, verr2 := fields.integer(name)
			_, _, verr3 := fields.boolean(name)
			for _, e := range []*validationError{verr, verr2, verr3} {
				if e != nil {
					if s := surfaceStatus(t, fx.writeError, r, e); s != http.StatusUnprocessableEntity {
						t.Fatalf("accessor error %v answered %d, want 422", e, s)
					}
				}
			}
		}
	})
}

func FuzzReadV1JSON(f *testing.F) {
	seed(f)
	v1 := V1{Logger: discard}
	schema := []v1Field{v1Email(true), v1Password("password"), v1FullName(),
		{name: "is_superuser", kind: v1Bool}, {name: "rework_available", kind: v1Int}}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := fuzzRequest(contentType, body)
		if _, err := readV1JSON(r, schema); err != nil {
			if s := surfaceStatus(t, v1.writeError, r, err); s < 400 || s >= 500 {
				t.Fatalf("readV1JSON error %v answered %d, want a 4xx", err, s)
			}
		}
		r = fuzzRequest(contentType, body)
		for _, create := range []bool{true, false} {
			if _, err := readOrgBody(r, create, nil); err != nil {
				if s := surfaceStatus(t, v1.writeError, r, err); s < 400 || s >= 500 {
					t.Fatalf("readOrgBody error %v answered %d, want a 4xx", err, s)
				}
			}
			r = fuzzRequest(contentType, body)
		}
	})
}

func FuzzDecodeV2User(f *testing.F) {
	seed(f)
	v2 := V2{Logger: discard}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		for _, create := range []bool{true, false} {
			r := fuzzRequest(contentType, body)
			if _, err := decodeV2User(r, create); err != nil {
				if s := surfaceStatus(t, v2.writeError, r, err); s < 400 || s >= 500 {
					t.Fatalf("decodeV2User error %v answered %d, want a 4xx", err, s)
				}
			}
		}
	})
}
