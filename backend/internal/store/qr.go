package store

import (
	"context"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/qrtoken"
)

// SetQRKey gives the store the key of household QR tokens, qrtoken.NewKey of the JWT secret.
// Call it before serving; without it, issuing or checking a QR code is an internal error.
func (s *Store) SetQRKey(k qrtoken.Key) { s.qr = &k }

func (s *Store) qrKey() (qrtoken.Key, error) {
	if s.qr == nil {
		return qrtoken.Key{}, domain.Errorf(domain.KindInternal, "qr_key_missing", "the store was given no QR key")
	}
	return *s.qr, nil
}

// HouseholdQR is the token printed as a household's QR code (户码).
type HouseholdQR struct {
	HouseholdID string `json:"household_id"`
	Token       string `json:"token"`
}

// IssueHouseholdQR returns the QR token of a household in the actor's scope and logs who was
// given it and when: the printed token is the strongest evidence of presence at the
// household's door, so every copy handed out is accounted for.
func (s *Store) IssueHouseholdQR(ctx context.Context, a domain.Actor, householdID string) (HouseholdQR, error) {
	key, err := s.qrKey()
	if err != nil {
		return HouseholdQR{}, err
	}
	var h domain.Household
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := scoped(tx, a, "township_id").Select("id", "township_id").First(&h, "id = ?", householdID).Error; err != nil {
			return notFound(err, "household")
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "issue_qr", entity: "household", entityID: h.ID, townshipID: &h.TownshipID})
	})
	if err != nil {
		return HouseholdQR{}, err
	}
	return HouseholdQR{HouseholdID: h.ID, Token: key.Token(h.ID)}, nil
}

// checkVisitQR checks the QR token a visit carries for the visited household: no token (nil
// or empty) is not verified; a genuine token of that household is verified (qr_verified);
// a token of another household is 422 qr_wrong_household and anything else 422 qr_invalid,
// both on evidence.qr_token.
func (s *Store) checkVisitQR(token *string, householdID string) (bool, error) {
	if token == nil || *token == "" {
		return false, nil
	}
	key, err := s.qrKey()
	if err != nil {
		return false, err
	}
	if err := key.Verify(*token, householdID); err != nil {
		return false, err
	}
	return true, nil
}
