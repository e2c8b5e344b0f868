// Package auth hashes passwords (argon2id), issues and checks access tokens (JWT, HS256 only)
// and makes refresh tokens. It keeps no state: refresh tokens are stored, hashed, by the store.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/golang-jwt/jwt/v5"

	"minxin/backend/internal/domain"
)

// Token lifetimes.
const (
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 30 * 24 * time.Hour
	issuer     = "minxin"
	audience   = "minxin-api"
)

// passwordParams follow OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): a login costs
// tens of milliseconds on a small server.
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of a password in PHC form.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, passwordParams)
}

// dummyHash is compared against when a username does not exist, so that a wrong username
// takes as long as a wrong password.
var dummyHash, _ = HashPassword("minxin-no-such-user")

// CheckPassword reports whether password matches hash; an empty hash is compared against a
// dummy so that timing does not tell whether the account exists.
func CheckPassword(password, hash string) bool {
	if hash == "" {
		argon2id.ComparePasswordAndHash(password, dummyHash)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// Claims are the access token's claims.
type Claims struct {
	Role       domain.Role `json:"role"`
	TownshipID string      `json:"township_id,omitempty"`
	TeamMember bool        `json:"team_member,omitempty"`
	Lead       bool        `json:"lead,omitempty"`
	// MustChangePassword (pwc): the user's password was reset and must be changed first.
	MustChangePassword bool `json:"pwc,omitempty"`
	jwt.RegisteredClaims
}

// Signer issues and verifies access tokens with one HMAC key.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer; the key must be at least 32 bytes.
func NewSigner(key []byte, now func() time.Time) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("the JWT secret must be at least 32 bytes")
	}
	return &Signer{key: key, now: now}, nil
}

// Issue returns a signed access token for the actor.
func (s *Signer) Issue(a domain.Actor) (string, error) {
	now := s.now()
	claims := Claims{
		Role:               a.Role,
		TownshipID:         a.TownshipID,
		TeamMember:         a.TeamMember,
		Lead:               a.Lead,
		MustChangePassword: a.MustChangePassword,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Audience:  jwt.ClaimStrings{audience},
			Subject:   a.UserID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
			ID:        RandomToken(16),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
}

// Verify checks an access token and returns its actor. Only HS256 is accepted: a token with
// "alg": "none" or any other algorithm is refused.
func (s *Signer) Verify(token string) (domain.Actor, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return domain.Actor{}, domain.Unauthenticated("token_expired", "the access token has expired; refresh it")
		}
		return domain.Actor{}, domain.Unauthenticated("invalid_token", "the access token is not valid")
	}
	if !domain.ValidID(c.Subject) || !c.Role.Valid() {
		return domain.Actor{}, domain.Unauthenticated("invalid_token", "the access token is not valid")
	}
	return domain.Actor{UserID: c.Subject, Role: c.Role, TownshipID: c.TownshipID, TeamMember: c.TeamMember, Lead: c.Lead,
		MustChangePassword: c.MustChangePassword}, nil
}

// RandomToken returns n random bytes, base64url-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a refresh token, the only form in which it is stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// temporaryAlphabet leaves out the letters and digits read alike aloud or on paper
// (0/o, 1/l/i).
const temporaryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// TemporaryPassword draws a password for an admin to hand over after a reset: twelve
// characters of an alphabet of 31 (about 59 bits), written in three groups of four
// ("k7mq-2xtr-9hbw") so that it can be read out and typed.
func TemporaryPassword() string {
	const n = 12
	out := make([]byte, 0, n+2)
	var b [1]byte
	for len(out) < n+2 {
		if len(out) == 4 || len(out) == 9 {
			out = append(out, '-')
			continue
		}
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("crypto/rand failed: %v", err))
		}
		// 248 = 8 × 31: rejecting the rest keeps every character equally likely.
		if b[0] < 248 {
			out = append(out, temporaryAlphabet[int(b[0])%len(temporaryAlphabet)])
		}
	}
	return string(out)
}
