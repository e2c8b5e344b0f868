package httpapi

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
)

// FuzzBind: any request body is either decoded or refused as malformed (400) or invalid
// (422, naming a field) — never a panic, never an internal error.
func FuzzBind(f *testing.F) {
	for _, s := range []string{`{"id":"x","checkin":{"occurred_at":"2026-11-25T20:00:00+08:00","lat":30,"lng":120}}`,
		`{"id":1}`, `{"checkin":{"photo_ids":[1,2]}}`, `[`, `{} {}`, `{"mayor":1}`, `null`, `"x"`, "\xff"} {
		f.Add([]byte(s))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		c := e.NewContext(httptest.NewRequest("POST", "/", bytes.NewReader(body)), httptest.NewRecorder())
		var in duties.StayInput
		err := bind(c, &in)
		if err == nil {
			return
		}
		de, ok := domain.AsError(err)
		if !ok || (de.Kind != domain.KindMalformed && de.Kind != domain.KindInvalid) {
			t.Fatalf("body %q: %v", body, err)
		}
		if de.Kind == domain.KindInvalid && (len(de.Fields) == 0 || de.Fields[0].Field == "") {
			t.Fatalf("body %q: an invalid answer names no field: %v", body, err)
		}
	})
}
