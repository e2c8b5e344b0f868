package organisation

import (
	"context"
	"errors"
	"unicode/utf8"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// PasswordChange is a user's change of their own password.
type PasswordChange struct {
	OldPassword string
	NewPassword string
}

// ChangePassword changes the actor's own password. The old one is required and is checked
// under the login limits (a wrong one counts against the account and the address as a failed
// login does, so a stolen access token cannot be used to guess the password). The new one
// follows the password rules and differs from the old. Afterwards every refresh token of the
// user is revoked — every other login of the account ends — and a new login is answered for
// this one, with the reset's obligation gone.
func (s *Service) ChangePassword(ctx context.Context, a domain.Actor, in PasswordChange, addr string) (domain.User, string, error) {
	var v domain.Invalid
	v.Check(in.OldPassword != "", "old_password", "is required")
	n := utf8.RuneCountInString(in.NewPassword)
	v.Check(n >= 10 && n <= 128, "new_password", "must be 10 to 128 characters")
	v.Check(in.NewPassword == "" || in.NewPassword != in.OldPassword, "new_password", "must differ from the old password")
	if err := v.Err(); err != nil {
		return domain.User{}, "", err
	}
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return domain.User{}, "", domain.Unauthenticated("invalid_token", "the user of this token no longer exists")
	}
	account, err := s.st.Attempt(ctx, LoginAccountLimit, u.Username)
	if err != nil {
		return domain.User{}, "", err
	}
	address, err := s.st.Attempt(ctx, LoginAddressLimit, addr)
	if err != nil {
		return domain.User{}, "", errors.Join(err, account.Forgive(ctx))
	}
	if !auth.CheckPassword(in.OldPassword, u.PasswordHash) {
		return domain.User{}, "", domain.InvalidField("old_password", "is not your current password")
	}
	if err := errors.Join(address.Forgive(ctx), s.st.ClearRate(ctx, LoginAccountLimit, u.Username)); err != nil {
		return domain.User{}, "", err
	}
	hash, err := auth.HashPassword(in.NewPassword)
	if err != nil {
		return domain.User{}, "", err
	}
	var refresh string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		was := u.MustChangePassword
		res := tx.Model(&domain.User{}).Where("id = ? AND password_hash = ?", u.ID, u.PasswordHash).
			Updates(map[string]any{"password_hash": hash, "must_change_password": false, "updated_at": tx.Now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // changed or reset by someone else since it was checked
			return domain.Conflict("password_changed", "the password was changed meanwhile; log in again")
		}
		u.PasswordHash, u.MustChangePassword, u.UpdatedAt = hash, false, tx.Now
		if err := revokeAll(tx, u.ID); err != nil {
			return err
		}
		var err error
		if refresh, err = issueRefresh(tx, u.ID, ""); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "change_password", Entity: "user", EntityID: u.ID, TownshipID: u.TownshipID,
			Before: map[string]bool{"must_change_password": was}, After: map[string]bool{"must_change_password": false}})
	})
	if err != nil {
		return domain.User{}, "", err
	}
	return u, refresh, nil
}

// PasswordReset is the answer to an admin's reset: the temporary password, shown this once.
type PasswordReset struct {
	UserID             string `json:"user_id"`
	TemporaryPassword  string `json:"temporary_password"`
	MustChangePassword bool   `json:"must_change_password"`
}

// ResetPassword gives a user in the actor's scope a temporary password, drawn by the server,
// that must be changed at the next login; every login of the user ends (their refresh tokens
// are revoked; an access token already issued lasts its 15 minutes at most). The temporary
// password is answered once and kept only as its hash.
func (s *Service) ResetPassword(ctx context.Context, a domain.Actor, id string) (PasswordReset, error) {
	temporary := auth.TemporaryPassword()
	hash, err := auth.HashPassword(temporary)
	if err != nil {
		return PasswordReset{}, err
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		var u domain.User
		if err := scoped(tx.DB, a, "township_id").First(&u, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "user")
		}
		err := tx.Model(&domain.User{}).Where("id = ?", u.ID).
			Updates(map[string]any{"password_hash": hash, "must_change_password": true, "updated_at": tx.Now}).Error
		if err != nil {
			return err
		}
		if err := revokeAll(tx, u.ID); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "reset_password", Entity: "user", EntityID: u.ID, TownshipID: u.TownshipID,
			Before: map[string]bool{"must_change_password": u.MustChangePassword}, After: map[string]bool{"must_change_password": true}})
	})
	if err != nil {
		return PasswordReset{}, err
	}
	return PasswordReset{UserID: id, TemporaryPassword: temporary, MustChangePassword: true}, nil
}

// revokeAll revokes every refresh token of a user: every login of the account ends.
func revokeAll(tx *store.Tx, userID string) error {
	return tx.Model(&refreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", tx.Now).Error
}
