package remind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/rules/remind"
	"minxin/backend/internal/store"
)

// SMS is a provider of text messages (aliyunsms.Client).
type SMS interface {
	// Send sends title to phone under outID, our key of the message, and answers the
	// provider's id of it.
	Send(ctx context.Context, phone, outID, title string) (string, error)
	// Find reports whether a message under outID was sent to phone on the day of on.
	Find(ctx context.Context, phone, outID string, on time.Time) (string, bool, error)
}

// refusal is a provider's error that says nothing was sent (aliyunsms.Error).
type refusal interface {
	Refused() bool
	Permanent() bool
}

// Push delivers a notification to every browser where its user allowed push.
type Push interface {
	Push(ctx context.Context, userID string, payload []byte) error
}

// ErrPushGone is answered by Push when the user has no browser left to push to.
var ErrPushGone = errors.New("no push subscription left")

// Sender sends the outbox's deliveries. Several senders (instances) may run at once: a row
// is claimed with a lease before it is sent, and all its state is in the database, so a
// restart picks up where the last run stopped.
type Sender struct {
	st    *store.Store
	SMS   SMS  // nil: SMS rows wait
	Push  Push // nil: push rows wait
	Owner string
	Lease time.Duration
	Now   func() time.Time
	// MaxAttempts after which a row is failed.
	MaxAttempts int
}

// NewSender returns a sender over the store named owner (the instance).
func (s *Service) NewSender(owner string, sms SMS, push Push) *Sender {
	return &Sender{st: s.st, SMS: sms, Push: push, Owner: owner, Lease: 2 * time.Minute, Now: time.Now, MaxAttempts: 12}
}

// Backoff is the wait after the attempt-th failed attempt: 30 s, doubling, at most an hour.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// quiet reports whether at is within the SMS quiet hours in force that day (sms.quiet_from
// to sms.quiet_until, 22:00–07:00 by default, across midnight when from is after until).
func quiet(tx *store.Tx, at time.Time) (bool, error) {
	d := civil.Of(at, tx.Loc())
	st, err := tx.SettingsOn(d)
	if err != nil {
		return false, err
	}
	from, until := st.Clock("sms.quiet_from"), st.Clock("sms.quiet_until")
	since := at.Sub(d.Start(tx.Loc()))
	if from <= until {
		return since >= from && since < until, nil
	}
	return since >= from || since < until, nil
}

// SendDue sends the deliveries due now, at most limit, and answers how many it sent.
func (s *Sender) SendDue(ctx context.Context, limit int) (int, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	r := s.st.Reader(ctx)
	r.Now = now
	channels := []string{}
	if s.Push != nil {
		channels = append(channels, remind.ChannelPush)
	}
	if s.SMS != nil {
		q, err := quiet(r, now)
		if err != nil {
			return 0, err
		}
		if !q {
			channels = append(channels, remind.ChannelSMS)
		}
	}
	if len(channels) == 0 {
		return 0, nil
	}
	var due []deliveryRow
	err := r.Where("status = ? AND next_at <= ? AND channel IN ? AND (lease_until IS NULL OR lease_until < ?)", Pending, now, channels, now).
		Order("next_at, id").Limit(limit).Find(&due).Error
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		row, ok, err := s.claim(ctx, d.ID, now)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // another sender has it
		}
		done, err := s.deliver(ctx, row)
		if err != nil {
			return sent, err
		}
		if done {
			sent++
		}
	}
	return sent, nil
}

// claim takes the row for the lease, counting an attempt, unless another sender holds it.
func (s *Sender) claim(ctx context.Context, id string, now time.Time) (deliveryRow, bool, error) {
	var row deliveryRow
	res := s.st.Reader(ctx).Model(&deliveryRow{}).
		Where("id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)", id, Pending, now).
		Updates(map[string]any{"lease_owner": s.Owner, "lease_until": now.Add(s.Lease), "attempts": gorm.Expr("attempts + 1")})
	if res.Error != nil || res.RowsAffected != 1 {
		return row, false, res.Error
	}
	err := s.st.Reader(ctx).Where("id = ?", id).Take(&row).Error
	return row, err == nil, err
}

// update changes the row while this sender holds its lease.
func (s *Sender) update(ctx context.Context, row deliveryRow, fields map[string]any) error {
	return s.st.Reader(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_owner = ?", row.ID, s.Owner).Updates(fields).Error
}

// sent records the row sent.
func (s *Sender) sent(ctx context.Context, row deliveryRow, providerID string) error {
	now := s.Now().UTC()
	return s.update(ctx, row, map[string]any{"status": Sent, "provider_id": providerID, "sent_at": now, "lease_owner": nil, "lease_until": nil, "last_error": nil})
}

// retry records a failed attempt: again after the backoff, or failed for good.
func (s *Sender) retry(ctx context.Context, row deliveryRow, cause error, permanent bool, maybeSent bool) error {
	f := map[string]any{"last_error": truncate(cause.Error(), 500), "lease_owner": nil, "lease_until": nil, "maybe_sent": maybeSent,
		"next_at": s.Now().UTC().Add(Backoff(row.Attempts))}
	if permanent || row.Attempts >= s.MaxAttempts {
		f["status"] = Failed
	}
	return s.update(ctx, row, f)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// deliver makes one attempt at a claimed row; it answers true when the row is sent.
func (s *Sender) deliver(ctx context.Context, row deliveryRow) (bool, error) {
	var n notificationRow
	if err := s.st.Reader(ctx).Where("id = ?", row.NotificationID).Take(&n).Error; err != nil {
		return false, err
	}
	if row.Channel == remind.ChannelPush {
		return s.deliverPush(ctx, row, n)
	}
	return s.deliverSMS(ctx, row, n)
}

// deliverSMS sends at most once per row as far as the provider lets us know: an attempt that
// may have reached the provider (maybe_sent: the process died, the connection dropped, the
// provider answered 5xx) is followed by a look-up of the message by its OutId before any
// second send.
func (s *Sender) deliverSMS(ctx context.Context, row deliveryRow, n notificationRow) (bool, error) {
	if row.MaybeSent && row.FirstSentAt != nil {
		for day := *row.FirstSentAt; !day.After(s.Now().Add(24 * time.Hour)); day = day.Add(24 * time.Hour) {
			bizID, found, err := s.SMS.Find(ctx, row.Recipient, row.OutID, day)
			if err != nil {
				return false, s.retry(ctx, row, fmt.Errorf("looking up an earlier attempt: %w", err), false, true)
			}
			if found {
				return true, s.sent(ctx, row, bizID)
			}
			if civil.Of(day, s.st.Location()) == civil.Of(s.Now(), s.st.Location()) {
				break
			}
		}
	}
	first := row.FirstSentAt
	if first == nil {
		t := s.Now().UTC()
		first = &t
	}
	// Recorded before the send: a process killed during it leaves the row to be looked up.
	if err := s.update(ctx, row, map[string]any{"maybe_sent": true, "first_sent_at": *first}); err != nil {
		return false, err
	}
	bizID, err := s.SMS.Send(ctx, row.Recipient, row.OutID, n.TitleZh)
	if err == nil {
		return true, s.sent(ctx, row, bizID)
	}
	var r refusal
	if errors.As(err, &r) && r.Refused() {
		return false, s.retry(ctx, row, err, r.Permanent(), false)
	}
	return false, s.retry(ctx, row, err, false, true)
}

func (s *Sender) deliverPush(ctx context.Context, row deliveryRow, n notificationRow) (bool, error) {
	payload := pushPayload(n)
	err := s.Push.Push(ctx, row.Recipient, payload)
	if err == nil {
		return true, s.sent(ctx, row, "")
	}
	return false, s.retry(ctx, row, err, errors.Is(err, ErrPushGone), false)
}

// Every sends what is due now and then every interval until ctx ends.
func (s *Sender) Every(ctx context.Context, every time.Duration, report func(sent int, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, err := s.SendDue(ctx, 100)
			if ctx.Err() != nil {
				return
			}
			if n > 0 || err != nil {
				report(n, err)
			}
			if err != nil || n < 100 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliveryStatus is what an operator reads of a delivery.
type DeliveryStatus struct {
	Channel, Status string
	Attempts        int
	ProviderID      *string
	LastError       *string
}

// Deliveries lists the deliveries of a user's notifications, oldest first (for tests and
// operators).
func (s *Service) Deliveries(ctx context.Context, userID string) ([]DeliveryStatus, error) {
	var rows []deliveryRow
	err := s.st.Reader(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&rows).Error
	out := []DeliveryStatus{}
	for _, r := range rows {
		out = append(out, DeliveryStatus{Channel: r.Channel, Status: r.Status, Attempts: r.Attempts, ProviderID: r.ProviderID, LastError: r.LastError})
	}
	return out, err
}

// pushPayload is what the service worker shows: the title and body in Chinese and the link
// to open.
func pushPayload(n notificationRow) []byte {
	b, _ := json.Marshal(map[string]string{"id": n.ID, "kind": n.Kind, "title": n.TitleZh, "body": n.BodyZh, "link": n.Link})
	return b
}
