package webpush_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/config"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/remind"
	"minxin/backend/internal/webpush"
	"minxin/backend/internal/webpush/webpushtest"
)

// world is an official whose browsers subscribed through the API, the stand-in push
// service, and the real client pointed at it.
type world struct {
	env      *apitest.Env
	official domain.User
	town     domain.Township
	push     *webpushtest.Server
	client   *webpush.Client
	at       time.Time // when the reminders ran: 10:00 in Shanghai
}

func newWorld(t *testing.T, env *apitest.Env, browsers int) (*world, []*webpushtest.Browser) {
	t.Helper()
	town := env.Township("甲镇", 30, 120)
	official := env.User(domain.RoleOfficial, town.ID) // not of the team: told of must-visits only
	w := &world{env: env, official: official, town: town,
		at: time.Date(2026, 12, 17, 2, 0, 0, 0, time.UTC)}
	w.push = webpushtest.New(env.VAPID.PublicKey)
	t.Cleanup(w.push.Close)
	w.client = webpush.New(webpush.Config{PrivateKey: env.VAPID.PrivateKey, PublicKey: env.VAPID.PublicKey, Subject: env.VAPID.Subject,
		HTTPClient: w.push.Client()}, env.App.Reminders)
	var bs []*webpushtest.Browser
	for range browsers {
		b := w.push.Browser()
		if r := env.Post("/api/v1/notifications/push/subscriptions", w.tok(), b.JSON()); r.Status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.Status, r.Body)
		}
		bs = append(bs, b)
	}
	return w, bs
}

// mustVisit makes a must-visit of a new household due in two days and runs the reminders.
func (w *world) mustVisit(t *testing.T, head string) {
	t.Helper()
	h := w.env.Household(w.env.Village(w.town, head+"村", 30.01, 120), head)
	if err := w.env.Store.RawExec(context.Background(), `INSERT INTO visit_triggers (id, township_id, household_id, category, occurred_on, due_at, note,
		responsible_id, source, recorded_by, content_hash, created_at) VALUES (?, ?, ?, 'illness', '2026-12-10', ?, '', ?, 'manual', ?, 'h', ?)`,
		domain.NewID(), w.town.ID, h.ID, w.at.Add(48*time.Hour), w.official.ID, w.official.ID, w.at.Add(-240*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.App.Reminders.Run(context.Background(), w.at); err != nil {
		t.Fatal(err)
	}
	w.env.Clock.Set(w.at)
}

// tok is a token of the official valid at the clock's time.
func (w *world) tok() string { return w.env.Token(w.official) }

func (w *world) sender(client remind.Push) *remind.Sender {
	s := w.env.App.Reminders.NewSender("a", nil, client)
	s.Now = w.env.Clock.Now
	return s
}

func sendDue(t *testing.T, s *remind.Sender) int {
	t.Helper()
	n, err := s.SendDue(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) deliveries(t *testing.T) []remind.DeliveryStatus {
	t.Helper()
	ds, err := w.env.App.Reminders.Deliveries(context.Background(), w.official.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func (w *world) subscriptions(t *testing.T) float64 {
	t.Helper()
	return w.env.Get("/api/v1/notifications/push", w.tok()).Map(t)["subscriptions"].(float64)
}

// inbox is the official's notifications as the API answers them, newest first.
func (w *world) inbox(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, n := range w.env.Get("/api/v1/notifications", w.tok()).Map(t)["items"].([]any) {
		out = append(out, n.(map[string]any))
	}
	return out
}

// checkMessage decodes a message the browser decrypted and compares it with the inbox entry.
func checkMessage(t *testing.T, m webpushtest.Message, n map[string]any) {
	t.Helper()
	var p map[string]string
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("the payload is not JSON: %q", m.Payload)
	}
	for _, k := range []string{"id", "kind", "title", "body", "link"} {
		if p[k] != n[k] || p[k] == "" {
			t.Errorf("payload %s = %q, the inbox says %q", k, p[k], n[k])
		}
	}
	if m.TTL != 86400 || m.Urgency != "normal" || len(m.Topic) != 32 || m.Subject != "mailto:test@minxin.invalid" {
		t.Errorf("headers: TTL %d, Urgency %q, Topic %q, sub %q", m.TTL, m.Urgency, m.Topic, m.Subject)
	}
}

// A reminder reaches every browser of its official, each decrypting the notification's
// title, body and link as the inbox has them; sent once.
func TestPushReachesEveryBrowser(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w, bs := newWorld(t, env, 2)
		w.mustVisit(t, "王五")
		ds := w.deliveries(t)
		if len(ds) != 1 || ds[0].Channel != "push" || ds[0].Status != "pending" {
			t.Fatalf("the outbox: %+v", ds)
		}
		s := w.sender(w.client)
		if n := sendDue(t, s); n != 1 {
			t.Fatalf("sent %d: %+v, refused %v", n, w.deliveries(t), w.push.Refused)
		}
		inbox := w.inbox(t)
		if len(inbox) != 1 || inbox[0]["title"] != "必访即将到期" || !strings.Contains(inbox[0]["body"].(string), "王五") ||
			!strings.HasPrefix(inbox[0]["link"].(string), "/official/visit?trigger=") {
			t.Fatalf("the inbox: %v", inbox)
		}
		for i, b := range bs {
			ms := w.push.Messages(b)
			if len(ms) != 1 {
				t.Fatalf("browser %d got %d messages", i, len(ms))
			}
			checkMessage(t, ms[0], inbox[0])
		}
		env.Clock.Advance(time.Hour)
		if n := sendDue(t, s); n != 0 || len(w.push.Messages(bs[0])) != 1 || w.deliveries(t)[0].Status != "sent" || w.push.Requests != 2 {
			t.Fatalf("sent again: %d, %+v, %d requests", n, w.deliveries(t), w.push.Requests)
		}
	})
}

// A browser whose subscription ended (410) is forgotten and the other still gets the
// reminder; once none is left (404) the delivery fails for good, and later reminders are not
// put in the outbox for push at all.
func TestPushForgetsEndedSubscriptions(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w, bs := newWorld(t, env, 2)
		w.mustVisit(t, "王五")
		w.push.Fail(bs[0], webpushtest.Gone)
		s := w.sender(w.client)
		if n := sendDue(t, s); n != 1 || len(w.push.Messages(bs[1])) != 1 || len(w.push.Messages(bs[0])) != 0 {
			t.Fatalf("one browser gone: sent %d, %+v, %v", n, w.deliveries(t), w.inbox(t))
		}
		if got := w.subscriptions(t); got != 1 {
			t.Fatalf("subscriptions after a 410: %v", got)
		}

		w.mustVisit(t, "赵六")
		w.push.Fail(bs[1], webpushtest.NotFound)
		if n := sendDue(t, s); n != 0 {
			t.Fatalf("sent with no browser left: %d", n)
		}
		ds := w.deliveries(t)
		if len(ds) != 2 || ds[1].Status != "failed" || ds[1].Attempts != 1 || ds[1].LastError == nil || !strings.Contains(*ds[1].LastError, remind.ErrPushGone.Error()) {
			t.Fatalf("the second delivery: %+v", ds)
		}
		if got := w.subscriptions(t); got != 0 {
			t.Fatalf("subscriptions after a 404: %v", got)
		}
		env.Clock.Advance(2 * time.Hour)
		if n := sendDue(t, s); n != 0 || len(w.push.Messages(bs[1])) != 1 {
			t.Fatal("a failed delivery was tried again")
		}
		w.mustVisit(t, "钱七")
		if ds := w.deliveries(t); len(ds) != 2 || len(w.inbox(t)) != 3 {
			t.Fatalf("a push delivery for a user without browsers: %+v", ds)
		}
	})
}

// A 500 and a 429 from the push service are tried again after the backoff, not before, and
// the browser then gets the reminder once.
func TestPushRetriesServiceErrors(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w, bs := newWorld(t, env, 1)
		w.mustVisit(t, "王五")
		w.push.Fail(bs[0], webpushtest.ServerError, webpushtest.TooMany)
		s := w.sender(w.client)
		if n := sendDue(t, s); n != 0 {
			t.Fatal("sent despite a 500")
		}
		d := w.deliveries(t)[0]
		if d.Status != "pending" || d.Attempts != 1 || d.LastError == nil || !strings.Contains(*d.LastError, "500") || strings.Contains(*d.LastError, bs[0].Endpoint) {
			t.Fatalf("after the 500: %+v", d)
		}
		if n := sendDue(t, s); n != 0 || w.push.Requests != 1 {
			t.Fatal("tried again before the backoff")
		}
		env.Clock.Advance(remind.Backoff(1))
		if n := sendDue(t, s); n != 0 || !strings.Contains(*w.deliveries(t)[0].LastError, "429") {
			t.Fatalf("after the 429: %+v", w.deliveries(t)[0])
		}
		env.Clock.Advance(remind.Backoff(2))
		if n := sendDue(t, s); n != 1 {
			t.Fatalf("the third attempt: %+v, refused %v", w.deliveries(t)[0], w.push.Refused)
		}
		if ms := w.push.Messages(bs[0]); len(ms) != 1 || w.deliveries(t)[0].Status != "sent" || w.deliveries(t)[0].Attempts != 3 || w.subscriptions(t) != 1 {
			t.Fatalf("after the retries: %d messages, %+v", len(ms), w.deliveries(t)[0])
		} else {
			checkMessage(t, ms[0], w.inbox(t)[0])
		}
	})
}

// The stand-in holds the client to the protocol: a push signed with another key than the
// one browsers subscribed with is refused, and nothing reaches the browser.
func TestPushSignedWithAnotherKeyIsRefused(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w, bs := newWorld(t, env, 1)
		w.mustVisit(t, "王五")
		other, err := config.NewVAPIDKey()
		if err != nil {
			t.Fatal(err)
		}
		otherPublic, _ := config.VAPIDPublicKey(other)
		for _, c := range []struct{ name, private, public, refusal string }{
			{"a signature by another key", other, env.VAPID.PublicKey, "token signature is invalid"},
			{"another key, signed by it", other, otherPublic, "not the application server key"},
		} {
			client := webpush.New(webpush.Config{PrivateKey: c.private, PublicKey: c.public, Subject: env.VAPID.Subject, HTTPClient: w.push.Client()}, env.App.Reminders)
			if n := sendDue(t, w.sender(client)); n != 0 || len(w.push.Messages(bs[0])) != 0 {
				t.Fatalf("%s: sent", c.name)
			}
			d := w.deliveries(t)[0]
			if d.Status != "pending" || w.subscriptions(t) != 1 || d.LastError == nil || !strings.Contains(*d.LastError, c.refusal) {
				t.Fatalf("%s: %+v", c.name, d)
			}
			if r := w.push.Refused; !strings.Contains(r[len(r)-1], c.refusal) {
				t.Fatalf("%s: refused %q", c.name, r)
			}
			env.Clock.Advance(time.Hour)
		}
		if n := sendDue(t, w.sender(w.client)); n != 1 || len(w.push.Messages(bs[0])) != 1 {
			t.Fatalf("the right key: %d", n)
		}
	})
}
