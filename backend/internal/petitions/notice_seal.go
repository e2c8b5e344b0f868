package petitions

import (
	"context"
	"errors"
	"fmt"

	"minxin/backend/internal/seal"
	"minxin/backend/internal/store"
)

// A notice's PDF names the petitioner (个人信息保护, product §10), so its bytes are kept
// sealed, bound to the notice's row: the SHA-256 issued is that of the plain PDF, checked
// after opening.

// noticeContext binds a notice's sealed bytes to its row.
func noticeContext(id string) string { return "notice:" + id }

// openNotice answers the plain PDF of a notice. Bytes in clear — written by an older version
// still running beside this one, until the next start seals them — read as they are.
func openNotice(k *seal.Keyring, id string, stored []byte) ([]byte, error) {
	pdf, err := k.OpenBytes(stored, noticeContext(id))
	if errors.Is(err, seal.ErrNotSealed) {
		return stored, nil
	}
	return pdf, err
}

// SealNotices seals the PDFs of notices kept in clear, and answers how many it sealed; a
// second run changes nothing. app.Services.Migrate runs it at every start.
func (s *Service) SealNotices(ctx context.Context) (int, error) {
	return s.resealNotices(ctx, "substr(pdf, 1, 3) <> ?", []byte(seal.AnySealed))
}

// ResealNotices re-seals under the current key the PDFs sealed under another key.
func (s *Service) ResealNotices(ctx context.Context) (int, error) {
	cur := []byte(seal.Sealed(s.st.Keys().Current()))
	return s.resealNotices(ctx, "substr(pdf, 1, ?) <> ?", len(cur), cur)
}

// NoticesUnder counts the notices whose PDF is sealed under the key kid.
func (s *Service) NoticesUnder(ctx context.Context, kid string) (int64, error) {
	prefix := []byte(seal.Sealed(kid))
	var n int64
	err := s.st.Reader(ctx).Model(&noticeRow{}).Where("substr(pdf, 1, ?) = ?", len(prefix), prefix).Count(&n).Error
	return n, err
}

// resealNotices seals under the current key the PDFs of the notices where, in batches of 50
// (a PDF is about 50 KB) ordered by id. A notice never changes once issued, so a row is
// written only if its bytes are still those read.
func (s *Service) resealNotices(ctx context.Context, where string, args ...any) (int, error) {
	const batch = 50
	n, after := 0, "00000000-0000-0000-0000-000000000000"
	for {
		var rows []noticeRow
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			err := tx.Select("id, number, pdf").Where("id > ? AND ("+where+")", append([]any{after}, args...)...).
				Order("id").Limit(batch).Find(&rows).Error
			if err != nil {
				return err
			}
			k := tx.Keys()
			for _, r := range rows {
				after = r.ID
				pdf, err := openNotice(k, r.ID, r.PDF)
				if err != nil {
					return fmt.Errorf("notice %s: %w", r.Number, err)
				}
				res := tx.Model(&noticeRow{}).Where("id = ? AND pdf = ?", r.ID, r.PDF).Update("pdf", k.SealBytes(pdf, noticeContext(r.ID)))
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
