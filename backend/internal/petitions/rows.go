package petitions

import (
	"context"
	"time"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// petitionRow is a row of the petitions table.
type petitionRow struct {
	ID              string  `json:"id"`
	TownshipID      string  `json:"township_id"`
	VillageID       *string `json:"village_id"`
	HouseholdID     *string `json:"household_id"`
	Channel         string  `json:"channel"`
	Category        string  `json:"category"`
	Subject         string  `json:"subject"`
	Text            string  `json:"text"`
	Anonymous       bool    `json:"anonymous"`
	PetitionerName  *string `json:"petitioner_name"`  // sealed (identity.go)
	PetitionerPhone *string `json:"petitioner_phone"` // sealed
	// PetitionerPhoneIndex is the phone's keyed index, by which duplicates are found; it is
	// re-made under each new key, so the activity log does not copy it.
	PetitionerPhoneIndex *string     `json:"-"`
	PetitionerUserID     *string     `json:"petitioner_user_id"`
	Lat                  *float64    `json:"lat"`
	Lng                  *float64    `json:"lng"`
	Location             *string     `json:"location"`
	TrackingCode         string      `json:"tracking_code"`
	PinHash              string      `json:"-"`
	State                string      `json:"state"`
	ReceivedOn           civil.Date  `json:"received_on"`
	SubmittedAt          time.Time   `json:"submitted_at"`
	AcceptedAt           *time.Time  `json:"accepted_at"`
	RepliedAt            *time.Time  `json:"replied_at"`
	ReviewRequestedAt    *time.Time  `json:"review_requested_at"`
	ReviewedAt           *time.Time  `json:"reviewed_at"`
	RereviewRequestedAt  *time.Time  `json:"rereview_requested_at"`
	RereviewedAt         *time.Time  `json:"rereviewed_at"`
	FinishedAt           *time.Time  `json:"finished_at"`
	ExtensionDays        int         `json:"extension_days"`
	HandlerID            *string     `json:"handler_id"`
	Rating               *string     `json:"rating"`
	ReceptionDayID       *string     `json:"reception_day_id"`
	DuplicateOf          *string     `json:"duplicate_of"`
	PossibleDuplicate    bool        `json:"possible_duplicate"`
	DueAt                *time.Time  `json:"due_at"`
	ClosesAt             *time.Time  `json:"closes_at"`
	AcceptedOnTime       *bool       `json:"-"`
	RepliedOnTime        *bool       `json:"-"`
	TransferredOn        *civil.Date `json:"transferred_on"`   // 转送: the date of the transfer
	TransferredFrom      *string     `json:"transferred_from"` // the township of the district it came from
	TransferAgency       *string     `json:"transfer_agency"`  // the outside body it went to
	CreatedBy            *string     `json:"created_by"`
	CreatedAt            time.Time   `json:"created_at"`
	UpdatedAt            time.Time   `json:"updated_at"`
}

func (petitionRow) TableName() string { return "petitions" }

// parties are the people the row names, as access decisions read them.
func (r petitionRow) parties() access.Parties {
	return access.Parties{TownshipID: r.TownshipID, PetitionerUserID: r.PetitionerUserID, HandlerID: r.HandlerID}
}

// facts are the events of the petition as the rules read them. A petition another township
// transferred here was received here on the day of the transfer; one sent to an outside body
// is transferred, which is final.
func (r petitionRow) facts() petition.Facts {
	var transferredHere *civil.Date
	if r.TransferredFrom != nil {
		transferredHere = r.TransferredOn
	}
	return petition.Facts{
		State: petition.State(r.State), TownshipID: r.TownshipID, ReceivedOn: r.ReceivedOn, TransferredOn: transferredHere, AcceptedAt: r.AcceptedAt,
		RepliedAt: r.RepliedAt, ReviewRequestedAt: r.ReviewRequestedAt, ReviewedAt: r.ReviewedAt,
		RereviewRequestedAt: r.RereviewRequestedAt, RereviewedAt: r.RereviewedAt, ExtensionDays: r.ExtensionDays,
	}
}

// derive sets what is kept only so that it can be indexed and counted in SQL: when the pending
// office step becomes overdue, when a replied petition closes by itself, and whether it was
// accepted and replied to on time. All come from the rules.
func (r *petitionRow) derive(loc *time.Location, p petition.Params) {
	f := r.facts()
	_, r.DueAt = petition.PendingStep(f, loc, p)
	r.ClosesAt = petition.AutoCloseAt(f, loc, p)
	r.DueAt, r.ClosesAt = utcPtr(r.DueAt), utcPtr(r.ClosesAt)
	r.AcceptedOnTime = ptrTo(petition.AcceptedOnTime(f, loc, p))
	r.RepliedOnTime = ptrTo(petition.RepliedOnTime(f, loc, p))
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type petitionAbout struct {
	PetitionID string
	OfficialID string
	TownshipID string
}

func (petitionAbout) TableName() string { return "petition_about" }

type petitionAttachment struct {
	PetitionID   string
	AttachmentID string
	TownshipID   string
}

func (petitionAttachment) TableName() string { return "petition_attachments" }

// petitionEventRow is one entry of a petition's append-only history.
type petitionEventRow struct {
	ID         string
	PetitionID string
	TownshipID string
	At         time.Time
	ActorID    string
	ActorKind  string
	Action     string
	FromState  *string
	ToState    string
	Note       string
	Reason     string
	Guidance   string
	Text       string
	Days       *int
	Rating     *string
	HandlerID  *string
}

func (petitionEventRow) TableName() string { return "petition_events" }

// Petitioner is the petitioner as a reader may see them: in full, or masked (张** · 138****1234).
type Petitioner struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Event is one step of a petition's history, as staff read it.
type Event struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	ActorID   *string   `json:"actor_id"`
	ActorKind string    `json:"actor_kind"`
	Action    string    `json:"action"`
	FromState *string   `json:"from_state"`
	ToState   string    `json:"to_state"`
	Note      string    `json:"note"`
	Reason    string    `json:"reason"`
	Guidance  string    `json:"guidance"`
	Text      string    `json:"text"`
	Days      *int      `json:"days"`
	Rating    *string   `json:"rating"`
	HandlerID *string   `json:"handler_id"`
}

// Petition is a petition as staff, or the petitioner with an account, read it.
type Petition struct {
	ID                  string             `json:"id"`
	TrackingCode        string             `json:"tracking_code"`
	TownshipID          string             `json:"township_id"`
	VillageID           *string            `json:"village_id"`
	HouseholdID         *string            `json:"household_id"`
	Channel             string             `json:"channel"`
	Category            string             `json:"category"`
	Subject             string             `json:"subject"`
	Text                string             `json:"text"`
	Anonymous           bool               `json:"anonymous"`
	Petitioner          *Petitioner        `json:"petitioner"`
	PetitionerMasked    bool               `json:"petitioner_masked"`
	AboutOfficialIDs    []string           `json:"about_official_ids"`
	AttachmentIDs       []string           `json:"attachment_ids"`
	Location            *Location          `json:"location"`
	State               string             `json:"state"`
	ReceivedOn          civil.Date         `json:"received_on"`
	Deadlines           petition.Deadlines `json:"deadlines"`
	Overdue             bool               `json:"overdue"`
	OverdueStep         *string            `json:"overdue_step"`
	SubmittedAt         time.Time          `json:"submitted_at"`
	AcceptedAt          *time.Time         `json:"accepted_at"`
	RepliedAt           *time.Time         `json:"replied_at"`
	ReviewRequestedAt   *time.Time         `json:"review_requested_at"`
	ReviewedAt          *time.Time         `json:"reviewed_at"`
	RereviewRequestedAt *time.Time         `json:"rereview_requested_at"`
	RereviewedAt        *time.Time         `json:"rereviewed_at"`
	FinishedAt          *time.Time         `json:"finished_at"`
	ExtensionDays       int                `json:"extension_days"`
	HandlerID           *string            `json:"handler_id"`
	Rating              *string            `json:"rating"`
	ReceptionDayID      *string            `json:"reception_day_id"`
	PossibleDuplicate   bool               `json:"possible_duplicate"`
	DuplicateOf         *string            `json:"duplicate_of"`
	TransferredOn       *civil.Date        `json:"transferred_on"`   // 转送: the date of the transfer
	TransferredFrom     *string            `json:"transferred_from"` // the township of the district it came from
	TransferAgency      *string            `json:"transfer_agency"`  // the outside body it went to
	// Supervisions are the district's instructions (督办), for those who issue and answer
	// them (access.SeesSupervision); empty for everyone else.
	Supervisions []Supervision `json:"supervisions"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Events       []Event       `json:"events,omitempty"`
}

// Rederive derives, once, what petitions written before a derived column existed lack (a
// NULL timeliness, migration 00010), in batches of 500. Several instances starting at once
// derive the same values.
func (s *Service) Rederive(ctx context.Context) (int, error) {
	const batch = 500
	n := 0
	for {
		var rows []petitionRow
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.Where("accepted_on_time IS NULL OR replied_on_time IS NULL").Order("id").Limit(batch).Find(&rows).Error; err != nil {
				return err
			}
			params, err := ParamsByDate(tx)
			if err != nil {
				return err
			}
			for i := range rows {
				r := &rows[i]
				r.derive(tx.Loc(), params(r.ReceivedOn))
				if err := tx.Model(&petitionRow{}).Where("id = ?", r.ID).Updates(map[string]any{"due_at": r.DueAt, "closes_at": r.ClosesAt,
					"accepted_on_time": r.AcceptedOnTime, "replied_on_time": r.RepliedOnTime}).Error; err != nil {
					return err
				}
			}
			return nil
		})
		n += len(rows)
		if err != nil || len(rows) < batch {
			return n, err
		}
	}
}
