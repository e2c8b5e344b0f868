// Package webpushtest is a local stand-in for a browser's push service (FCM, Mozilla's
// autopush) and for the browsers subscribed to it. It speaks RFC 8030 (a POST to the
// subscription's endpoint, TTL, Urgency and Topic headers, 201 Created), checks RFC 8292's
// VAPID authorization (the ES256 JWT verified with the key k it carries, k the application
// server key the browser subscribed with, aud the endpoint's origin, exp within 24 hours, a
// mailto: or https: subject) and decrypts RFC 8291's aes128gcm body with the browser's
// private key and authentication secret, as the browser would. It can answer 410 Gone, 404,
// 429 or 500 on demand.
package webpushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Fault is how the push service answers one push to a browser.
type Fault int

// Faults.
const (
	Accept      Fault = iota // 201: delivered
	Gone                     // 410: the subscription has ended (for good: every later push is 410 too)
	NotFound                 // 404: the push service does not know the subscription (for good)
	TooMany                  // 429 with Retry-After: nothing delivered
	ServerError              // 500: nothing delivered
)

// Message is one push the service accepted and the browser decrypted.
type Message struct {
	Endpoint string
	Payload  []byte // the plaintext the application server sent
	TTL      int
	Urgency  string
	Topic    string
	Subject  string // the JWT's sub
	At       time.Time
}

// Browser is a fake browser subscribed to the stand-in: its P-256 key pair and 16-byte
// authentication secret, made as a browser makes them.
type Browser struct {
	Endpoint string
	key      *ecdh.PrivateKey
	auth     []byte
	ended    Fault // Gone or NotFound once the subscription has ended
	faults   []Fault
}

// P256dh is the browser's public key as PushSubscription.toJSON() gives it.
func (b *Browser) P256dh() string {
	return base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes())
}

// Auth is the browser's authentication secret as PushSubscription.toJSON() gives it.
func (b *Browser) Auth() string { return base64.RawURLEncoding.EncodeToString(b.auth) }

// JSON is the browser's PushSubscription.toJSON(), the body of POST /push/subscriptions.
func (b *Browser) JSON() map[string]any {
	return map[string]any{"endpoint": b.Endpoint, "expirationTime": nil, "keys": map[string]any{"p256dh": b.P256dh(), "auth": b.Auth()}}
}

// Server is the stand-in push service.
type Server struct {
	*httptest.Server
	// ApplicationServerKey is the VAPID public key the browsers subscribed with: a push
	// signed under another key is refused (403), as push services do.
	ApplicationServerKey string
	mu                   sync.Mutex
	browsers             map[string]*Browser // by path
	messages             []Message
	// Requests counts the pushes received; Refused those that failed a check (with why).
	Requests int
	Refused  []string
}

// New starts a stand-in (over TLS: endpoints are https URLs) for the application server key.
func New(applicationServerKey string) *Server {
	s := &Server{ApplicationServerKey: applicationServerKey, browsers: map[string]*Browser{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.handle))
	return s
}

// Browser makes a fake browser with a subscription of its own.
func (s *Server) Browser() *Browser {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := make([]byte, 12)
	rand.Read(id)
	path := "/push/" + base64.RawURLEncoding.EncodeToString(id)
	b := &Browser{Endpoint: s.URL + path, key: key, auth: auth}
	s.mu.Lock()
	s.browsers[path] = b
	s.mu.Unlock()
	return b
}

// Fail makes the next pushes to b answer with faults, in order.
func (s *Server) Fail(b *Browser, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.faults = append(b.faults, faults...)
}

// Messages are the messages delivered to b so far.
func (s *Server) Messages(b *Browser) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Endpoint == b.Endpoint {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) refuse(w http.ResponseWriter, status int, format string, args ...any) {
	why := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.Refused = append(s.Refused, why)
	s.mu.Unlock()
	http.Error(w, why, status)
}

var (
	topicChars = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	urgencies  = map[string]bool{"very-low": true, "low": true, "normal": true, "high": true}
)

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.Requests++
	b := s.browsers[r.URL.Path]
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		s.refuse(w, http.StatusMethodNotAllowed, "push with POST")
		return
	}
	if b == nil {
		s.refuse(w, http.StatusNotFound, "no such subscription")
		return
	}
	sub, err := s.checkVAPID(r.Header.Get("Authorization"))
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, errOtherKey) {
			status = http.StatusForbidden
		}
		s.refuse(w, status, "VAPID: %v", err)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		s.refuse(w, http.StatusBadRequest, "TTL header missing or not a number of seconds: %q", r.Header.Get("TTL"))
		return
	}
	urgency := r.Header.Get("Urgency")
	if urgency != "" && !urgencies[urgency] {
		s.refuse(w, http.StatusBadRequest, "Urgency %q", urgency)
		return
	}
	topic := r.Header.Get("Topic")
	if topic != "" && !topicChars.MatchString(topic) {
		s.refuse(w, http.StatusBadRequest, "Topic %q is not at most 32 characters of base64url", topic)
		return
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		s.refuse(w, http.StatusUnsupportedMediaType, "Content-Encoding %q, want aes128gcm", ce)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	if len(body) > 4096 {
		s.refuse(w, http.StatusRequestEntityTooLarge, "a push is at most 4096 bytes")
		return
	}
	payload, err := b.decrypt(body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "aes128gcm: %v", err)
		return
	}
	s.mu.Lock()
	fault := b.ended
	if fault == Accept && len(b.faults) > 0 {
		fault, b.faults = b.faults[0], b.faults[1:]
		if fault == Gone || fault == NotFound {
			b.ended = fault
		}
	}
	if fault == Accept {
		s.messages = append(s.messages, Message{Endpoint: b.Endpoint, Payload: payload, TTL: ttl, Urgency: urgency, Topic: topic, Subject: sub, At: time.Now()})
	}
	n := len(s.messages)
	s.mu.Unlock()
	switch fault {
	case Gone:
		http.Error(w, "push subscription has unsubscribed or expired", http.StatusGone)
	case NotFound:
		http.Error(w, "push subscription not found", http.StatusNotFound)
	case TooMany:
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many requests", http.StatusTooManyRequests)
	case ServerError:
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.Header().Set("Location", s.URL+"/message/"+strconv.Itoa(n))
		w.WriteHeader(http.StatusCreated)
	}
}

var errOtherKey = errors.New("k is not the application server key the browser subscribed with")

// checkVAPID checks `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292 §3) and
// answers the JWT's subject.
func (s *Server) checkVAPID(h string) (string, error) {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return "", fmt.Errorf("the Authorization header %q is not the vapid scheme", h)
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return "", fmt.Errorf("parameter %q", p)
		}
		params[k] = v
	}
	t, k := params["t"], params["k"]
	if t == "" || k == "" {
		return "", errors.New("t and k are required")
	}
	if k != s.ApplicationServerKey {
		return "", errOtherKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return "", fmt.Errorf("k is not base64url: %v", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return "", fmt.Errorf("k is not a P-256 point: %v", err)
	}
	now := time.Now()
	var claims jwt.RegisteredClaims
	_, err = jwt.ParseWithClaims(t, &claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(s.URL), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return "", fmt.Errorf("the JWT: %v", err)
	}
	if len(claims.Audience) != 1 || claims.Audience[0] != s.URL {
		return "", fmt.Errorf("aud %v, want the endpoint's origin %s", claims.Audience, s.URL)
	}
	if claims.ExpiresAt.Time.After(now.Add(24 * time.Hour)) {
		return "", fmt.Errorf("exp %s is more than 24 hours ahead", claims.ExpiresAt.Time)
	}
	sub := claims.Subject
	mail, isMail := strings.CutPrefix(sub, "mailto:")
	switch {
	case isMail && strings.Count(mail, "@") == 1 && !strings.Contains(mail, ":"):
	case strings.HasPrefix(sub, "https://"):
	default:
		return "", fmt.Errorf("sub %q is neither mailto:<address> nor an https: URL", sub)
	}
	return sub, nil
}

// decrypt opens an aes128gcm body (RFC 8188) encrypted to the browser (RFC 8291 §3.4).
func (b *Browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("no header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if rs < 18 {
		return nil, fmt.Errorf("record size %d", rs)
	}
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("keyid of %d bytes, want the sender's 65-byte public key", idlen)
	}
	asPublic := body[21 : 21+idlen]
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("keyid is not a P-256 point: %v", err)
	}
	secret, err := b.key.ECDH(as)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(asPublic)
	ikm, err := hkdf.Key(sha256.New, secret, b.auth, info, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	baseNonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	records := body[21+idlen:]
	if len(records) == 0 {
		return nil, errors.New("no records")
	}
	var out []byte
	for seq := uint64(0); len(records) > 0; seq++ {
		n := min(int(rs), len(records))
		record, last := records[:n], n == len(records)
		records = records[n:]
		nonce := append([]byte(nil), baseNonce...)
		for i := range 8 {
			nonce[11-i] ^= byte(seq >> (8 * i))
		}
		plain, err := gcm.Open(nil, nonce, record, nil)
		if err != nil {
			return nil, fmt.Errorf("record %d does not open: %v", seq, err)
		}
		end := len(plain) - 1
		for end >= 0 && plain[end] == 0 {
			end--
		}
		want := byte(1)
		if last {
			want = 2
		}
		if end < 0 || plain[end] != want {
			return nil, fmt.Errorf("record %d lacks its padding delimiter %d", seq, want)
		}
		out = append(out, plain[:end]...)
	}
	return out, nil
}
