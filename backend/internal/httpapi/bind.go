package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// bind decodes a JSON body strictly into dst: malformed JSON or bytes that are not UTF-8 are
// 400; a wrong type, an unknown field, an unreadable value, a key given twice or a string
// holding NUL is 422 naming the field.
func bind(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return domain.Errorf(domain.KindMalformed, "unreadable_body", "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Errorf(domain.KindMalformed, "empty_body", "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return domain.Errorf(domain.KindMalformed, "invalid_utf8",
			"the request body is not valid UTF-8 (first bad byte at offset %d); send JSON text in UTF-8", firstInvalidUTF8(body))
	}
	if err := decodeStrict(body, dst); err != nil {
		return describeDecodeError(body, dst, err)
	}
	return checkKeysAndStrings(body)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// checkKeysAndStrings refuses what encoding/json accepts but another reader of the same body
// would read otherwise, or what a database cannot keep: a key given twice in one object
// (encoding/json keeps the last, matching keys without regard to letter case, where a proxy
// or a log reader may keep the first) and the NUL character in a string (PostgreSQL's text
// cannot hold it). The body has been decoded already, so it is valid JSON. Fields are named
// by their path, "petitioner.name"; lists are transparent.
func checkKeysAndStrings(body []byte) error {
	type frame struct {
		object  bool
		wantKey bool
		path    string
		key     string
		keys    map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF: the whole body was read; anything else was refused when decoding
		}
		var top *frame
		here := ""
		if len(stack) > 0 {
			top = stack[len(stack)-1]
			here = top.path
			if top.object {
				here = joinPath(top.path, top.key)
			}
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.wantKey {
			field := joinPath(top.path, s)
			if strings.ContainsRune(s, 0) {
				return domain.InvalidField(field, "must not contain the NUL character (\\u0000)")
			}
			folded := foldKey(s)
			if top.keys[folded] {
				return domain.InvalidField(field, "is given twice (keys are matched without regard to letter case); send each field once")
			}
			top.keys[folded], top.key, top.wantKey = true, s, false
			continue
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.object {
					top.wantKey = true
				}
				stack = append(stack, &frame{object: v == '{', wantKey: v == '{', path: here, keys: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if strings.ContainsRune(v, 0) {
				field := here
				if field == "" {
					field = `""`
				}
				return domain.InvalidField(field, "must not contain the NUL character (\\u0000)")
			}
		}
		if top != nil && top.object {
			top.wantKey = true
		}
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// foldKey maps a key to one representative of its case-folding class, so that two keys equal
// under strings.EqualFold (as encoding/json matches them) map to the same string.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

func decodeStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return nil
}

func describeDecodeError(body []byte, dst any, err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.KindMalformed, "malformed_json", "the request body is not valid JSON")
	case errors.As(err, &typ) && typ.Field != "":
		return domain.InvalidField(typ.Field, "must be %s", jsonTypeName(typ.Type))
	case errors.As(err, &typ):
		return domain.Errorf(domain.KindMalformed, "malformed_json", "the request body must be a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if field == "" {
			field = `""` // a key that is the empty string still gets a name the client can see
		}
		return domain.InvalidField(field, "is not a known field")
	}
	// A value's own decoder refused it (a date, say); find which field by decoding each alone.
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		t := reflect.TypeOf(dst).Elem()
		for name, raw := range fields {
			one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
			if fieldErr := json.Unmarshal(one, reflect.New(t).Interface()); fieldErr != nil {
				if f, ok := jsonField(t, name); ok && jsonTypeName(f.Type) != "an object" {
					return domain.InvalidField(name, "must be %s", jsonTypeName(f.Type))
				}
				return domain.InvalidField(name, "is not a valid value: %v", fieldErr)
			}
		}
	}
	return domain.Errorf(domain.KindMalformed, "malformed_json", "the request body could not be read: %v", err)
}

// jsonField finds the field of a struct type that a JSON key names (as encoding/json does,
// regardless of letter case).
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct:
		if t == reflect.TypeOf(civil.Date{}) {
			return "a date (YYYY-MM-DD)"
		}
		return "an object"
	case reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return fmt.Sprintf("of type %s", t)
}

// pathID reads a path parameter that must be an id; anything else cannot exist (404).
func pathID(c echo.Context, name, what string) (string, error) {
	id := c.Param(name)
	if !domain.ValidID(id) {
		return "", domain.NotFound(what)
	}
	return id, nil
}

// queryID reads an optional id filter from the query string.
func queryID(c echo.Context, name string) (string, error) {
	v := c.QueryParam(name)
	if v != "" && !domain.ValidID(v) {
		return "", domain.InvalidField(name, "must be an id")
	}
	return v, nil
}

// pageRequest reads ?limit= and ?cursor=.
func pageRequest(c echo.Context) (store.PageRequest, error) {
	p := store.PageRequest{Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, domain.InvalidField("limit", "must be a whole number from 1 to %d", store.MaxPageSize)
		}
		p.Limit = n
	}
	return p, p.Validate()
}
