package store

import (
	"bytes"
	"encoding/json"
)

// compactJSON returns the JSON text s without insignificant white space.
func compactJSON(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic("invalid JSON literal: " + err.Error())
	}
	return b.String()
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
