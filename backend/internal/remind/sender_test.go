package remind_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/aliyunsms"
	"minxin/backend/internal/aliyunsms/aliyunsmstest"
	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/remind"
)

// smsWorld is an official who chose SMS for must-visits, n must-visits due, and the
// stand-in provider.
type smsWorld struct {
	env      *apitest.Env
	official domain.User
	standin  *aliyunsmstest.Server
	client   *aliyunsms.Client
	at       time.Time // the moment the reminders ran: 10:00 in Shanghai
}

func newSMSWorld(t *testing.T, env *apitest.Env, visits int) *smsWorld {
	town := env.Township("甲镇", 30, 120)
	h := env.Household(env.Village(town, "甲村", 30.01, 120), "王五")
	official := env.User(domain.RoleOfficial, town.ID, "team_member")
	r := env.Put("/api/v1/notifications/preferences", env.Token(official), map[string]any{"phone": "13800138000",
		"items": []any{map[string]any{"kind": "visit_due", "sms": true}}})
	if r.Status != http.StatusOK {
		t.Fatalf("preferences: %d %s", r.Status, r.Body)
	}
	at := time.Date(2026, 12, 17, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	for range visits {
		if err := env.Store.RawExec(context.Background(), `INSERT INTO visit_triggers (id, township_id, household_id, category, occurred_on, due_at, note,
			responsible_id, source, recorded_by, content_hash, created_at) VALUES (?, ?, ?, 'illness', '2026-12-10', ?, '', ?, 'manual', ?, 'h', ?)`,
			domain.NewID(), town.ID, h.ID, at.Add(48*time.Hour), official.ID, official.ID, at.Add(-240*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.App.Reminders.Run(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(at)
	s := aliyunsmstest.New("LTAI-test", "the-secret")
	t.Cleanup(s.Close)
	s.Now = env.Clock.Now
	c := aliyunsms.New(aliyunsms.Config{Endpoint: s.URL + "/", AccessKeyID: "LTAI-test", AccessKeySecret: "the-secret",
		SignName: "民心工程", TemplateCode: "SMS_000001"}, nil)
	return &smsWorld{env: env, official: official, standin: s, client: c, at: at}
}

func (w *smsWorld) sender(owner string, sms remind.SMS) *remind.Sender {
	s := w.env.App.Reminders.NewSender(owner, sms, nil)
	s.Now = w.env.Clock.Now
	return s
}

func (w *smsWorld) deliveries(t *testing.T) []remind.DeliveryStatus {
	t.Helper()
	ds, err := w.env.App.Reminders.Deliveries(context.Background(), w.official.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func sendDue(t *testing.T, s *remind.Sender) int {
	t.Helper()
	n, err := s.SendDue(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A refusal (flow control), a 500 and a connection dropped after the provider sent the
// message: retried with backoff, and the retry after the drop finds the message by its
// OutId instead of sending it again. One SMS, status kept.
func TestSMSRetryNeverDoubles(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSMSWorld(t, env, 1)
		ds := w.deliveries(t)
		if len(ds) != 1 || ds[0].Channel != "sms" || ds[0].Status != "pending" {
			t.Fatalf("the outbox after the reminder: %+v", ds)
		}
		s := w.sender("a", w.client)
		w.standin.Fail(aliyunsmstest.LimitControl, aliyunsmstest.ServerError, aliyunsmstest.AcceptThenDrop)
		if n := sendDue(t, s); n != 0 || w.deliveries(t)[0].Attempts != 1 || *w.deliveries(t)[0].LastError == "" {
			t.Fatalf("flow control: sent %d, %+v", n, w.deliveries(t))
		}
		if n := sendDue(t, s); n != 0 {
			t.Fatal("sent again before the backoff")
		}
		env.Clock.Advance(remind.Backoff(1))
		sendDue(t, s) // 500
		env.Clock.Advance(remind.Backoff(2))
		sendDue(t, s) // sent, then the connection drops
		if got := len(w.standin.Messages()); got != 1 || w.deliveries(t)[0].Status != "pending" {
			t.Fatalf("after the drop: %d messages, %+v", got, w.deliveries(t))
		}
		env.Clock.Advance(remind.Backoff(3))
		if n := sendDue(t, s); n != 1 {
			t.Fatalf("the retry after the drop: %d", n)
		}
		env.Clock.Advance(time.Hour)
		sendDue(t, s)
		d := w.deliveries(t)[0]
		if msgs := w.standin.Messages(); len(msgs) != 1 || d.Status != "sent" || d.Attempts != 4 || w.standin.Sends != 3 || w.standin.Queries < 1 {
			t.Fatalf("one SMS: %d messages, %d sends, %d queries, %+v", len(msgs), w.standin.Sends, w.standin.Queries, d)
		}
		if m := w.standin.Messages()[0]; m.Param["title"] != "必访即将到期" || m.TemplateCode != "SMS_000001" || m.Phone != "13800138000" {
			t.Errorf("the message: %+v", m)
		}
	})
}

// hanging sends through the real client and then never returns: the instance died after
// the provider took the message.
type hanging struct {
	*aliyunsms.Client
	sent chan struct{}
}

func (h hanging) Send(ctx context.Context, phone, outID, title string) (string, error) {
	id, err := h.Client.Send(ctx, phone, outID, title)
	close(h.sent)
	<-ctx.Done()
	return id, err
}

// An instance killed in the middle of a send: once its lease runs out another instance
// takes the row, finds the message at the provider by its OutId and sends nothing; while the
// lease holds nobody touches the row. Two instances sending at once send each message once.
func TestSMSKilledMidSendAndTwoInstances(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSMSWorld(t, env, 1)
		ctx, kill := context.WithCancel(context.Background())
		h := hanging{w.client, make(chan struct{})}
		dead := w.sender("dead", h)
		done := make(chan struct{})
		go func() { defer close(done); dead.SendDue(ctx, 100) }()
		<-h.sent
		b := w.sender("b", w.client)
		if n := sendDue(t, b); n != 0 {
			t.Fatal("sent while another instance held the lease")
		}
		env.Clock.Advance(b.Lease + time.Second)
		if n := sendDue(t, b); n != 1 {
			t.Fatalf("after the lease: %d", n)
		}
		kill()
		<-done
		if got := len(w.standin.Messages()); got != 1 || w.deliveries(t)[0].Status != "sent" {
			t.Fatalf("killed mid-send: %d messages, %+v", got, w.deliveries(t))
		}

		// Two instances at once over 20 more notifications.
		w2 := newSMSWorld(t, env, 20)
		var wg sync.WaitGroup
		for _, owner := range []string{"x", "y"} {
			wg.Add(1)
			go func() { defer wg.Done(); w2.sender(owner, w2.client).SendDue(context.Background(), 100) }()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range w2.standin.Messages() {
			seen[m.OutID]++
		}
		if len(seen) != 20 || len(w2.standin.Messages()) != 20 {
			t.Fatalf("two instances: %d messages for %d keys", len(w2.standin.Messages()), len(seen))
		}
	})
}

// Quiet hours: no SMS from 22:00 to 07:00 in the district; what waited goes at 07:00. A
// wrong secret is refused by the provider's signature check and nothing is sent.
func TestSMSQuietHoursAndSignature(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSMSWorld(t, env, 1)
		wrong := aliyunsms.New(aliyunsms.Config{Endpoint: w.standin.URL + "/", AccessKeyID: "LTAI-test", AccessKeySecret: "not-it",
			SignName: "民心工程", TemplateCode: "SMS_000001"}, nil)
		if n := sendDue(t, w.sender("a", wrong)); n != 0 || len(w.standin.Messages()) != 0 {
			t.Fatal("sent with a wrong signature")
		}
		if e := w.deliveries(t)[0].LastError; e == nil || !contains(*e, "SignatureDoesNotMatch") {
			t.Fatalf("the refusal kept: %+v", w.deliveries(t)[0])
		}
		s := w.sender("a", w.client)
		env.Clock.Set(time.Date(2026, 12, 17, 14, 0, 0, 0, time.UTC)) // 22:00 in Shanghai
		if n := sendDue(t, s); n != 0 {
			t.Fatal("sent at 22:00")
		}
		env.Clock.Set(time.Date(2026, 12, 17, 22, 59, 59, 0, time.UTC)) // 06:59:59
		if n := sendDue(t, s); n != 0 {
			t.Fatal("sent at 06:59:59")
		}
		env.Clock.Set(time.Date(2026, 12, 17, 23, 0, 0, 0, time.UTC)) // 07:00
		if n := sendDue(t, s); n != 1 {
			t.Fatal("not sent at 07:00")
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
