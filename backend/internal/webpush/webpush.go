// Package webpush delivers reminders by Web Push: each payload goes to every browser where
// its user allowed push, encrypted to the browser's keys (RFC 8291, aes128gcm) and signed
// with the server's VAPID key (RFC 8292), through github.com/SherClockHolmes/webpush-go. It is
// the remind.Push of `serve`; remind.Sender decides when to try again.
package webpush

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	wp "github.com/SherClockHolmes/webpush-go"

	"minxin/backend/internal/remind"
)

// Subscriptions are the browsers of each user (remind.Service).
type Subscriptions interface {
	PushSubscriptions(ctx context.Context, userID string) ([]remind.PushSubscription, error)
	DropPushSubscription(ctx context.Context, sub remind.PushSubscription) error
}

// Config is the server's VAPID identity (config.VAPID) and how pushes are sent.
type Config struct {
	PrivateKey, PublicKey string // base64url, as webpush-go writes them
	Subject               string // mailto:… or https://…
	// TTL is how long a push service keeps a message for a browser that is offline
	// (default 24 h): a reminder older than a day is read in the inbox.
	TTL time.Duration
	// HTTPClient sends the requests (default: a client with a 20 s timeout, shorter than the
	// sender's lease).
	HTTPClient *http.Client
}

// Client pushes to a user's browsers.
type Client struct {
	cfg  Config
	subs Subscriptions
}

// New returns a client over the users' subscriptions.
func New(cfg Config, subs Subscriptions) *Client {
	if cfg.TTL == 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	return &Client{cfg: cfg, subs: subs}
}

// StatusError is a push service's answer other than success.
type StatusError struct {
	Status int
	Host   string // the push service (the endpoint itself is a capability, not logged)
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("push service %s answered %d %s", e.Host, e.Status, e.Body)
}

// topic names a payload for the push service (RFC 8030 §5.4: at most 32 characters of the
// base64url alphabet): a message sent again while the first still waits for an offline
// browser replaces it instead of arriving twice.
func topic(payload []byte) string {
	sum := sha256.Sum256(payload)
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

// Push sends payload to every browser of the user. A browser the push service no longer
// knows (404, 410) is forgotten; with none left the answer is remind.ErrPushGone, which fails
// the delivery for good. Any other failure is answered so that the sender tries again later
// (to every browser: a message a browser already showed is shown again under the same tag,
// the notification's id, replacing it).
func (c *Client) Push(ctx context.Context, userID string, payload []byte) error {
	subs, err := c.subs.PushSubscriptions(ctx, userID)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return remind.ErrPushGone
	}
	var errs []error
	left := 0
	for _, s := range subs {
		err := c.send(ctx, s, payload)
		var se *StatusError
		if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone) {
			if err := c.subs.DropPushSubscription(ctx, s); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		left++
		if err != nil {
			errs = append(errs, err)
		}
	}
	if left == 0 && len(errs) == 0 {
		return fmt.Errorf("%w: every browser's subscription has ended", remind.ErrPushGone)
	}
	return errors.Join(errs...)
}

func (c *Client) send(ctx context.Context, s remind.PushSubscription, payload []byte) error {
	host := ""
	if u, err := url.Parse(s.Endpoint); err == nil {
		host = u.Host
	}
	res, err := wp.SendNotificationWithContext(ctx, payload, &wp.Subscription{Endpoint: s.Endpoint, Keys: wp.Keys{P256dh: s.P256dh, Auth: s.Auth}},
		&wp.Options{
			HTTPClient:      c.cfg.HTTPClient,
			Subscriber:      strings.TrimPrefix(c.cfg.Subject, "mailto:"), // webpush-go puts mailto: before anything not https:
			Topic:           topic(payload),
			TTL:             int(c.cfg.TTL / time.Second),
			Urgency:         wp.UrgencyNormal,
			VAPIDPublicKey:  c.cfg.PublicKey,
			VAPIDPrivateKey: c.cfg.PrivateKey,
		})
	if err != nil {
		if u := (*url.Error)(nil); errors.As(err, &u) { // the endpoint is not to be logged
			err = u.Err
		}
		return fmt.Errorf("push service %s: %w", host, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 256))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 == 2 {
		return nil
	}
	return &StatusError{Status: res.StatusCode, Host: host, Body: strings.TrimSpace(string(body))}
}
