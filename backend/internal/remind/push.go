package remind

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"net/url"
	"time"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// pushSubscriptionRow is a browser where its user allowed push: the push service's endpoint
// and the keys the payload is encrypted to (RFC 8291). The endpoint belongs to the browser:
// subscribed again by another user, it moves to that user.
type pushSubscriptionRow struct {
	ID        string
	UserID    string
	Endpoint  string
	P256dh    string `gorm:"column:p256dh"`
	Auth      string `gorm:"column:auth"`
	CreatedAt time.Time
}

func (pushSubscriptionRow) TableName() string { return "push_subscriptions" }

// PushStatus is what a browser needs to subscribe: the application server's public key
// (applicationServerKey, base64url of the uncompressed P-256 point) and how many browsers
// of the caller are subscribed.
type PushStatus struct {
	PublicKey     string `json:"public_key"`
	Subscriptions int    `json:"subscriptions"`
}

// SubscriptionInput is a browser's PushSubscription.toJSON().
type SubscriptionInput struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           *struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// Subscription is a stored subscription as answered.
type Subscription struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

// PushSubscription is one browser to push to (for the Push implementation).
type PushSubscription struct {
	ID, Endpoint, P256dh, Auth string
}

// UsePushKey sets the VAPID public key browsers subscribe with (config.VAPID).
func (s *Service) UsePushKey(publicKey string) { s.pushKey = publicKey }

// decodeKey reads a subscription key: base64url as browsers write it, padded or not.
func decodeKey(s string) ([]byte, bool) {
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, true
	}
	b, err := base64.URLEncoding.DecodeString(s)
	return b, err == nil
}

func (in SubscriptionInput) validate() error {
	var v domain.Invalid
	u, err := url.Parse(in.Endpoint)
	switch {
	case in.Endpoint == "":
		v.Add("endpoint", "is required")
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(in.Endpoint) > 2048:
		v.Add("endpoint", "must be the push service's https URL")
	}
	if in.Keys == nil {
		v.Add("keys", "is required")
		return v.Err()
	}
	if in.Keys.P256dh == "" {
		v.Add("keys.p256dh", "is required")
	} else if b, ok := decodeKey(in.Keys.P256dh); !ok || len(b) != 65 {
		v.Add("keys.p256dh", "must be base64url of an uncompressed P-256 public key (65 bytes)")
	} else if _, err := ecdh.P256().NewPublicKey(b); err != nil {
		v.Add("keys.p256dh", "must be base64url of an uncompressed P-256 public key (65 bytes)")
	}
	if in.Keys.Auth == "" {
		v.Add("keys.auth", "is required")
	} else if b, ok := decodeKey(in.Keys.Auth); !ok || len(b) != 16 {
		v.Add("keys.auth", "must be base64url of the 16-byte authentication secret")
	}
	return v.Err()
}

// PushStatus answers the public key and the actor's number of subscribed browsers.
func (s *Service) PushStatus(ctx context.Context, a domain.Actor) (PushStatus, error) {
	var n int64
	err := s.st.Reader(ctx).Model(&pushSubscriptionRow{}).Where("user_id = ?", a.UserID).Count(&n).Error
	return PushStatus{PublicKey: s.pushKey, Subscriptions: int(n)}, err
}

// Subscribe keeps a browser's subscription for the actor and answers it, and whether it was
// new. The same endpoint again is the same subscription: its keys are renewed and it moves
// to the actor when another user had it (the browser now belongs to the actor's login).
func (s *Service) Subscribe(ctx context.Context, a domain.Actor, in SubscriptionInput) (Subscription, bool, error) {
	if err := in.validate(); err != nil {
		return Subscription{}, false, err
	}
	var out Subscription
	created := false
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row := pushSubscriptionRow{ID: domain.NewID(), UserID: a.UserID, Endpoint: in.Endpoint, P256dh: in.Keys.P256dh,
			Auth: in.Keys.Auth, CreatedAt: tx.Now}
		written, err := store.InsertOnce(tx.DB, &row, "endpoint")
		if err != nil {
			return err
		}
		if !written {
			row = pushSubscriptionRow{} // a set id would narrow the query
			if err := tx.Where("endpoint = ?", in.Endpoint).Take(&row).Error; err != nil {
				return err
			}
			if err := tx.Model(&pushSubscriptionRow{}).Where("id = ?", row.ID).
				Updates(map[string]any{"user_id": a.UserID, "p256dh": in.Keys.P256dh, "auth": in.Keys.Auth}).Error; err != nil {
				return err
			}
		}
		created = written
		out = Subscription{ID: row.ID, CreatedAt: row.CreatedAt}
		return nil
	})
	return out, created, err
}

// Unsubscribe forgets one of the actor's subscriptions; another user's is not found.
func (s *Service) Unsubscribe(ctx context.Context, a domain.Actor, id string) error {
	if !domain.ValidID(id) {
		return domain.NotFound("push subscription")
	}
	res := s.st.Reader(ctx).Where("id = ? AND user_id = ?", id, a.UserID).Delete(&pushSubscriptionRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("push subscription")
	}
	return nil
}

// PushSubscriptions lists the browsers a user allowed push in, oldest first.
func (s *Service) PushSubscriptions(ctx context.Context, userID string) ([]PushSubscription, error) {
	var rows []pushSubscriptionRow
	err := s.st.Reader(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&rows).Error
	out := make([]PushSubscription, 0, len(rows))
	for _, r := range rows {
		out = append(out, PushSubscription{ID: r.ID, Endpoint: r.Endpoint, P256dh: r.P256dh, Auth: r.Auth})
	}
	return out, err
}

// DropPushSubscription forgets a subscription the push service no longer knows (404, 410),
// unless the browser has subscribed it again meanwhile with other keys.
func (s *Service) DropPushSubscription(ctx context.Context, sub PushSubscription) error {
	return s.st.Reader(ctx).Where("id = ? AND endpoint = ? AND p256dh = ? AND auth = ?", sub.ID, sub.Endpoint, sub.P256dh, sub.Auth).
		Delete(&pushSubscriptionRow{}).Error
}
