package organisation

import (
	"context"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// HouseholdQR is the token printed as a household's QR code (户码).
type HouseholdQR struct {
	HouseholdID string `json:"household_id"`
	Token       string `json:"token"`
}

// IssueHouseholdQR returns the QR token of a household in the actor's scope and logs who was
// given it and when: the printed token is the strongest evidence of presence at the
// household's door, so every copy handed out is accounted for.
func (s *Service) IssueHouseholdQR(ctx context.Context, a domain.Actor, householdID string) (HouseholdQR, error) {
	if s.qr == nil {
		return HouseholdQR{}, domain.Errorf(domain.KindInternal, "qr_key_missing", "the service was given no QR key")
	}
	var h domain.Household
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := scoped(tx.DB, a, "township_id").Select("id", "township_id").First(&h, "id = ?", householdID).Error; err != nil {
			return store.NotFound(err, "household")
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "issue_qr", Entity: "household", EntityID: h.ID, TownshipID: &h.TownshipID})
	})
	if err != nil {
		return HouseholdQR{}, err
	}
	return HouseholdQR{HouseholdID: h.ID, Token: s.qr.Token(h.ID)}, nil
}
