// Package seal encrypts the personal data Minxin keeps at rest (个人信息保护, product §10): the
// petitioner's name and phone, and every copy of them. A value is sealed with AES-256-GCM
// (crypto/cipher) under the current key of a keyring and carries the id of that key and a
// random nonce, so that it opens under any key still in the ring: keys rotate without a
// moment at which some value cannot be read. Duplicate detection finds the same phone through
// a keyed index (HMAC-SHA256 of the normalised phone under a key of its own, derived from the
// data key), which shows nothing of the phone to whoever lacks the key.
//
// The package does no I/O: where keys come from is config's business.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
)

// KeySize is the size of a data key: 32 bytes, written as 64 hex characters.
const KeySize = 32

// Text forms. A sealed value is "v1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>"; an index is
// "h1:<kid>:<hex of 16 bytes of HMAC>". kid is 8 hex characters naming the key.
const (
	sealedPrefix = AnySealed
	indexPrefix  = "h1:"
	kidLen       = 8
	indexBytes   = 16
)

// AnySealed is how every sealed value begins, whatever its key.
const AnySealed = "v1:"

// Portable is the context of a value that is copied from its row into others (the activity
// log's before and after, a cache): it opens wherever it is found. A value that lives in one
// row only is better bound to that row by a context naming it.
const Portable = ""

// Errors of Open.
var (
	ErrNotSealed  = errors.New("seal: not a sealed value")
	ErrUnknownKey = errors.New("seal: sealed under a key that is not in the keyring")
	ErrTampered   = errors.New("seal: the sealed value does not open (altered, or sealed for another record)")
)

// Key is one data key.
type Key [KeySize]byte

// ParseKey reads a key written as 64 hex characters.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeySize {
		return k, fmt.Errorf("a data key is %d bytes written as %d hex characters", KeySize, 2*KeySize)
	}
	copy(k[:], b)
	return k, nil
}

// ParseKeys reads a keyring: keys of 64 hex characters separated by new lines, spaces or
// commas, the current key first; lines starting with # are comments. The same key twice is
// kept once.
func ParseKeys(text string) ([]Key, error) {
	var keys []Key
	seen := map[Key]bool{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			k, err := ParseKey(f)
			if err != nil {
				return nil, err
			}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no data key")
	}
	return keys, nil
}

// NewKey draws a new random key.
func NewKey() (Key, error) {
	var k Key
	_, err := rand.Read(k[:])
	return k, err
}

// String writes the key as 64 hex characters.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ID names the key in sealed values: 8 hex characters derived from it, which tell nothing
// of the key.
func (k Key) ID() string {
	b, _ := hkdf.Key(sha256.New, k[:], nil, "minxin key id v1", kidLen/2)
	return hex.EncodeToString(b)
}

// FormatKeys writes a keyring as ParseKeys reads it, one key a line, the current key first.
func FormatKeys(keys []Key) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// ringKey is a key ready for use: its cipher and its index key.
type ringKey struct {
	id       string
	aead     cipher.AEAD
	index    []byte
	portable []byte // the additional data of a Portable value under this key
}

func prepare(k Key) (*ringKey, error) {
	enc, err := hkdf.Key(sha256.New, k[:], nil, "minxin seal aes-256-gcm v1", 32)
	if err != nil {
		return nil, err
	}
	idx, err := hkdf.Key(sha256.New, k[:], nil, "minxin phone index hmac-sha256 v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := k.ID()
	return &ringKey{id: id, aead: aead, index: idx, portable: aad(id, Portable)}, nil
}

// set is one immutable generation of a keyring.
type set struct {
	keys []*ringKey // the current key first
	byID map[string]*ringKey
}

// Keyring is the keys values are sealed under: the current one seals, every one opens. Its
// keys can be replaced while it is in use (Replace), as when the key file is rotated; each
// call reads one generation.
type Keyring struct {
	cur atomic.Pointer[set]
}

// NewKeyring returns a keyring of keys, the current one first.
func NewKeyring(keys ...Key) (*Keyring, error) {
	r := &Keyring{}
	return r, r.Replace(keys...)
}

// NewRandomKeyring returns a keyring of one new random key, for tests and for processes that
// keep nothing.
func NewRandomKeyring() *Keyring {
	k, err := NewKey()
	if err != nil {
		panic(err)
	}
	r, err := NewKeyring(k)
	if err != nil {
		panic(err)
	}
	return r
}

// Replace makes keys the keyring's keys, the current one first.
func (r *Keyring) Replace(keys ...Key) error {
	if len(keys) == 0 {
		return errors.New("seal: a keyring needs a key")
	}
	s := &set{byID: map[string]*ringKey{}}
	seen := map[Key]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		rk, err := prepare(k)
		if err != nil {
			return err
		}
		if _, clash := s.byID[rk.id]; clash {
			return fmt.Errorf("seal: two keys share the id %s: draw another key", rk.id)
		}
		s.keys = append(s.keys, rk)
		s.byID[rk.id] = rk
	}
	r.cur.Store(s)
	return nil
}

// Current is the id of the key new values are sealed under.
func (r *Keyring) Current() string { return r.cur.Load().keys[0].id }

// IDs are the ids of the keys in the ring, the current one first.
func (r *Keyring) IDs() []string {
	s := r.cur.Load()
	out := make([]string, len(s.keys))
	for i, k := range s.keys {
		out[i] = k.id
	}
	return out
}

// Has reports whether the ring holds the key of id.
func (r *Keyring) Has(id string) bool {
	_, ok := r.cur.Load().byID[id]
	return ok
}

// aad binds a sealed value to its key id and to the record it belongs to (context), so that
// a value copied onto another record does not open there.
func aad(kid, context string) []byte { return []byte(sealedPrefix + kid + ":" + context) }

func (k *ringKey) aad(context string) []byte {
	if context == Portable {
		return k.portable
	}
	return aad(k.id, context)
}

// Seal seals plain under the current key, for context: Portable for a value that is copied
// from row to row (a petitioner's identity), or a name of the one row it belongs to (a kept
// answer's key), where it alone opens.
func (r *Keyring) Seal(plain, context string) string {
	return string(r.SealBytes([]byte(plain), context))
}

// SealBytes is Seal for bytes; the result is the same text form.
func (r *Keyring) SealBytes(plain []byte, context string) []byte {
	k := r.cur.Load().keys[0]
	buf := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand does not fail
	}
	sealed := k.aead.Seal(buf, buf, plain, k.aad(context))
	out := make([]byte, 0, len(sealedPrefix)+kidLen+1+base64.RawURLEncoding.EncodedLen(len(sealed)))
	out = append(out, sealedPrefix...)
	out = append(out, k.id...)
	out = append(out, ':')
	return base64.RawURLEncoding.AppendEncode(out, sealed)
}

// Open opens a value sealed for context under any key of the ring.
func (r *Keyring) Open(sealed, context string) (string, error) {
	kid, body, ok := split(sealed)
	if !ok {
		return "", ErrNotSealed
	}
	plain, err := r.open(kid, body, context)
	return string(plain), err
}

// OpenBytes is Open for bytes.
func (r *Keyring) OpenBytes(sealed []byte, context string) ([]byte, error) {
	kid, body, ok := split(string(sealed))
	if !ok {
		return nil, ErrNotSealed
	}
	return r.open(kid, body, context)
}

func (r *Keyring) open(kid, body, context string) ([]byte, error) {
	k, ok := r.cur.Load().byID[kid]
	if !ok {
		return nil, fmt.Errorf("%w (key %s)", ErrUnknownKey, kid)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	ns := k.aead.NonceSize()
	if err != nil || len(raw) < ns+k.aead.Overhead() {
		return nil, ErrTampered
	}
	// Opened in place, over the ciphertext.
	plain, err := k.aead.Open(raw[ns:ns], raw[:ns], raw[ns:], k.aad(context))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

// split takes a sealed value apart into its key id and body.
func split(s string) (kid, body string, ok bool) {
	if len(s) < len(sealedPrefix)+kidLen+1 || s[:len(sealedPrefix)] != sealedPrefix || s[len(sealedPrefix)+kidLen] != ':' {
		return "", "", false
	}
	kid = s[len(sealedPrefix) : len(sealedPrefix)+kidLen]
	if !isHex(kid) {
		return "", "", false
	}
	return kid, s[len(sealedPrefix)+kidLen+1:], true
}

// IsSealed reports whether s has the form of a sealed value (whether it opens is Open's).
func IsSealed(s string) bool {
	_, _, ok := split(s)
	return ok
}

// KeyOf is the id of the key a sealed value or an index was made under.
func KeyOf(s string) (string, bool) {
	if strings.HasPrefix(s, indexPrefix) && len(s) > len(indexPrefix)+kidLen && s[len(indexPrefix)+kidLen] == ':' {
		kid := s[len(indexPrefix) : len(indexPrefix)+kidLen]
		return kid, isHex(kid)
	}
	kid, _, ok := split(s)
	return kid, ok
}

// Sealed is the part every value sealed under a key begins with, for finding them in SQL
// (LIKE Sealed(kid) || '%').
func Sealed(kid string) string { return sealedPrefix + kid + ":" }

// IndexedWith is the part every index made under a key begins with.
func IndexedWith(kid string) string { return indexPrefix + kid + ":" }

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// NormalizePhone drops what people put between the digits of a phone number (spaces, hyphens,
// tabs, ideographic spaces), as the duplicate rule compares phones.
func NormalizePhone(phone string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u3000':
			return -1
		}
		return r
	}, strings.TrimSpace(phone))
}

func index(k *ringKey, phone string) string {
	mac := hmac.New(sha256.New, k.index)
	mac.Write([]byte(NormalizePhone(phone)))
	return indexPrefix + k.id + ":" + hex.EncodeToString(mac.Sum(nil)[:indexBytes])
}

// PhoneIndex is the keyed index of a phone under the current key: the same phone, however
// spaced, gives the same index; nobody without the key can tell which phone it is.
func (r *Keyring) PhoneIndex(phone string) string { return index(r.cur.Load().keys[0], phone) }

// PhoneIndexes are the indexes of a phone under every key of the ring, the current one first:
// during a rotation a stored petition's index may be under any of them.
func (r *Keyring) PhoneIndexes(phone string) []string {
	s := r.cur.Load()
	out := make([]string, len(s.keys))
	for i, k := range s.keys {
		out[i] = index(k, phone)
	}
	return out
}

// sealedInJSON matches a sealed value written as a JSON string: its body is at least the
// nonce and the tag (28 bytes, 38 characters of base64).
var sealedInJSON = regexp.MustCompile(`"v1:[0-9a-f]{8}:[A-Za-z0-9_-]{38,}"`)

// blinded is what Blind writes for every sealed value.
const blinded = `"v1:sealed"`

// Blind replaces every sealed value quoted in a JSON text by one fixed value. The activity
// log hashes its entries blinded, so that re-sealing a value under a new key leaves the hash
// chain whole; the sealed value itself is authenticated by its own tag.
func Blind(jsonText string) string {
	if !strings.Contains(jsonText, `"v1:`) {
		return jsonText
	}
	return sealedInJSON.ReplaceAllLiteralString(jsonText, blinded)
}

// FindAll returns the sealed values quoted in a JSON text, without their quotes.
func FindAll(jsonText string) []string {
	if !strings.Contains(jsonText, `"v1:`) {
		return nil
	}
	found := sealedInJSON.FindAllString(jsonText, -1)
	for i, f := range found {
		found[i] = f[1 : len(f)-1]
	}
	return found
}
