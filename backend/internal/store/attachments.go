package store

import (
	"context"
	"time"

	"minxin/backend/internal/access"
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
	var x Attachment
	err := s.Tx(ctx, func(tx *Tx) error {
		x = Attachment{ID: domain.NewID(), SHA256: b.SHA256, ContentType: b.ContentType, Size: b.Size, CreatedAt: tx.Now}
		logActor := anonymousUploader
		if a.UserID != "" {
			x.UploadedBy, logActor = &a.UserID, a.UserID
		}
		if a.TownshipID != "" {
			x.TownshipID = &a.TownshipID
		}
		if err := tx.Create(&x).Error; err != nil {
			return err
		}
		return tx.Log(Change{Actor: logActor, Action: "create", Entity: "attachment", EntityID: x.ID, TownshipID: x.TownshipID, After: x})
	})
	return x, err
}

func (x Attachment) upload(ofPetition bool) access.Upload {
	return access.Upload{UploadedBy: x.UploadedBy, TownshipID: x.TownshipID, Linked: x.LinkedAt != nil, OfPetition: ofPetition}
}

// Attachment returns an attachment the actor may download (access.Download); anyone else is
// answered 404, exactly as for a missing id.
func (s *Store) Attachment(ctx context.Context, a domain.Actor, id string) (Attachment, error) {
	db := s.conn(ctx)
	var x Attachment
	if err := db.First(&x, "id = ?", id).Error; err != nil {
		return x, NotFound(err, "attachment")
	}
	const ofPetitions = "petitions.id IN (SELECT petition_id FROM petition_attachments WHERE attachment_id = ?)"
	var petitions int64
	if err := db.Table("petitions").Where(ofPetitions, x.ID).Count(&petitions).Error; err != nil {
		return Attachment{}, err
	}
	ok := false
	switch access.Download(a, x.upload(petitions > 0)) {
	case access.DownloadAllowed:
		ok = true
	case access.DownloadIfPetitionVisible:
		var visible int64
		err := Scoped(db.Table("petitions"), a, access.Petitions, PetitionColumns).Where(ofPetitions, x.ID).Count(&visible).Error
		if err != nil {
			return Attachment{}, err
		}
		ok = visible > 0
	}
	if !ok {
		return Attachment{}, domain.NotFound("attachment")
	}
	return x, nil
}

// LinkAttachments attaches uploads to a record of townshipID being written in the
// transaction; field is the request field that named them ("evidence.photo_ids",
// "attachment_ids"), for errors.
//
// The actor may link only what access.MayLink allows. An attachment already belonging to
// another township is refused: moving it would hide it from the record that holds it.
// Linking sets the attachment's township, so the township's staff may download it from then
// on. Each change is logged; linking again to the same township changes nothing.
func (tx *Tx) LinkAttachments(a domain.Actor, field string, ids []string, townshipID string) error {
	if len(ids) == 0 {
		return nil
	}
	if tx.optimistic {
		return errNeedsTx // linking writes the attachments and their log entries
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
	for _, id := range ids {
		x, ok := byID[id]
		switch {
		case !ok || !access.MayLink(a, x.upload(false)):
			v.Add(field, "attachment %s is not an upload of yours that can be attached", id)
			continue
		case x.TownshipID != nil && *x.TownshipID != townshipID:
			v.Add(field, "attachment %s belongs to another township", id)
			continue
		case x.TownshipID != nil && x.LinkedAt != nil:
			continue // linked to this township already
		}
		if err := tx.linkAttachment(a, field, x, townshipID); err != nil {
			return err
		}
	}
	return v.Err()
}

// linkAttachment sets one attachment's township, on the condition it was read under, so that
// two records racing for the same anonymous upload cannot both claim it.
func (tx *Tx) linkAttachment(a domain.Actor, field string, x Attachment, townshipID string) error {
	before := x
	q := tx.Model(&Attachment{}).Where("id = ?", x.ID)
	if x.TownshipID == nil {
		q = q.Where("township_id IS NULL")
	} else {
		q = q.Where("township_id = ?", *x.TownshipID)
	}
	if x.LinkedAt == nil {
		q = q.Where("linked_at IS NULL")
		now := tx.Now
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
	return tx.Log(Change{Actor: logActor, Action: "link", Entity: "attachment", EntityID: x.ID, TownshipID: &townshipID, Before: before, After: x})
}
