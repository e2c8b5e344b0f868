package petitions

import (
	"context"
	"strings"
	"time"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Supervision (督办, §7): the district petition office (access.DistrictPetitionOffice) sees
// every petition that is overdue or has a deadline within 3 days, across townships, and
// issues instructions — a note and a date by which to act — which the township's petition
// officers and the handler see on the petition and answer. Instructions, answers and whether
// they came in time count in the petition figures.

// supervisionRow is a row of petition_supervisions.
type supervisionRow struct {
	ID             string
	PetitionID     string
	TownshipID     string
	Note           string
	ActBy          civil.Date
	IssuedBy       string
	IssuedAt       time.Time
	Answer         *string
	AnsweredBy     *string
	AnsweredAt     *time.Time
	AnsweredOnTime *bool
}

func (supervisionRow) TableName() string { return "petition_supervisions" }

// Supervision is an instruction as those who issue and answer it read it.
type Supervision struct {
	ID             string     `json:"id"`
	PetitionID     string     `json:"petition_id"`
	Note           string     `json:"note"`
	ActBy          civil.Date `json:"act_by"`
	IssuedBy       string     `json:"issued_by"`
	IssuedAt       time.Time  `json:"issued_at"`
	Answer         *string    `json:"answer"`
	AnsweredBy     *string    `json:"answered_by"`
	AnsweredAt     *time.Time `json:"answered_at"`
	AnsweredOnTime *bool      `json:"answered_on_time"`
	// Late: unanswered after the end of act_by.
	Late bool `json:"late"`
}

func (r supervisionRow) view(now time.Time, loc *time.Location) Supervision {
	return Supervision{ID: r.ID, PetitionID: r.PetitionID, Note: r.Note, ActBy: r.ActBy, IssuedBy: r.IssuedBy,
		IssuedAt: r.IssuedAt, Answer: r.Answer, AnsweredBy: r.AnsweredBy, AnsweredAt: r.AnsweredAt,
		AnsweredOnTime: r.AnsweredOnTime, Late: r.AnsweredAt == nil && !now.Before(r.ActBy.End(loc))}
}

// Supervisions are the instructions on a petition, oldest first.
type Supervisions struct {
	Items []Supervision `json:"items"`
}

// SupervisionItem is a petition on the district's supervision list.
type SupervisionItem struct {
	PetitionID   string     `json:"petition_id"`
	TownshipID   string     `json:"township_id"`
	TrackingCode string     `json:"tracking_code"`
	State        string     `json:"state"`
	Step         string     `json:"step"` // the office's step it waits for: accept, reply, review, rereview
	NextDeadline civil.Date `json:"next_deadline"`
	DaysLeft     int        `json:"days_left"` // 0 on the deadline's last day, negative once overdue
	Overdue      bool       `json:"overdue"`
	// OpenInstructions counts the instructions on it not answered yet.
	OpenInstructions int `json:"open_instructions"`
}

// SupervisionList is the district's supervision list.
type SupervisionList struct {
	Items []SupervisionItem `json:"items"`
}

// notDistrictOffice refuses whoever is not the district petition office.
func notDistrictOffice(a domain.Actor) error {
	if access.DistrictPetitionOffice(a) {
		return nil
	}
	return domain.Errorf(domain.KindForbidden, "forbidden", "supervision is for the district petition office: admins and petition officers without a township")
}

// supervisedColumns are what the supervision list reads of a petition: what the rules need for
// its deadline, and its open instructions (one probe of petition_supervisions' index each).
const supervisedColumns = `petitions.id, petitions.township_id, petitions.tracking_code, petitions.state,
	petitions.received_on, petitions.transferred_on, petitions.transferred_from, petitions.accepted_at,
	petitions.replied_at, petitions.review_requested_at, petitions.reviewed_at, petitions.rereview_requested_at,
	petitions.rereviewed_at, petitions.extension_days,
	(SELECT COUNT(*) FROM petition_supervisions ps WHERE ps.petition_id = petitions.id AND ps.answered_at IS NULL) AS open_instructions`

// SupervisionList lists, for the district petition office, every petition it may know of that
// is overdue or whose deadline is at most 3 days away, soonest first: one range over the
// indexed due_at (petition.SupervisionHorizon), the rules then giving each its deadline.
func (s *Service) SupervisionList(ctx context.Context, a domain.Actor) (SupervisionList, error) {
	if err := notDistrictOffice(a); err != nil {
		return SupervisionList{}, err
	}
	tx := s.st.Reader(ctx)
	q, err := visible(tx.DB, a)
	if err != nil {
		return SupervisionList{}, err
	}
	var rows []struct {
		Row              petitionRow `gorm:"embedded"`
		OpenInstructions int
	}
	if err := q.Model(&petitionRow{}).Select(supervisedColumns).
		Where("petitions.due_at IS NOT NULL AND petitions.due_at <= ?", petition.SupervisionHorizon(tx.Now, tx.Loc())).
		Order("petitions.due_at, petitions.id").Scan(&rows).Error; err != nil {
		return SupervisionList{}, err
	}
	out := SupervisionList{Items: make([]SupervisionItem, 0, len(rows))}
	paramsOn, err := ParamsByDate(tx)
	if err != nil {
		return SupervisionList{}, err
	}
	for _, x := range rows {
		r := x.Row
		step, by := petition.PendingDeadline(r.facts(), tx.Loc(), paramsOn(r.ReceivedOn))
		if by == nil || !petition.Supervised(*by, tx.Now, tx.Loc()) {
			continue // due_at and the rules agree; this keeps the answer the rules' even if not
		}
		days := petition.DaysLeft(*by, tx.Now, tx.Loc())
		out.Items = append(out.Items, SupervisionItem{PetitionID: r.ID, TownshipID: r.TownshipID, TrackingCode: r.TrackingCode,
			State: r.State, Step: string(step), NextDeadline: *by, DaysLeft: days, Overdue: !tx.Now.Before(by.End(tx.Loc())),
			OpenInstructions: x.OpenInstructions})
	}
	return out, nil
}

// SuperviseInput is an instruction: what to do, and by which date.
type SuperviseInput struct {
	Note  string      `json:"note"`
	ActBy *civil.Date `json:"act_by"`
}

// maxCaseworkText bounds the texts of supervision instructions and answers, in characters.
const maxCaseworkText = 5000

// Supervise issues a supervision instruction on a petition the district petition office may
// know of and that is still open.
func (s *Service) Supervise(ctx context.Context, a domain.Actor, id string, in SuperviseInput) (Supervision, error) {
	if err := notDistrictOffice(a); err != nil {
		return Supervision{}, err
	}
	var out Supervision
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := loadVisible(tx, a, id, true)
		if err != nil {
			return err
		}
		if !petition.State(row.State).Open() {
			return domain.Conflict("invalid_state", "the petition is %s: there is nothing left to supervise", row.State)
		}
		var v domain.Invalid
		domain.ValidateName(&v, "note", in.Note, maxCaseworkText)
		today := tx.Today()
		switch {
		case in.ActBy == nil:
			v.Add("act_by", "is required (YYYY-MM-DD)")
		case in.ActBy.Before(today):
			v.Add("act_by", "must be today or later")
		case in.ActBy.After(today.AddDays(366)):
			v.Add("act_by", "must be within a year")
		}
		if err := v.Err(); err != nil {
			return err
		}
		r := supervisionRow{ID: domain.NewID(), PetitionID: row.ID, TownshipID: row.TownshipID, Note: strings.TrimSpace(in.Note),
			ActBy: *in.ActBy, IssuedBy: a.UserID, IssuedAt: tx.Now}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		out = r.view(tx.Now, tx.Loc())
		return tx.Log(store.Change{Actor: a.UserID, Action: "supervise", Entity: "supervision", EntityID: r.ID,
			TownshipID: &row.TownshipID, After: r})
	})
	return out, err
}

// AnswerInput is the answer to a petition's open supervision instructions.
type AnswerInput struct {
	Text string `json:"text"`
}

// AnswerSupervision answers every open instruction on a petition, as one of its township's
// petition officers or its handler (access.MayAnswerSupervision), each on time when before the
// end of its act_by. It answers the petition's instructions afterwards.
func (s *Service) AnswerSupervision(ctx context.Context, a domain.Actor, id string, in AnswerInput) (Supervisions, error) {
	var out Supervisions
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := loadVisible(tx, a, id, true)
		if err != nil {
			return err
		}
		if !access.MayAnswerSupervision(a, row.parties()) {
			return domain.Conflict("not_allowed", "supervision instructions are answered by the township's petition officers and the handler")
		}
		var open []supervisionRow
		if err := tx.Where("petition_id = ? AND answered_at IS NULL", row.ID).Order("issued_at, id").Find(&open).Error; err != nil {
			return err
		}
		if len(open) == 0 {
			return domain.Conflict("no_open_instruction", "the petition has no supervision instruction waiting for an answer")
		}
		var v domain.Invalid
		domain.ValidateName(&v, "text", in.Text, maxCaseworkText)
		if err := v.Err(); err != nil {
			return err
		}
		answer, now := strings.TrimSpace(in.Text), tx.Now
		for _, r := range open {
			before := r
			r.Answer, r.AnsweredBy, r.AnsweredAt = &answer, &a.UserID, &now
			r.AnsweredOnTime = ptrTo(petition.AnsweredOnTime(r.ActBy, tx.Now, tx.Loc()))
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
			if err := tx.Log(store.Change{Actor: a.UserID, Action: "answer", Entity: "supervision", EntityID: r.ID,
				TownshipID: &row.TownshipID, Before: before, After: r}); err != nil {
				return err
			}
		}
		byPetition, err := supervisionsOf(tx, []string{row.ID})
		out = Supervisions{Items: byPetition[row.ID]}
		if out.Items == nil {
			out.Items = []Supervision{}
		}
		return err
	})
	return out, err
}

// supervisionsOf reads the instructions on the petitions, by petition, oldest first.
func supervisionsOf(tx *store.Tx, petitionIDs []string) (map[string][]Supervision, error) {
	var rows []supervisionRow
	if err := tx.Where("petition_id IN ?", petitionIDs).Order("issued_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]Supervision{}
	for _, r := range rows {
		out[r.PetitionID] = append(out[r.PetitionID], r.view(tx.Now, tx.Loc()))
	}
	return out, nil
}
