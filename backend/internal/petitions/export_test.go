package petitions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// UseClearIdentities keeps petitioners' identities in clear, as before sealing, until it is
// called with false: for the benchmark of what sealing costs.
func UseClearIdentities(on bool) { clearIdentities = on }

// ExplainPetitions returns the query plan, with timings, of the first page of a petition list.
func (s *Service) ExplainPetitions(ctx context.Context, a domain.Actor, f Filter) (string, error) {
	tx := s.st.Reader(ctx)
	q, err := petitionsQuery(tx, a, f)
	if err != nil {
		return "", err
	}
	query := q.ToSQL(func(db *gorm.DB) *gorm.DB {
		var rows []petitionRow
		return db.Order("petitions.id").Limit(store.DefaultPageSize + 1).Find(&rows)
	})
	var lines []string
	if err := tx.Raw("EXPLAIN (ANALYZE, BUFFERS) " + query).Scan(&lines).Error; err != nil {
		return "", fmt.Errorf("explain %s: %w", query, err)
	}
	return query + "\n" + strings.Join(lines, "\n"), nil
}

// ReferenceFigures counts the figures one petition at a time with the rules (petition.
// AcceptedOnTime, RepliedOnTime, Overdue): what the grouped queries must agree with.
func (s *Service) ReferenceFigures(ctx context.Context, a domain.Actor, f FigureFilter) (Figures, error) {
	tx := s.st.Reader(ctx)
	st, err := tx.SettingsOn(f.To)
	if err != nil {
		return Figures{}, err
	}
	out := Figures{From: f.From, To: f.To, Townships: []FigureRow{}, Categories: st.Categories("petition.categories")}
	var rows []petitionRow
	if err := store.Scoped(tx.DB, a, access.PetitionFigures, store.PetitionColumns).
		Where("received_on >= ? AND received_on <= ?", f.From, f.To).Find(&rows).Error; err != nil {
		return Figures{}, err
	}
	var towns []domain.Township
	if err := tx.Order("name, id").Find(&towns).Error; err != nil {
		return Figures{}, err
	}
	paramsOn, err := ParamsByDate(tx)
	if err != nil {
		return Figures{}, err
	}
	var instructions []supervisionRow
	if err := tx.Find(&instructions).Error; err != nil {
		return Figures{}, err
	}
	out.Total = newFigureRow(nil, "合计", out.Categories)
	for _, town := range towns {
		row := newFigureRow(ptrTo(town.ID), town.Name, out.Categories)
		for _, r := range rows {
			if r.TownshipID != town.ID {
				continue
			}
			p := paramsOn(r.ReceivedOn)
			for _, fr := range []*FigureRow{&row, &out.Total} {
				countPetition(fr, r, tx.Now, tx.Loc(), p)
				countSupervision(fr, r, instructions, tx.Loc())
			}
		}
		if row.Received > 0 {
			out.Townships = append(out.Townships, row)
		}
	}
	return out, nil
}

// ReferenceHandledBy counts, per handler, with petition.RepliedOnTime.
func (s *Service) ReferenceHandledBy(ctx context.Context, a domain.Actor, townships []string, from, to civil.Date) (map[string]Handled, error) {
	tx := s.st.Reader(ctx)
	var rows []petitionRow
	if err := store.Scoped(tx.DB, a, access.PetitionFigures, store.PetitionColumns).
		Where("township_id IN ? AND handler_id IS NOT NULL AND received_on >= ? AND received_on <= ?", townships, from, to).
		Find(&rows).Error; err != nil {
		return nil, err
	}
	paramsOn, err := ParamsByDate(tx)
	if err != nil {
		return nil, err
	}
	out := map[string]Handled{}
	for _, r := range rows {
		h := out[*r.HandlerID]
		h.Assigned++
		if petition.RepliedOnTime(r.facts(), tx.Loc(), paramsOn(r.ReceivedOn)) {
			h.OnTime++
		}
		out[*r.HandlerID] = h
	}
	return out, nil
}

// HandledByNow is HandledBy over the service's store, as of now.
func (s *Service) HandledByNow(ctx context.Context, a domain.Actor, townships []string, from, to civil.Date) (map[string]Handled, error) {
	return HandledBy(s.st.Reader(ctx), a, townships, from, to)
}

// countPetition adds one petition to a row of figures, judged by the rules.
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

// countSupervision adds the instructions on one petition to a row of figures, judged by the
// rules (petition.AnsweredOnTime).
func countSupervision(fr *FigureRow, r petitionRow, instructions []supervisionRow, loc *time.Location) {
	for _, x := range instructions {
		if x.PetitionID != r.ID {
			continue
		}
		fr.SupervisionInstructions++
		if x.AnsweredAt != nil {
			fr.SupervisionAnswered++
			if petition.AnsweredOnTime(x.ActBy, *x.AnsweredAt, loc) {
				fr.SupervisionAnsweredOnTime++
			}
		}
	}
}
