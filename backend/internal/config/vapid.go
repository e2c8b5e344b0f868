package config

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultVAPIDSubject is the contact push services are given when MINXIN_VAPID_SUBJECT is
// unset (RFC 8292 §2.1: a mailto: or https: URI they may use to reach the operator).
const DefaultVAPIDSubject = "mailto:admin@minxin.invalid"

// vapidKeyName is the file of the embedded mode's generated VAPID key in the data directory.
const vapidKeyName = "vapid-private-key"

// VAPID is the application server's identity for Web Push (RFC 8292): the P-256 private key
// that signs each push's JWT, the public key browsers subscribe with (applicationServerKey),
// both base64url without padding as webpush-go writes them, and the subject.
type VAPID struct {
	PrivateKey string
	PublicKey  string // the uncompressed point, 65 bytes
	Subject    string
}

// decodeVAPIDKey reads a base64url private key, padded or not (webpush-go accepts both).
func decodeVAPIDKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.URLEncoding.DecodeString(s)
}

// VAPIDPublicKey derives the public key of a VAPID private key, and checks the private key:
// 32 bytes of base64url, a scalar of P-256.
func VAPIDPublicKey(private string) (string, error) {
	b, err := decodeVAPIDKey(private)
	if err != nil {
		return "", errors.New("not base64url")
	}
	if len(b) != 32 {
		return "", fmt.Errorf("a VAPID private key is 32 bytes, this is %d", len(b))
	}
	k, err := ecdh.P256().NewPrivateKey(b)
	if err != nil {
		return "", errors.New("not a P-256 private key")
	}
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), nil
}

// NewVAPIDKey draws a VAPID private key (base64url, as webpush-go's GenerateVAPIDKeys).
func NewVAPIDKey() (string, error) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(k.Bytes()), nil
}

// checkVAPIDSubject accepts a mailto: URI with an address or an https: URL.
func checkVAPIDSubject(s string) error {
	if addr, ok := strings.CutPrefix(s, "mailto:"); ok {
		if _, err := mail.ParseAddress(addr); err != nil || strings.ContainsAny(addr, "<> ") {
			return fmt.Errorf("MINXIN_VAPID_SUBJECT: %q is not mailto:<an e-mail address>", s)
		}
		return nil
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("MINXIN_VAPID_SUBJECT: %q is neither mailto:<an e-mail address> nor an https: URL", s)
	}
	return nil
}

// VAPID returns the Web Push identity: the configured private key (MINXIN_VAPID_PRIVATE_KEY
// or its file), or on the embedded database one generated once and kept in the data
// directory, as the JWT secret is. The key must not change: every browser's subscription is
// bound to its public key.
func (c Config) VAPID() (VAPID, error) {
	v := VAPID{PrivateKey: c.VAPIDPrivateKey, Subject: c.VAPIDSubject}
	if v.Subject == "" {
		v.Subject = DefaultVAPIDSubject
	}
	if v.PrivateKey == "" {
		if c.DatabaseURL != "" {
			return v, errors.New("MINXIN_VAPID_PRIVATE_KEY: required when MINXIN_DATABASE_URL is set")
		}
		k, err := c.generatedVAPIDKey()
		if err != nil {
			return v, err
		}
		v.PrivateKey = k
	}
	pub, err := VAPIDPublicKey(v.PrivateKey)
	if err != nil {
		return v, fmt.Errorf("VAPID private key: %v", err)
	}
	v.PublicKey = pub
	return v, nil
}

// generatedVAPIDKey reads the key of the data directory, making it the first time. A file
// that holds no key is an error, not replaced: a new key would orphan every subscription.
func (c Config) generatedVAPIDKey() (string, error) {
	path := filepath.Join(c.DataDir, vapidKeyName)
	read := func() (string, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		k := strings.TrimSpace(string(b))
		if _, err := VAPIDPublicKey(k); err != nil {
			return "", fmt.Errorf("%s: %v", path, err)
		}
		return k, nil
	}
	k, err := read()
	if !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	k, err = NewVAPIDKey()
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		return read()
	}
	if err != nil {
		return "", fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(k + "\n"); err != nil {
		return "", err
	}
	return k, f.Sync()
}
