// Package organisation is the district's organisation (§1): townships, villages and
// households with their geofences, the users and their leave, the holiday calendar, the
// public directory, logins and household QR codes. Each method opens one transaction of the
// store, decides the reader's scope with access and logs every change.
package organisation

import (
	"minxin/backend/internal/domain"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/store"
)

// Service is the organisation of one district.
type Service struct {
	st *store.Store
	qr *qrtoken.Key // signs household QR tokens; nil: none can be issued
}

// New returns the organisation service over a store; qr signs household QR tokens.
func New(st *store.Store, qr *qrtoken.Key) *Service { return &Service{st: st, qr: qr} }

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func required(v *domain.Invalid, present bool, field string) {
	v.Check(present, field, "is required")
}
