// Package app wires Minxin's feature services over one store: what the HTTP API, the
// command line and the demo all call.
package app

import (
	"context"
	"fmt"
	"io"

	"minxin/backend/internal/activity"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/remind"
	"minxin/backend/internal/scorecard"
	"minxin/backend/internal/seal"
	"minxin/backend/internal/store"
)

// Services are the features of one district.
type Services struct {
	Store        *store.Store
	Organisation *organisation.Service
	Duties       *duties.Service
	Petitions    *petitions.Service
	Audits       *audits.Service
	Scorecards   *scorecard.Service
	Reminders    *remind.Service
	Activity     *activity.Service // the activity log as admins and inspectors read it
}

// Options configure the services.
type Options struct {
	QRKey *qrtoken.Key // signs and checks household QR tokens; nil: none (commands that print none)
	// Random draws petitioners' PINs and audit seeds; nil is crypto/rand (tests may fix it).
	Random io.Reader
	// Keys seal petitioners' identities at rest (config.Keys); nil: a random key of this
	// process only, which suits tests and nothing else.
	Keys *seal.Keyring
	// PushKey is the VAPID public key browsers subscribe to Web Push with (config.VAPID).
	PushKey string
}

// New wires the services over st.
func New(st *store.Store, o Options) *Services {
	if o.Keys != nil {
		st.UseKeys(o.Keys)
	}
	reminders := remind.New(st)
	reminders.UsePushKey(o.PushKey)
	return &Services{
		Store:        st,
		Organisation: organisation.New(st, o.QRKey),
		Duties:       duties.New(st, o.QRKey),
		Petitions:    petitions.New(st, o.Random),
		Audits:       audits.New(st, o.Random),
		Scorecards:   scorecard.New(st),
		Reminders:    reminders,
		Activity:     activity.New(st),
	}
}

// Migrate brings the database's schema up to date, then derives what rows written before a
// migration lack and seals what was kept in clear. It returns the migrations applied.
func (s *Services) Migrate(ctx context.Context) ([]string, error) {
	applied, err := s.Store.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if _, err = s.Petitions.Rederive(ctx); err != nil {
		return applied, err
	}
	if _, err = s.Petitions.SealIdentities(ctx); err != nil {
		return applied, fmt.Errorf("sealing petitioners' identities: %w", err)
	}
	if _, err = s.Petitions.SealNotices(ctx); err != nil {
		return applied, fmt.Errorf("sealing notices: %w", err)
	}
	return applied, nil
}

// Reseal re-seals, under the current key, every value sealed under another key of the ring:
// petitioners' identities, the notices that name them, their copies in the activity log and
// the kept answers. It runs beside the service, in batches, and answers how many rows it
// rewrote.
func (s *Services) Reseal(ctx context.Context) (int, error) {
	n, err := s.Petitions.ResealIdentities(ctx)
	if err != nil {
		return n, err
	}
	notices, err := s.Petitions.ResealNotices(ctx)
	n += notices
	if err != nil {
		return n, err
	}
	logged, err := s.Store.ResealLog(ctx)
	n += logged
	if err != nil {
		return n, err
	}
	answers, err := s.Store.ResealAnswers(ctx)
	return n + answers, err
}

// SealedUnder counts the rows that hold a value sealed (or indexed) under the key kid.
func (s *Services) SealedUnder(ctx context.Context, kid string) (int64, error) {
	n, err := s.Petitions.IdentitiesUnder(ctx, kid)
	if err != nil {
		return 0, err
	}
	notices, err := s.Petitions.NoticesUnder(ctx, kid)
	if err != nil {
		return 0, err
	}
	n += notices
	m, err := s.Store.SealedUnder(ctx, kid)
	return n + m, err
}
