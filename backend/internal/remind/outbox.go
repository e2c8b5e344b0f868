package remind

import (
	"strings"
	"time"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/remind"
	"minxin/backend/internal/store"
)

// deliveryRow is a row of the outbox: one notification on one channel besides the inbox.
type deliveryRow struct {
	ID             string
	NotificationID string
	UserID         string
	Channel        string
	Recipient      string // the phone for SMS, the user for push
	Status         string // pending, sent, failed
	Attempts       int
	NextAt         time.Time
	LeaseOwner     *string
	LeaseUntil     *time.Time
	MaybeSent      bool
	FirstSentAt    *time.Time
	OutID          string
	ProviderID     *string
	LastError      *string
	SentAt         *time.Time
	CreatedAt      time.Time
}

func (deliveryRow) TableName() string { return "deliveries" }

// Delivery statuses.
const (
	Pending = "pending"
	Sent    = "sent"
	Failed  = "failed"
)

// outbox decides, in the notification's transaction, on which channels it goes out: SMS
// when the user chose it for the kind and has a phone; push when chosen and the user has
// allowed push in at least one browser.
type outbox struct {
	tx       *store.Tx
	contacts map[string]userContact
	prefs    map[string]map[string]remind.Preference
	pushable map[string]bool
}

func newOutbox(tx *store.Tx) *outbox {
	return &outbox{tx: tx, contacts: map[string]userContact{}, prefs: map[string]map[string]remind.Preference{}, pushable: map[string]bool{}}
}

func (o *outbox) user(id string) (userContact, map[string]remind.Preference, bool, error) {
	if u, ok := o.contacts[id]; ok {
		return u, o.prefs[id], o.pushable[id], nil
	}
	u, err := contactOf(o.tx.DB, id)
	if err != nil {
		return u, nil, false, err
	}
	p, err := preferencesOf(o.tx.DB, u)
	if err != nil {
		return u, nil, false, err
	}
	var subs int64
	if err := o.tx.Table("push_subscriptions").Where("user_id = ?", id).Count(&subs).Error; err != nil {
		return u, nil, false, err
	}
	o.contacts[id], o.prefs[id], o.pushable[id] = u, p, subs > 0
	return u, p, subs > 0, nil
}

// add writes the deliveries of a notification just written.
func (o *outbox) add(n notificationRow) error {
	u, prefs, pushable, err := o.user(n.UserID)
	if err != nil {
		return err
	}
	p := prefs[n.Kind]
	if p.SMS && u.Phone != "" {
		if err := o.write(n, remind.ChannelSMS, u.Phone); err != nil {
			return err
		}
	}
	if p.Push && pushable {
		return o.write(n, remind.ChannelPush, u.ID)
	}
	return nil
}

func (o *outbox) write(n notificationRow, channel, recipient string) error {
	id := domain.NewID()
	return o.tx.Create(&deliveryRow{ID: id, NotificationID: n.ID, UserID: n.UserID, Channel: channel, Recipient: recipient,
		Status: Pending, NextAt: o.tx.Now, OutID: strings.ReplaceAll(id, "-", ""), CreatedAt: o.tx.Now}).Error
}
