// Package qrtoken signs and checks the tokens printed as household QR codes (§2): a token
// names one household and carries an HMAC-SHA256 tag under a key that only the server holds,
// so a visit carrying the token of the visited household is evidence of presence at its door.
//
// A token is "v1.<household id>.<tag>", the tag being the unpadded base64url HMAC-SHA256 of
// "minxin-qr-v1:" + household id. Tokens never expire: they are printed on paper on a door.
// The key is derived from the JWT secret, so it survives restarts and is the same on every
// instance; changing the JWT secret invalidates every printed code.
package qrtoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"minxin/backend/internal/domain"
)

// Field is the request field a visit carries its token in; verification errors name it.
const Field = "evidence.qr_token"

const (
	version = "v1"
	label   = "minxin-qr-v1:"
	// keyLabel separates the QR key from every other use of the JWT secret.
	keyLabel = "minxin household qr key v1"
)

// Key signs and checks household tokens.
type Key struct{ k []byte }

// NewKey derives the QR key from the server's JWT secret: HMAC-SHA256(secret, keyLabel).
func NewKey(jwtSecret []byte) Key {
	m := hmac.New(sha256.New, jwtSecret)
	m.Write([]byte(keyLabel))
	return Key{k: m.Sum(nil)}
}

func (k Key) tag(householdID string) []byte {
	m := hmac.New(sha256.New, k.k)
	m.Write([]byte(label + householdID))
	return m.Sum(nil)
}

// Token returns the token to print for a household.
func (k Key) Token(householdID string) string {
	return version + "." + householdID + "." + base64.RawURLEncoding.EncodeToString(k.tag(householdID))
}

// Verify checks that token is a genuine token of householdID. A genuine token of another
// household is a 422 with code qr_wrong_household; anything forged, garbled or signed under
// another key is a 422 with code qr_invalid. Both name the field evidence.qr_token.
func (k Key) Verify(token, householdID string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != version || !domain.ValidID(parts[1]) {
		return refused("qr_invalid", "is not a household QR code of this system")
	}
	tag, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(tag, k.tag(parts[1])) {
		return refused("qr_invalid", "is not a household QR code of this system")
	}
	if parts[1] != householdID {
		return refused("qr_wrong_household", "is the QR code of another household")
	}
	return nil
}

func refused(code, message string) error {
	return &domain.Error{Kind: domain.KindInvalid, Code: code, Message: "the household QR code was refused",
		Fields: []domain.FieldError{{Field: Field, Message: message}}}
}
