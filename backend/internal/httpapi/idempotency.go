package httpapi

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
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
	"minxin/backend/internal/store"
)

// maxIdempotentBody bounds the body read to fingerprint a request: the largest attachment
// and its multipart envelope.
const maxIdempotentBody = store.MaxAttachmentBytes + 64<<10

// idempotent answers a retried POST that carries an Idempotency-Key with the first answer
// (kept sealed for a day): same key and same request, same answer; same key and another
// request, 422. The fingerprint of a multipart request is its parts' names and contents,
// since a retried upload gets a new boundary.
func (s *Server) idempotent(c echo.Context, next echo.HandlerFunc) error {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" || c.Request().Method != http.MethodPost {
		return next(c)
	}
	if len(key) > 200 {
		return domain.InvalidField("Idempotency-Key", "must be at most 200 characters")
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
	ctx := c.Request().Context()
	path := c.Request().URL.Path
	kept, err := s.deps.Store.BeginIdempotent(ctx, scope, key, path, fingerprint(c.Request().Header.Get(echo.HeaderContentType), body))
	if err != nil {
		return err
	}
	if kept != nil {
		plain, err := s.open(kept.Body)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.Blob(kept.Status, kept.ContentType, plain)
	}
	rec := &recorder{ResponseWriter: c.Response().Writer}
	c.Response().Writer = rec
	err = next(c)
	c.Response().Writer = rec.ResponseWriter
	status := c.Response().Status
	// The client may have gone away: the claim is settled all the same, or its retry would
	// wait for the claim to time out.
	ctx = context.WithoutCancel(ctx)
	if err != nil || status < 200 || status > 299 {
		if aerr := s.deps.Store.AbandonIdempotent(ctx, scope, key); aerr != nil {
			return errors.Join(err, aerr)
		}
		return err
	}
	return s.deps.Store.FinishIdempotent(ctx, scope, key, store.StoredAnswer{
		Status: status, ContentType: c.Response().Header().Get(echo.HeaderContentType), Body: s.seal(rec.buf.Bytes()),
	})
}

// recorder passes a response through and keeps a copy of its body.
type recorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
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

// seal encrypts a kept answer (it may hold a petition's PIN) with AES-256-GCM under a key
// derived from the server's secret.
func (s *Server) seal(plain []byte) []byte {
	aead := s.aead()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return aead.Seal(nonce, nonce, plain, nil)
}

func (s *Server) open(sealed []byte) ([]byte, error) {
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

// idempotencyExempt are the routes where replaying an answer would be wrong: token rotation
// must see every use of a refresh token.
func idempotencyExempt(path string) bool { return strings.HasPrefix(path, "/auth/") }
