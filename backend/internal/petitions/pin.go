package petitions

import (
	"context"
	"errors"
	"strings"
	"time"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// PINReissueLimit bounds the re-issues of one petition's PIN: three a day. Only re-issues
// that happened count.
var PINReissueLimit = store.Limit{Bucket: "petition_pin_reissue", Max: 3, Window: 24 * time.Hour}

// PINReissue is what the petition office records when it re-issues a PIN at the counter: the
// phone the person gives, which must be the petitioner's phone on record, and how their
// identity was checked (the document seen), which the activity log keeps.
type PINReissue struct {
	Phone        string `json:"phone"`
	IdentityNote string `json:"identity_note"`
}

// ReissuePIN gives a petition a new PIN for its petitioner, who lost theirs and came to the
// counter (the office checked who they are). The old PIN stops working in the same
// transaction; the new one is answered this once and kept only as its hash. The limits on
// wrong PINs keep counting as they were: a re-issue clears none of them, so nobody can use
// one to reset a lock. An anonymous report has no petitioner to check: 409.
func (s *Service) ReissuePIN(ctx context.Context, a domain.Actor, id string, in PINReissue) (Submitted, error) {
	var v domain.Invalid
	v.Check(domain.ValidPhone(normalPhone(in.Phone)), "phone", "must be a phone number of 7 to 15 digits")
	domain.ValidateName(&v, "identity_note", in.IdentityNote, 200)
	if err := v.Err(); err != nil {
		return Submitted{}, err
	}
	pin, err := petition.NewPIN(s.rand)
	if err != nil {
		return Submitted{}, err
	}
	hash, err := auth.HashPassword(pin)
	if err != nil {
		return Submitted{}, err
	}
	row, err := loadVisible(s.st.Reader(ctx), a, id, false)
	if err != nil {
		return Submitted{}, err
	}
	if row.Anonymous || row.PetitionerPhone == nil {
		return Submitted{}, domain.Conflict("anonymous_petition", "an anonymous report keeps no petitioner to check at the counter: its PIN cannot be re-issued")
	}
	_, phone, err := row.identity(s.st.Keys())
	if err != nil {
		return Submitted{}, err
	}
	if normalPhone(phone) != normalPhone(in.Phone) {
		return Submitted{}, domain.InvalidField("phone", "is not the petitioner's phone on record: check who the person is")
	}
	attempt, err := s.st.Attempt(ctx, PINReissueLimit, row.ID)
	if err != nil {
		return Submitted{}, err
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Model(&petitionRow{}).Where("id = ?", row.ID).Update("pin_hash", hash).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "reissue_pin", Entity: "petition", EntityID: row.ID, TownshipID: &row.TownshipID,
			After: map[string]string{"identity_note": strings.TrimSpace(in.IdentityNote), "state": row.State}})
	})
	if err != nil {
		return Submitted{}, errors.Join(err, attempt.Forgive(ctx))
	}
	return Submitted{ID: row.ID, TrackingCode: row.TrackingCode, PIN: pin}, nil
}

// normalPhone drops the separators people type in a phone number and a leading +.
func normalPhone(p string) string {
	p = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u3000':
			return -1
		}
		return r
	}, strings.TrimSpace(p))
	return strings.TrimPrefix(p, "+")
}
