package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
)

// Attachment is one upload of a file to attach to a record: the photo of a check-in, the scan
// of a petition's letter, the evidence of a finding. Its bytes are kept in Files under their
// SHA-256. The same bytes uploaded twice are kept once on disk and make two attachments, each
// with its own uploader and township, so that who may download one never depends on another.
type Attachment struct {
	ID          string     `json:"id"`
	SHA256      string     `json:"sha256" gorm:"column:sha256"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	UploadedBy  *string    `json:"uploaded_by"` // nil: a villager without an account
	TownshipID  *string    `json:"township_id"` // the uploader's, until a record links it
	LinkedAt    *time.Time `json:"linked_at"`   // when a record first linked it
	CreatedAt   time.Time  `json:"created_at"`
}

// AnonymousUploadLimit bounds the uploads of villagers without an account, per address.
var AnonymousUploadLimit = Limit{Bucket: "attachment_upload_address", Max: 20, Window: time.Hour}

// anonymousUploader is the activity log's actor for an upload without an account.
const anonymousUploader = "anonymous"

// CreateAttachment records an upload of a kept file. The actor is the zero Actor for a
// villager without an account. The attachment belongs to the uploader's township, if any.
func (s *Store) CreateAttachment(ctx context.Context, a domain.Actor, b Blob) (Attachment, error) {
	x := Attachment{ID: domain.NewID(), SHA256: b.SHA256, ContentType: b.ContentType, Size: b.Size, CreatedAt: s.now()}
	logActor := anonymousUploader
	if a.UserID != "" {
		x.UploadedBy, logActor = &a.UserID, a.UserID
	}
	if a.TownshipID != "" {
		x.TownshipID = &a.TownshipID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&x).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: logActor, action: "create", entity: "attachment", entityID: x.ID, townshipID: x.TownshipID, after: x})
	})
	return x, err
}

// Attachment returns an attachment the actor may download: "only people who may see the
// record may download it". Its uploader and admins always may. An attachment of a petition
// is for those who may know the petition exists (visiblePetitions: never an official it is
// about, never an inspector). Any other attachment — of a field record, of an audit — is for
// the officials, petition officers and inspectors whose scope holds its township. Anyone
// else is answered 404, exactly as for a missing id.
func (s *Store) Attachment(ctx context.Context, a domain.Actor, id string) (Attachment, error) {
	db := s.conn(ctx)
	var x Attachment
	if err := db.First(&x, "id = ?", id).Error; err != nil {
		return x, notFound(err, "attachment")
	}
	ok, err := mayDownload(db, a, x)
	if err != nil {
		return Attachment{}, err
	}
	if !ok {
		return Attachment{}, domain.NotFound("attachment")
	}
	return x, nil
}

func mayDownload(db *gorm.DB, a domain.Actor, x Attachment) (bool, error) {
	if (a.UserID != "" && x.UploadedBy != nil && *x.UploadedBy == a.UserID) || a.Role == domain.RoleAdmin {
		return true, nil
	}
	var petitions int64
	if err := db.Model(&petitionAttachment{}).Where("attachment_id = ?", x.ID).Count(&petitions).Error; err != nil {
		return false, err
	}
	if petitions > 0 {
		if a.Role == domain.RoleInspector {
			return false, nil // inspectors read petition figures, not petitions
		}
		q, err := visiblePetitions(db.Model(&petitionRow{}), a)
		if err != nil {
			return false, err
		}
		var visible int64
		err = q.Where("petitions.id IN (SELECT petition_id FROM petition_attachments WHERE attachment_id = ?)", x.ID).Count(&visible).Error
		return visible > 0, err
	}
	switch a.Role {
	case domain.RoleOfficial, domain.RolePetitionOfficer, domain.RoleInspector:
		return x.TownshipID != nil && a.InScope(*x.TownshipID), nil
	}
	return false, nil
}

// linkAttachments attaches uploads to a record of townshipID being written in tx; field is the
// request field that named them ("evidence.photo_ids", "attachment_ids"), for errors.
//
// The actor may link only what it uploaded itself. A villager without an account (the zero
// Actor) may link only uploads without an account that no record has linked yet, so an
// anonymous upload is claimed once and can never be pulled into another record. An
// attachment already belonging to another township is refused: moving it would hide it from
// the record that holds it. Linking sets the attachment's township, so the township's staff
// may download it from then on. Each change is logged; linking again to the same township
// changes nothing.
func (s *Store) linkAttachments(tx *gorm.DB, a domain.Actor, field string, ids []string, townshipID string) error {
	if len(ids) == 0 {
		return nil
	}
	var v domain.Invalid
	seen := map[string]bool{}
	for _, id := range ids {
		v.Check(domain.ValidID(id), field, "%q is not an attachment id", id)
		v.Check(!seen[id], field, "names attachment %s twice", id)
		seen[id] = true
	}
	if err := v.Err(); err != nil {
		return err
	}
	var rows []Attachment
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return err
	}
	byID := map[string]Attachment{}
	for _, x := range rows {
		byID[x.ID] = x
	}
	now := s.now()
	for _, id := range ids {
		x, ok := byID[id]
		switch {
		case !ok || !mayLink(a, x):
			v.Add(field, "attachment %s is not an upload of yours that can be attached", id)
			continue
		case x.TownshipID != nil && *x.TownshipID != townshipID:
			v.Add(field, "attachment %s belongs to another township", id)
			continue
		case x.TownshipID != nil && x.LinkedAt != nil:
			continue // linked to this township already
		}
		if err := s.linkAttachment(tx, a, field, x, townshipID, now); err != nil {
			return err
		}
	}
	return v.Err()
}

func mayLink(a domain.Actor, x Attachment) bool {
	if a.UserID == "" {
		return x.UploadedBy == nil && x.LinkedAt == nil
	}
	return x.UploadedBy != nil && *x.UploadedBy == a.UserID
}

// linkAttachment sets one attachment's township, on the condition it was read under, so that
// two records racing for the same anonymous upload cannot both claim it.
func (s *Store) linkAttachment(tx *gorm.DB, a domain.Actor, field string, x Attachment, townshipID string, now time.Time) error {
	before := x
	q := tx.Model(&Attachment{}).Where("id = ?", x.ID)
	if x.TownshipID == nil {
		q = q.Where("township_id IS NULL")
	} else {
		q = q.Where("township_id = ?", *x.TownshipID)
	}
	if x.LinkedAt == nil {
		q = q.Where("linked_at IS NULL")
		x.LinkedAt = &now
	}
	x.TownshipID = &townshipID
	res := q.Updates(map[string]any{"township_id": townshipID, "linked_at": *x.LinkedAt})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return domain.InvalidField(field, "attachment %s was attached to another record meanwhile", x.ID)
	}
	logActor := anonymousUploader
	if a.UserID != "" {
		logActor = a.UserID
	}
	return s.appendLog(tx, change{actor: logActor, action: "link", entity: "attachment", entityID: x.ID, townshipID: &townshipID, before: before, after: x})
}
