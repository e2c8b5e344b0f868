// Package domain holds Minxin's domain types, their validation, the actor making a request
// and the one error type every layer speaks. It does no I/O and imports neither echo nor gorm.
package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an Error; the HTTP layer maps each kind to one status code.
type Kind int

// Error kinds.
const (
	KindInternal        Kind = iota
	KindInvalid              // 422: the request is well formed but a field is wrong
	KindMalformed            // 400: the request could not be read at all
	KindNotFound             // 404: missing, or outside the actor's scope
	KindConflict             // 409: the current state forbids it
	KindUnauthenticated      // 401
	KindForbidden            // 403: the role may never do this
	KindTooMany              // 429: rate limited; RetryAfter says for how long
	KindTooLarge             // 413
)

// FieldError names one invalid field of a request. Message is in English; Format and Args,
// which made it, let the message be said in the reader's language (messages.go).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Format  string `json:"-"`
	Args    []any  `json:"-"`
}

// Error is the one error type of Minxin: created where the problem is known, translated to
// problem+json in exactly one place.
type Error struct {
	Kind       Kind
	Code       string // stable machine code, e.g. "invalid_field", "not_found"
	Message    string // human-readable detail, in English
	Format     string // what Message was made from, with Args: the key of the message catalogue
	Args       []any
	Fields     []FieldError
	RetryAfter int // seconds, for KindTooMany
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an Error of the given kind and code.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// NotFound is the answer for a missing record and for a record outside the actor's scope alike.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found", Format: "%s not found", Args: []any{what}}
}

// Conflict reports that the current state forbids the request.
func Conflict(code, format string, args ...any) *Error {
	return Errorf(KindConflict, code, format, args...)
}

// Forbidden reports that the actor's role may not do this.
func Forbidden() *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: "your role may not do this", Format: "your role may not do this"}
}

// Unauthenticated reports a missing or bad credential.
func Unauthenticated(code, message string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: code, Message: message, Format: message}
}

// Invalid collects field errors; Err returns nil while none was added.
type Invalid struct{ fields []FieldError }

// Add records that field is invalid.
func (v *Invalid) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Check adds the message when ok is false.
func (v *Invalid) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns the collected errors as one *Error, or nil.
func (v *Invalid) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: "invalid_field", Message: "some fields are invalid", Format: "some fields are invalid", Fields: v.fields}
}

// InvalidField is a shortcut for a single invalid field.
func InvalidField(field, format string, args ...any) *Error {
	var v Invalid
	v.Add(field, format, args...)
	return v.Err().(*Error)
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := AsError(err)
	return ok && e.Kind == k
}
