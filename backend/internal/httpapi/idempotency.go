package httpapi

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
	"minxin/backend/internal/store"
)

// maxIdempotentBody bounds the body read to fingerprint a request: the largest attachment
// and its multipart envelope.
const maxIdempotentBody = store.MaxAttachmentBytes + 64<<10

// idempotent answers a retried POST that carries an Idempotency-Key with the first answer
// (kept sealed for a day): same key and same request, same answer; same key and another
// request, 422. The request runs in one transaction with its claim on the key (see
// store.Idempotent). The fingerprint of a multipart request is its parts' names and contents,
// since a retried upload gets a new boundary.
func (s *Server) idempotent(c echo.Context, next echo.HandlerFunc) error {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" || c.Request().Method != http.MethodPost {
		return next(c)
	}
	if len(key) > 200 {
		return domain.InvalidField("Idempotency-Key", "must be at most 200 characters")
	}
	if strings.IndexFunc(key, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return domain.InvalidField("Idempotency-Key", "must be printable ASCII")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxIdempotentBody+1))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return domain.Errorf(domain.KindMalformed, "unreadable_body", "the request body could not be read")
	}
	if len(body) > maxIdempotentBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	scope := "anonymous"
	if a, ok := actorOf(c); ok {
		scope = a.UserID
	} else if !domain.ValidID(key) {
		// Callers without a login share one scope: only an unguessable key keeps one caller
		// from being answered another's kept answer.
		return domain.InvalidField("Idempotency-Key", "must be a random UUID when sent without a login")
	}
	req := store.IdempotentRequest{Scope: scope, Key: key, Path: c.Request().URL.Path,
		RequestHash: fingerprint(c.Request().Header.Get(echo.HeaderContentType), body)}
	// The answer is held back until the request's transaction has committed with it: the
	// client hears of nothing that could still be rolled back.
	rec := &heldResponse{ResponseWriter: c.Response().Writer}
	c.Response().Writer = rec
	original := c.Request()
	replay, err := s.deps.App.Store.Idempotent(c.Request().Context(), req, func(ctx context.Context) (*store.StoredAnswer, error) {
		c.SetRequest(c.Request().WithContext(ctx))
		err := next(c)
		if status := c.Response().Status; err != nil || status < 200 || status > 299 {
			return nil, err
		}
		return &store.StoredAnswer{Status: c.Response().Status, ContentType: c.Response().Header().Get(echo.HeaderContentType), Body: s.seal(req, rec.buf.Bytes())}, nil
	})
	c.Response().Writer = rec.ResponseWriter
	c.SetRequest(original) // its transaction has ended
	switch {
	case replay != nil:
		plain, err := s.open(req, replay.Body)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.Blob(replay.Status, replay.ContentType, plain)
	case err != nil:
		// Whatever the handler wrote is dropped; the error is answered instead.
		c.Response().Committed = false
		return err
	}
	return rec.release()
}

// heldResponse keeps a response's status and body until release.
type heldResponse struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *heldResponse) WriteHeader(status int) { r.status = status }

func (r *heldResponse) Write(b []byte) (int, error) { return r.buf.Write(b) }

// Flush is a no-op: nothing leaves before release.
func (r *heldResponse) Flush() {}

func (r *heldResponse) release() error {
	if r.status == 0 {
		return nil
	}
	r.ResponseWriter.WriteHeader(r.status)
	_, err := r.ResponseWriter.Write(r.buf.Bytes())
	return err
}

func fingerprint(contentType string, body []byte) string {
	h := sha256.New()
	mediaType, params, _ := mime.ParseMediaType(contentType)
	if mediaType == "multipart/form-data" && params["boundary"] != "" {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			io.WriteString(h, part.FormName()+"\x00"+part.FileName()+"\x00")
			io.Copy(h, part)
			h.Write([]byte{0})
		}
	} else {
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// seal encrypts a kept answer (it may hold a petition's PIN or a petitioner's identity) with
// AES-256-GCM under the data keys (seal), bound to its key.
func (s *Server) seal(r store.IdempotentRequest, plain []byte) []byte {
	return s.deps.App.Store.Keys().SealBytes(plain, store.AnswerContext(r.Scope, r.Key))
}

func (s *Server) open(r store.IdempotentRequest, sealed []byte) ([]byte, error) {
	if seal.IsSealed(string(sealed)) {
		return s.deps.App.Store.Keys().OpenBytes(sealed, store.AnswerContext(r.Scope, r.Key))
	}
	// An answer kept by a version before the data keys, under a key derived from the server's
	// secret; such answers are forgotten within a day.
	aead := s.aead()
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("idempotency: kept answer too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}

func (s *Server) aead() cipher.AEAD {
	mac := hmac.New(sha256.New, s.deps.Secret)
	mac.Write([]byte("minxin-idempotency-v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// idempotencyExempt are the routes where replaying an answer would be wrong (token rotation
// must see every use of a refresh token), and those made idempotent by their record: a field
// record's client-chosen id, or the evidence a check-out or a reception check-in adds to its
// record. A re-send to those is answered from the record as stored, whatever key it carries,
// so keeping an answer for the key would only cost a claim and a write per request.
func idempotencyExempt(path string) bool {
	return strings.HasPrefix(path, "/auth/") || idempotentByRecord[path]
}

var idempotentByRecord = map[string]bool{
	"/overnight-stays":              true,
	"/overnight-stays/:id/checkout": true,
	"/stationings":                  true,
	"/stationings/:id/checkout":     true,
	"/reception-days/:id/checkin":   true,
	"/visit-triggers":               true,
	"/visits":                       true,
	"/talk-days":                    true,
}
