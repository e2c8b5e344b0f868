package petitions

import (
	"context"
	"maps"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// FigureRow is the petition figures of one township (or of all, as the total) for the
// petitions received in a period.
type FigureRow struct {
	TownshipID         *string        `json:"township_id" gorm:"-"`
	TownshipName       string         `json:"township_name" gorm:"-"`
	Received           int            `json:"received"`
	ByChannel          map[string]int `json:"by_channel" gorm:"-"`
	ByCategory         map[string]int `json:"by_category" gorm:"-"`
	Accepted           int            `json:"accepted"`
	AcceptedOnTime     int            `json:"accepted_on_time"`
	NotAccepted        int            `json:"not_accepted"`
	Replied            int            `json:"replied"`
	RepliedOnTime      int            `json:"replied_on_time"`
	Overdue            int            `json:"overdue"`
	Extended           int            `json:"extended"`
	Satisfied          int            `json:"satisfied"`
	BasicallySatisfied int            `json:"basically_satisfied"`
	Dissatisfied       int            `json:"dissatisfied"`
	ReviewsRequested   int            `json:"reviews_requested"`
	Reviewed           int            `json:"reviewed"`
	RereviewsRequested int            `json:"rereviews_requested"`
	Rereviewed         int            `json:"rereviewed"`
	Withdrawn          int            `json:"withdrawn"`
	Closed             int            `json:"closed"`
	PossibleDuplicates int            `json:"possible_duplicates"`
	// Supervision (督办): the instructions on these petitions, those answered, and those
	// answered by the end of their act-by date.
	SupervisionInstructions   int `json:"supervision_instructions"`
	SupervisionAnswered       int `json:"supervision_answered"`
	SupervisionAnsweredOnTime int `json:"supervision_answered_on_time"`
}

// Figures are the figures per township for the petitions received from From to To
// (both included), with the district's total over the townships shown.
type Figures struct {
	From       civil.Date        `json:"from"`
	To         civil.Date        `json:"to"`
	Categories []domain.Category `json:"categories"`
	Townships  []FigureRow       `json:"townships"`
	Total      FigureRow         `json:"total"`
}

// FigureFilter says which township and period the figures cover.
type FigureFilter struct {
	TownshipID string
	From, To   civil.Date
}

// Figures counts petitions per township for a period (access.PetitionFigures):
// inspectors, admins and district petition officers read any township; others their own. The
// petitions the actor is named in are left out, as everywhere.
func (s *Service) Figures(ctx context.Context, a domain.Actor, f FigureFilter) (Figures, error) {
	var v domain.Invalid
	v.Check(!f.From.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!f.To.IsZero(), "to", "is required (YYYY-MM-DD)")
	if !f.From.IsZero() && !f.To.IsZero() {
		v.Check(!f.To.Before(f.From), "to", "must not be before from")
		v.Check(f.From.DaysUntil(f.To) <= 3*366, "to", "a period is at most three years")
	}
	if err := v.Err(); err != nil {
		return Figures{}, err
	}
	out := Figures{From: f.From, To: f.To, Townships: []FigureRow{}}
	// A report: from the hot standby when there is one and it is fresh enough.
	_, err := s.st.ReportTx(ctx, func(tx *store.Tx) error {
		st, err := tx.SettingsOn(f.To)
		if err != nil {
			return err
		}
		out.Categories = st.Categories("petition.categories")
		received := func() *gorm.DB {
			q := store.Scoped(tx.Table("petitions"), a, access.PetitionFigures, store.PetitionColumns).
				Where("petitions.received_on >= ? AND petitions.received_on <= ?", f.From, f.To)
			if f.TownshipID != "" {
				q = q.Where("petitions.township_id = ?", f.TownshipID)
			}
			return q
		}
		return countFigures(tx, received, &out)
	})
	return out, err
}

func newFigureRow(townshipID *string, name string, categories []domain.Category) FigureRow {
	r := FigureRow{TownshipID: townshipID, TownshipName: name, ByChannel: map[string]int{}, ByCategory: map[string]int{}}
	for _, c := range Channels {
		r.ByChannel[c] = 0
	}
	for _, c := range categories {
		r.ByCategory[c.Code] = 0
	}
	return r
}

// figureCounts are the SQL expressions of the figures, counted over the petitions received:
// on-time and overdue are the rules' judgements kept beside each petition (derive), and a
// rating is the petitioner's latest feedback.
const figureCounts = `petitions.township_id AS town, COUNT(*) AS received,
	SUM(CASE WHEN petitions.accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
	SUM(CASE WHEN petitions.accepted_on_time THEN 1 ELSE 0 END) AS accepted_on_time,
	SUM(CASE WHEN petitions.state = 'not_accepted' THEN 1 ELSE 0 END) AS not_accepted,
	SUM(CASE WHEN petitions.replied_at IS NOT NULL THEN 1 ELSE 0 END) AS replied,
	SUM(CASE WHEN petitions.replied_on_time THEN 1 ELSE 0 END) AS replied_on_time,
	SUM(CASE WHEN petitions.due_at <= ? THEN 1 ELSE 0 END) AS overdue,
	SUM(CASE WHEN petitions.extension_days > 0 THEN 1 ELSE 0 END) AS extended,
	SUM(CASE WHEN petitions.rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
	SUM(CASE WHEN petitions.rating = 'basically_satisfied' THEN 1 ELSE 0 END) AS basically_satisfied,
	SUM(CASE WHEN petitions.rating = 'dissatisfied' THEN 1 ELSE 0 END) AS dissatisfied,
	SUM(CASE WHEN petitions.review_requested_at IS NOT NULL THEN 1 ELSE 0 END) AS reviews_requested,
	SUM(CASE WHEN petitions.reviewed_at IS NOT NULL THEN 1 ELSE 0 END) AS reviewed,
	SUM(CASE WHEN petitions.rereview_requested_at IS NOT NULL THEN 1 ELSE 0 END) AS rereviews_requested,
	SUM(CASE WHEN petitions.rereviewed_at IS NOT NULL THEN 1 ELSE 0 END) AS rereviewed,
	SUM(CASE WHEN petitions.state = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn,
	SUM(CASE WHEN petitions.state = 'closed' THEN 1 ELSE 0 END) AS closed,
	SUM(CASE WHEN petitions.possible_duplicate THEN 1 ELSE 0 END) AS possible_duplicates`

// supervisionCounts are the SQL expressions of the supervision figures, counted over the
// instructions on the petitions received; on time is the rules' judgement kept beside each.
const supervisionCounts = `petitions.township_id AS town, COUNT(*) AS instructions,
	SUM(CASE WHEN ps.answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
	SUM(CASE WHEN ps.answered_on_time THEN 1 ELSE 0 END) AS answered_on_time`

// countFigures counts the petitions received per township in four grouped queries (the
// figures, by channel, by category, the supervision instructions on them), in the order of
// the townships' names, and adds them up in the total.
func countFigures(tx *store.Tx, received func() *gorm.DB, out *Figures) error {
	var counts []struct {
		FigureRow `gorm:"embedded"`
		Town      string
	}
	if err := received().Select(figureCounts, tx.Now).Group("petitions.township_id").Scan(&counts).Error; err != nil {
		return err
	}
	var split []struct {
		TownshipID, Key string
		N               int
	}
	// by[column][township][value] counts the petitions received per channel and per category.
	by := map[string]map[string]map[string]int{}
	for _, col := range []string{"channel", "category"} {
		if err := received().Select("petitions.township_id AS township_id, petitions." + col + " AS key, COUNT(*) AS n").
			Group("petitions.township_id, petitions." + col).Scan(&split).Error; err != nil {
			return err
		}
		by[col] = map[string]map[string]int{}
		for _, c := range split {
			if by[col][c.TownshipID] == nil {
				by[col][c.TownshipID] = map[string]int{}
			}
			by[col][c.TownshipID][c.Key] = c.N
		}
	}
	var supervised []struct {
		Town                                   string
		Instructions, Answered, AnsweredOnTime int
	}
	if err := received().Joins("JOIN petition_supervisions ps ON ps.petition_id = petitions.id").
		Select(supervisionCounts).Group("petitions.township_id").Scan(&supervised).Error; err != nil {
		return err
	}
	names := map[string]string{}
	var towns []domain.Township
	if err := tx.Select("id, name").Order("name, id").Find(&towns).Error; err != nil {
		return err
	}
	for _, t := range towns {
		names[t.ID] = t.Name
	}
	counted := map[string]FigureRow{}
	for _, c := range counts {
		counted[c.Town] = c.FigureRow
	}
	for _, c := range supervised {
		r := counted[c.Town]
		r.SupervisionInstructions, r.SupervisionAnswered, r.SupervisionAnsweredOnTime = c.Instructions, c.Answered, c.AnsweredOnTime
		counted[c.Town] = r
	}
	out.Total = newFigureRow(nil, "合计", out.Categories)
	for _, town := range towns {
		c, ok := counted[town.ID]
		if !ok {
			continue
		}
		row := newFigureRow(ptrTo(town.ID), town.Name, out.Categories)
		c.TownshipID, c.TownshipName = row.TownshipID, row.TownshipName
		c.ByChannel, c.ByCategory = row.ByChannel, row.ByCategory
		maps.Copy(c.ByChannel, by["channel"][town.ID])
		maps.Copy(c.ByCategory, by["category"][town.ID])
		out.Townships = append(out.Townships, c)
		out.Total.add(c)
	}
	return nil
}

// add adds a township's figures to a total.
func (fr *FigureRow) add(o FigureRow) {
	fr.Received += o.Received
	for k, n := range o.ByChannel {
		fr.ByChannel[k] += n
	}
	for k, n := range o.ByCategory {
		fr.ByCategory[k] += n
	}
	fr.Accepted += o.Accepted
	fr.AcceptedOnTime += o.AcceptedOnTime
	fr.NotAccepted += o.NotAccepted
	fr.Replied += o.Replied
	fr.RepliedOnTime += o.RepliedOnTime
	fr.Overdue += o.Overdue
	fr.Extended += o.Extended
	fr.Satisfied += o.Satisfied
	fr.BasicallySatisfied += o.BasicallySatisfied
	fr.Dissatisfied += o.Dissatisfied
	fr.ReviewsRequested += o.ReviewsRequested
	fr.Reviewed += o.Reviewed
	fr.RereviewsRequested += o.RereviewsRequested
	fr.Rereviewed += o.Rereviewed
	fr.Withdrawn += o.Withdrawn
	fr.Closed += o.Closed
	fr.PossibleDuplicates += o.PossibleDuplicates
	fr.SupervisionInstructions += o.SupervisionInstructions
	fr.SupervisionAnswered += o.SupervisionAnswered
	fr.SupervisionAnsweredOnTime += o.SupervisionAnsweredOnTime
}

// Handled are the petitions a handler was assigned and those they replied to within their
// deadline.
type Handled struct{ Assigned, OnTime int }

// HandledBy counts, per handler, the petitions of the townships received in a period and
// assigned to them, and those replied within their deadline, as far as the viewer may count
// petitions (access.PetitionFigures): petitions that name the viewer are left out, so that no
// count betrays a petition to the official it is about.
func HandledBy(tx *store.Tx, viewer domain.Actor, townships []string, from, to civil.Date) (map[string]Handled, error) {
	var rows []struct {
		HandlerID string
		Handled
	}
	err := store.Scoped(tx.Table("petitions"), viewer, access.PetitionFigures, store.PetitionColumns).
		Select("petitions.handler_id AS handler_id, COUNT(*) AS assigned, SUM(CASE WHEN petitions.replied_on_time THEN 1 ELSE 0 END) AS on_time").
		Where("petitions.township_id IN ? AND petitions.handler_id IS NOT NULL AND petitions.received_on >= ? AND petitions.received_on <= ?", townships, from, to).
		Group("petitions.handler_id").Scan(&rows).Error
	out := map[string]Handled{}
	for _, r := range rows {
		out[r.HandlerID] = r.Handled
	}
	return out, err
}
