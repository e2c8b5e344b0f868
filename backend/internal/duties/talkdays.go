package duties

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// TalkDayInput records a village talk day (民情恳谈日).
type TalkDayInput struct {
	ID         string     `json:"id"`
	VillageID  string     `json:"village_id"`
	HeldOn     civil.Date `json:"held_on"`
	Attendance int        `json:"attendance"`
	Issues     []string   `json:"issues"`
}

type talkDayRow struct {
	ID          string
	TownshipID  string
	VillageID   string
	HeldOn      civil.Date
	Attendance  int
	Issues      string
	RecordedBy  string
	ContentHash string
	CreatedAt   time.Time
}

func (talkDayRow) TableName() string { return "talk_days" }

func (r talkDayRow) authorAndHash() (string, string) { return r.RecordedBy, r.ContentHash }

func (r talkDayRow) domain() domain.TalkDay {
	out := domain.TalkDay{ID: r.ID, TownshipID: r.TownshipID, VillageID: r.VillageID, HeldOn: r.HeldOn, Attendance: r.Attendance,
		RecordedBy: r.RecordedBy, Issues: []string{}}
	if err := json.Unmarshal([]byte(r.Issues), &out.Issues); err != nil {
		panic(err)
	}
	return out
}

// CreateTalkDay records a talk day of a village of the actor's township.
func (s *Service) CreateTalkDay(ctx context.Context, a domain.Actor, in TalkDayInput) (domain.TalkDay, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.VillageID), "village_id", "must be the id of a village")
	v.Check(!in.HeldOn.IsZero(), "held_on", "is required (YYYY-MM-DD)")
	v.Check(!in.HeldOn.After(s.st.Today()), "held_on", "must not be in the future")
	v.Check(in.Attendance >= 0 && in.Attendance <= 100_000, "attendance", "must be a number of people from 0 to 100000")
	v.Check(len(in.Issues) <= 100, "issues", "at most 100 issues")
	for _, issue := range in.Issues {
		if n := utf8.RuneCountInString(issue); n == 0 || n > 1000 {
			v.Add("issues", "each issue must be 1 to 1000 characters")
			break
		}
	}
	if err := v.Err(); err != nil {
		return domain.TalkDay{}, err
	}
	if in.Issues == nil {
		in.Issues = []string{}
	}
	hash := contentHash(in)
	var out domain.TalkDay
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if stored, err := storedRecord[talkDayRow](tx, in.ID, a.UserID, hash, "talk day"); err != nil || stored != nil {
			if stored != nil {
				out = stored.domain()
			}
			return err
		}
		if _, err := villageFence(tx, a.TownshipID, in.VillageID, "village_id"); err != nil {
			return err
		}
		row := talkDayRow{ID: in.ID, TownshipID: a.TownshipID, VillageID: in.VillageID, HeldOn: in.HeldOn, Attendance: in.Attendance,
			Issues: store.JSONText(in.Issues), RecordedBy: a.UserID, ContentHash: hash, CreatedAt: tx.Now}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "talk day")
		if err != nil {
			return err
		}
		if !inserted {
			out = stored.domain()
			return nil
		}
		out = row.domain()
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "talk_day", EntityID: row.ID, TownshipID: &row.TownshipID, After: out})
	})
	return out, err
}

// TalkDays lists talk days of townships in the actor's scope.
func (s *Service) TalkDays(ctx context.Context, a domain.Actor, f FieldFilter, p store.PageRequest) (store.Page[domain.TalkDay], error) {
	q := f.apply(organisationScope(s.st.Reader(ctx).DB, a), "recorded_by", "held_on")
	page, err := store.ListPage(q, "talk_days", p, func(r talkDayRow) string { return r.ID })
	if err != nil {
		return store.Page[domain.TalkDay]{}, err
	}
	out := store.Page[domain.TalkDay]{Items: make([]domain.TalkDay, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.domain()
	}
	return out, nil
}

// ContactLinkInput links a team member to a village of their township (联系点).
type ContactLinkInput struct {
	VillageID string `json:"village_id"`
}

// PutContactLink links a team member of a township in the actor's scope to one of its villages.
func (s *Service) PutContactLink(ctx context.Context, a domain.Actor, officialID string, in ContactLinkInput) (domain.ContactLink, error) {
	if !domain.ValidID(in.VillageID) {
		return domain.ContactLink{}, domain.InvalidField("village_id", "must be the id of a village")
	}
	var out domain.ContactLink
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var u domain.User
		if err := organisationScope(tx.DB, a).First(&u, "id = ? AND role = ? AND team_member = ?", officialID, domain.RoleOfficial, true).Error; err != nil {
			return store.NotFound(err, "team member")
		}
		if _, err := villageFence(tx, *u.TownshipID, in.VillageID, "village_id"); err != nil {
			return err
		}
		var before *domain.ContactLink
		var old domain.ContactLink
		switch err := tx.Table("contact_links").First(&old, "official_id = ?", officialID).Error; {
		case err == nil:
			before = &old
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		out = domain.ContactLink{OfficialID: officialID, TownshipID: *u.TownshipID, VillageID: in.VillageID}
		err := tx.Table("contact_links").Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "official_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"township_id", "village_id"}),
		}).Create(&out).Error
		if err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "put", Entity: "contact_link", EntityID: officialID, TownshipID: u.TownshipID, Before: before, After: out})
	})
	return out, err
}
