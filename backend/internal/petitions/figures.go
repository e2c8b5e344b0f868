package petitions

import (
	"context"
	"time"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// FigureRow is the petition figures of one township (or of all, as the total) for the
// petitions received in a period.
type FigureRow struct {
	TownshipID         *string        `json:"township_id"`
	TownshipName       string         `json:"township_name"`
	Received           int            `json:"received"`
	ByChannel          map[string]int `json:"by_channel"`
	ByCategory         map[string]int `json:"by_category"`
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
		q := store.Scoped(tx.Table("petitions"), a, access.PetitionFigures, store.PetitionColumns).Where("petitions.received_on >= ? AND petitions.received_on <= ?", f.From, f.To)
		if f.TownshipID != "" {
			q = q.Where("petitions.township_id = ?", f.TownshipID)
		}
		var rows []petitionRow
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		var towns []domain.Township
		if err := tx.Select("id, name").Order("name, id").Find(&towns).Error; err != nil {
			return err
		}
		return countFigures(tx, towns, rows, &out)
	})
	return out, err
}

func newFigureRow(townshipID *string, name string) FigureRow {
	r := FigureRow{TownshipID: townshipID, TownshipName: name, ByChannel: map[string]int{}, ByCategory: map[string]int{}}
	for _, c := range Channels {
		r.ByChannel[c] = 0
	}
	return r
}

// countFigures adds up the petitions per township, in the order of the townships' names.
func countFigures(tx *store.Tx, towns []domain.Township, rows []petitionRow, out *Figures) error {
	paramsOn, err := ParamsByDate(tx)
	if err != nil {
		return err
	}
	out.Total = newFigureRow(nil, "合计")
	for _, c := range out.Categories {
		out.Total.ByCategory[c.Code] = 0
	}
	byTownship := map[string][]petitionRow{}
	for _, r := range rows {
		byTownship[r.TownshipID] = append(byTownship[r.TownshipID], r)
	}
	for _, town := range towns {
		if len(byTownship[town.ID]) == 0 {
			continue
		}
		row := newFigureRow(ptrTo(town.ID), town.Name)
		for _, c := range out.Categories {
			row.ByCategory[c.Code] = 0
		}
		for _, r := range byTownship[town.ID] {
			p := paramsOn(r.ReceivedOn)
			countPetition(&row, r, tx.Now, tx.Loc(), p)
			countPetition(&out.Total, r, tx.Now, tx.Loc(), p)
		}
		out.Townships = append(out.Townships, row)
	}
	return nil
}

// countPetition adds one petition to a row of figures. On-time and overdue are the rules'
// judgements; a rating counts the petitioner's latest feedback.
func countPetition(fr *FigureRow, r petitionRow, now time.Time, loc *time.Location, p petition.Params) {
	f := r.facts()
	fr.Received++
	fr.ByChannel[r.Channel]++
	fr.ByCategory[r.Category]++
	count := func(n *int, ok bool) {
		if ok {
			*n++
		}
	}
	count(&fr.Accepted, r.AcceptedAt != nil)
	count(&fr.AcceptedOnTime, petition.AcceptedOnTime(f, loc, p))
	count(&fr.NotAccepted, r.State == string(petition.NotAccepted))
	count(&fr.Replied, r.RepliedAt != nil)
	count(&fr.RepliedOnTime, petition.RepliedOnTime(f, loc, p))
	count(&fr.Overdue, petition.Overdue(f, now, loc, p))
	count(&fr.Extended, r.ExtensionDays > 0)
	if r.Rating != nil {
		switch petition.Rating(*r.Rating) {
		case petition.Satisfied:
			fr.Satisfied++
		case petition.BasicallySatisfied:
			fr.BasicallySatisfied++
		case petition.Dissatisfied:
			fr.Dissatisfied++
		}
	}
	count(&fr.ReviewsRequested, r.ReviewRequestedAt != nil)
	count(&fr.Reviewed, r.ReviewedAt != nil)
	count(&fr.RereviewsRequested, r.RereviewRequestedAt != nil)
	count(&fr.Rereviewed, r.RereviewedAt != nil)
	count(&fr.Withdrawn, r.State == string(petition.Withdrawn))
	count(&fr.Closed, r.State == string(petition.Closed))
	count(&fr.PossibleDuplicates, r.PossibleDuplicate)
}

// Handled are the petitions a handler was assigned and those they replied to within their
// deadline.
type Handled struct{ Assigned, OnTime int }

// HandledBy counts, per handler, the petitions of a township received in a period and
// assigned to them, and those replied within their deadline, as far as the viewer may count
// petitions (access.PetitionFigures): petitions that name the viewer are left out, so that no
// count betrays a petition to the official it is about.
func HandledBy(tx *store.Tx, viewer domain.Actor, townshipID string, from, to civil.Date) (map[string]Handled, error) {
	var rows []petitionRow
	q := store.Scoped(tx.DB, viewer, access.PetitionFigures, store.PetitionColumns)
	err := q.Where("township_id = ? AND handler_id IS NOT NULL AND received_on >= ? AND received_on <= ?", townshipID, from, to).
		Find(&rows).Error
	if err != nil {
		return nil, err
	}
	params, err := ParamsByDate(tx)
	if err != nil {
		return nil, err
	}
	out := map[string]Handled{}
	for _, r := range rows {
		h := out[*r.HandlerID]
		h.Assigned++
		if petition.RepliedOnTime(r.facts(), tx.Loc(), params(r.ReceivedOn)) {
			h.OnTime++
		}
		out[*r.HandlerID] = h
	}
	return out, nil
}
