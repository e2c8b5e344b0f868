// Package remind runs the reminder jobs (提醒, product.md §8) and keeps every user's inbox.
// Each job finds the events due to be told as of a moment and writes one notification per
// (recipient, event): the notifications table's unique key makes a second run, on this
// instance or another, write nothing. An official named in a petition is never notified of
// it. The rules of when and what are rules/remind.
package remind

import (
	"context"
	"time"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/remind"
	"minxin/backend/internal/store"
)

// Service runs the jobs and serves the inbox.
type Service struct {
	st      *store.Store
	pushKey string // the VAPID public key browsers subscribe with
}

// New returns the reminders over a store.
func New(st *store.Store) *Service { return &Service{st: st} }

// notificationRow is a row of the notifications table.
type notificationRow struct {
	ID        string
	UserID    string
	Kind      string
	EventKey  string
	TitleZh   string
	BodyZh    string
	TitleEn   string
	BodyEn    string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// Notification is one entry of an inbox, in the reader's language.
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// event is one thing to tell one recipient.
type event struct {
	userID, kind, key, link string
	msg                     remind.Message
}

// notify writes the events not written before, and answers how many it wrote.
func notify(tx *store.Tx, events []event) (int, error) {
	n := 0
	out := newOutbox(tx)
	for _, e := range events {
		row := notificationRow{ID: domain.NewID(), UserID: e.userID, Kind: e.kind, EventKey: e.key,
			TitleZh: e.msg.Zh.Title, BodyZh: e.msg.Zh.Body, TitleEn: e.msg.En.Title, BodyEn: e.msg.En.Body,
			Link: e.link, CreatedAt: tx.Now}
		written, err := store.InsertOnce(tx.DB, &row, "user_id", "event_key")
		if err != nil {
			return n, err
		}
		if written {
			n++
			if err := out.add(row); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Run runs every reminder job once as of at, and answers how many notifications it wrote.
func (s *Service) Run(ctx context.Context, at time.Time) (int, error) {
	total := 0
	for _, job := range []func(*store.Tx) ([]event, error){visitsDue, nightsShort, stationingBehind, petitionDeadlines, findingsOpen, supervised} {
		err := s.st.TxAt(ctx, at, func(tx *store.Tx) error {
			events, err := job(tx)
			if err != nil {
				return err
			}
			n, err := notify(tx, events)
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Every runs the jobs now and then every interval until ctx ends, reporting each run that
// wrote something or failed.
func (s *Service) Every(ctx context.Context, every time.Duration, report func(written int, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.Run(ctx, time.Now())
		if ctx.Err() != nil {
			return
		}
		if n > 0 || err != nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Inbox lists the actor's notifications, newest first, in English when english.
func (s *Service) Inbox(ctx context.Context, a domain.Actor, p store.PageRequest, english bool) (store.Page[Notification], error) {
	if err := p.Validate(); err != nil {
		return store.Page[Notification]{}, err
	}
	q := s.st.Reader(ctx).Where("user_id = ?", a.UserID)
	if p.Cursor != "" {
		q = q.Where("id < ?", p.Cursor)
	}
	var rows []notificationRow
	if err := q.Order("id DESC").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return store.Page[Notification]{}, err
	}
	out := store.Page[Notification]{Items: []Notification{}}
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		out.NextCursor = &rows[len(rows)-1].ID
	}
	for _, r := range rows {
		n := Notification{ID: r.ID, Kind: r.Kind, Title: r.TitleZh, Body: r.BodyZh, Link: r.Link, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
		if english {
			n.Title, n.Body = r.TitleEn, r.BodyEn
		}
		out.Items = append(out.Items, n)
	}
	return out, nil
}

// Unread counts the actor's unread notifications.
func (s *Service) Unread(ctx context.Context, a domain.Actor) (int, error) {
	var n int64
	err := s.st.Reader(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", a.UserID).Count(&n).Error
	return int(n), err
}

// MarkRead marks one of the actor's notifications read (again: no change). Another user's
// notification is not found.
func (s *Service) MarkRead(ctx context.Context, a domain.Actor, id string) error {
	if !domain.ValidID(id) {
		return domain.NotFound("notification")
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		var row notificationRow
		if err := tx.Where("id = ? AND user_id = ?", id, a.UserID).First(&row).Error; err != nil {
			return store.NotFound(err, "notification")
		}
		if row.ReadAt != nil {
			return nil
		}
		return tx.Model(&row).Update("read_at", tx.Now).Error
	})
}
