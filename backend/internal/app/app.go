// Package app wires Minxin's feature services over one store: what the HTTP API, the
// command line and the demo all call.
package app

import (
	"context"
	"io"

	"minxin/backend/internal/activity"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/remind"
	"minxin/backend/internal/scorecard"
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
}

// New wires the services over st.
func New(st *store.Store, o Options) *Services {
	return &Services{
		Store:        st,
		Organisation: organisation.New(st, o.QRKey),
		Duties:       duties.New(st, o.QRKey),
		Petitions:    petitions.New(st, o.Random),
		Audits:       audits.New(st, o.Random),
		Scorecards:   scorecard.New(st),
		Reminders:    remind.New(st),
		Activity:     activity.New(st),
	}
}

// Migrate brings the database's schema up to date, then derives what rows written before a
// migration lack. It returns the migrations applied.
func (s *Services) Migrate(ctx context.Context) ([]string, error) {
	applied, err := s.Store.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	_, err = s.Petitions.Rederive(ctx)
	return applied, err
}
