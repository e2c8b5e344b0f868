package petitions

import (
	"context"
	"errors"
	"fmt"

	"minxin/backend/internal/seal"
	"minxin/backend/internal/store"
)

// The petitioner's identity at rest (个人信息保护, product §10): a petition row keeps the
// petitioner's name and phone sealed (seal.Portable, so that the copies in the activity log
// open too) and the keyed index of the phone, by which duplicate detection finds the same
// phone. A petitionRow holds them as stored; only the views open them, for those access lets
// see them, and masking works on the opened values exactly as before.

// identityFields are the columns of a petition, and the fields of its copies in the activity
// log, that hold the petitioner's identity.
var identityFields = []string{"petitioner_name", "petitioner_phone"}

// sealIdentity keeps the petitioner's name and phone in the row, sealed, with the phone's index.
func (r *petitionRow) sealIdentity(k *seal.Keyring, name, phone string) {
	if clearIdentities {
		r.PetitionerName, r.PetitionerPhone, r.PetitionerPhoneIndex = &name, &phone, ptrTo(seal.NormalizePhone(phone))
		return
	}
	r.PetitionerName = ptrTo(k.Seal(name, seal.Portable))
	r.PetitionerPhone = ptrTo(k.Seal(phone, seal.Portable))
	r.PetitionerPhoneIndex = ptrTo(k.PhoneIndex(phone))
}

// clearIdentities keeps identities in clear, as before sealing: only the benchmark that
// measures what sealing costs sets it (UseClearIdentities, in a test file).
var clearIdentities bool

// identity opens the petitioner's name and phone ("" for an anonymous report). A value in
// clear — written by an older version still running beside this one, until the next start
// seals it — reads as it is.
func (r petitionRow) identity(k *seal.Keyring) (name, phone string, err error) {
	open := func(v *string) (string, error) {
		if v == nil {
			return "", nil
		}
		if clearIdentities {
			return *v, nil
		}
		plain, err := k.Open(*v, seal.Portable)
		if errors.Is(err, seal.ErrNotSealed) {
			return *v, nil
		}
		return plain, err
	}
	if name, err = open(r.PetitionerName); err != nil {
		return "", "", err
	}
	phone, err = open(r.PetitionerPhone)
	return name, phone, err
}

// phoneIndexes are the indexes the petitions of a phone may be found under.
func phoneIndexes(k *seal.Keyring, phone string) []string {
	if clearIdentities {
		return []string{seal.NormalizePhone(phone)}
	}
	return k.PhoneIndexes(phone)
}

// phoneRateKey is what the limit of online submissions per phone counts by: the phone's
// keyed index, never the phone.
func phoneRateKey(k *seal.Keyring, phone string) string {
	if clearIdentities {
		return phone
	}
	return k.PhoneIndex(phone)
}

// SealIdentities seals what was kept in clear before petitioners' identities were sealed (or
// written since by an older version still running): the name and phone of petitions, with
// the phone's index; their copies in the activity log; the limit of submissions per phone,
// which counted by the phone itself. It answers how many rows it changed; a second run
// changes nothing. app.Services.Migrate runs it at every start.
func (s *Service) SealIdentities(ctx context.Context) (int, error) {
	n, err := s.resealPetitions(ctx, `(petitioner_name IS NOT NULL AND petitioner_name NOT LIKE 'v1:%')
		OR (petitioner_phone IS NOT NULL AND (petitioner_phone NOT LIKE 'v1:%' OR petitioner_phone_index IS NULL))`)
	if err != nil {
		return n, err
	}
	logged, err := s.st.SealLogFields(ctx, "petition", identityFields...)
	n += logged
	if err != nil {
		return n, err
	}
	keys := s.st.Keys()
	rekeyed, err := s.st.RekeyRate(ctx, SubmitPhoneLimit, func(key string) (string, bool) {
		if _, indexed := seal.KeyOf(key); indexed {
			return key, false
		}
		return phoneRateKey(keys, key), true
	})
	return n + rekeyed, err
}

// ResealIdentities re-seals under the current key every petitioner's name and phone (and the
// phone's index) sealed under another key, in batches of 500 while the service runs, and
// answers how many petitions it rewrote. A petition changed between the read and the write of
// its batch is left for the next run.
func (s *Service) ResealIdentities(ctx context.Context) (int, error) {
	cur := s.st.Keys().Current()
	return s.resealPetitions(ctx, `(petitioner_name IS NOT NULL AND petitioner_name NOT LIKE ?)
		OR (petitioner_phone IS NOT NULL AND (petitioner_phone NOT LIKE ? OR petitioner_phone_index IS NULL OR petitioner_phone_index NOT LIKE ?))`,
		seal.Sealed(cur)+"%", seal.Sealed(cur)+"%", seal.IndexedWith(cur)+"%")
}

// IdentitiesUnder counts the petitions whose identity or phone index is under the key kid.
func (s *Service) IdentitiesUnder(ctx context.Context, kid string) (int64, error) {
	var n int64
	err := s.st.Reader(ctx).Model(&petitionRow{}).Where("petitioner_name LIKE ? OR petitioner_phone LIKE ? OR petitioner_phone_index LIKE ?",
		seal.Sealed(kid)+"%", seal.Sealed(kid)+"%", seal.IndexedWith(kid)+"%").Count(&n).Error
	return n, err
}

// resealPetitions seals under the current key the identity of the petitions where, in
// batches ordered by id. Each row is written only if its identity is still what was read.
func (s *Service) resealPetitions(ctx context.Context, where string, args ...any) (int, error) {
	const batch = 500
	n, after := 0, "00000000-0000-0000-0000-000000000000"
	for {
		var rows []petitionRow
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			err := tx.Select("id, petitioner_name, petitioner_phone, petitioner_phone_index").
				Where("id > ? AND ("+where+")", append([]any{after}, args...)...).Order("id").Limit(batch).Find(&rows).Error
			if err != nil {
				return err
			}
			k := tx.Keys()
			for _, r := range rows {
				after = r.ID
				name, phone, err := r.identity(k)
				if err != nil {
					return fmt.Errorf("petition %s: %w", r.ID, err)
				}
				set := map[string]any{"petitioner_phone_index": nil}
				q := tx.Model(&petitionRow{}).Where("id = ?", r.ID)
				if r.PetitionerName != nil {
					set["petitioner_name"] = k.Seal(name, seal.Portable)
					q = q.Where("petitioner_name = ?", *r.PetitionerName)
				}
				if r.PetitionerPhone != nil {
					set["petitioner_phone"], set["petitioner_phone_index"] = k.Seal(phone, seal.Portable), k.PhoneIndex(phone)
					q = q.Where("petitioner_phone = ?", *r.PetitionerPhone)
				}
				res := q.Updates(set)
				if res.Error != nil {
					return res.Error
				}
				n += int(res.RowsAffected)
			}
			return nil
		})
		if err != nil || len(rows) < batch {
			return n, err
		}
	}
}
