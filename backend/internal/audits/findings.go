package audits

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// FindingInput records what an inspector found on a sampled record.
type FindingInput struct {
	RecordID      string   `json:"record_id"`
	Result        string   `json:"result"`
	Notes         string   `json:"notes"`
	AttachmentIDs []string `json:"attachment_ids"`
}

// RecordFinding records the finding on a record of an open round's sample; a discrepancy asks
// the official for an explanation, due after the setting's number of days.
func (s *Service) RecordFinding(ctx context.Context, a domain.Actor, auditID string, in FindingInput) (domain.Finding, error) {
	var v domain.Invalid
	v.Check(in.Result == domain.FindingConfirmed || in.Result == domain.FindingDiscrepancy || in.Result == domain.FindingUnreachable,
		"result", "must be confirmed, discrepancy or unreachable")
	v.Check(utf8.RuneCountInString(in.Notes) <= 2000, "notes", "must be at most 2000 characters")
	v.Check(in.Result != domain.FindingDiscrepancy || strings.TrimSpace(in.Notes) != "", "notes", "say what the discrepancy is")
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	var out findingRow
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var audit auditRow
		if err := tx.First(&audit, "id = ?", auditID).Error; err != nil {
			return store.NotFound(err, "audit")
		}
		if audit.State != "open" {
			return domain.Conflict("audit_cancelled", "this round is cancelled")
		}
		var draw drawRow
		err := tx.First(&draw, "audit_id = ? AND record_id = ?", auditID, in.RecordID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.InvalidField("record_id", "is not in this round's sample")
		} else if err != nil {
			return err
		}
		if err := tx.LinkAttachments(a, "attachment_ids", in.AttachmentIDs, draw.TownshipID); err != nil {
			return err
		}
		out = findingRow{ID: domain.NewID(), AuditID: auditID, RecordID: in.RecordID, TownshipID: draw.TownshipID, OfficialID: draw.OfficialID,
			Result: in.Result, Notes: in.Notes, CreatedBy: a.UserID, CreatedAt: tx.Now}
		if in.Result == domain.FindingDiscrepancy {
			st, err := tx.SettingsOn(tx.Today())
			if err != nil {
				return err
			}
			due := tx.Today().AddDays(st.Int("audit.explanation_days"))
			out.ExplanationDueOn = &due
		}
		if inserted, err := store.InsertOnce(tx.DB, &out, "audit_id", "record_id"); err != nil || !inserted {
			if err == nil {
				err = domain.Conflict("finding_exists", "this record already has a finding in this round")
			}
			return err
		}
		if err := auditEvent(tx, auditID, &out.ID, "finding", a.UserID, in.Result+": "+in.Notes, in.AttachmentIDs); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "finding", Entity: "audit_finding", EntityID: out.ID, TownshipID: &out.TownshipID, After: out.domain()})
	})
	if err != nil {
		return domain.Finding{}, err
	}
	return s.finding(ctx, out.ID)
}

func (s *Service) finding(ctx context.Context, id string) (domain.Finding, error) {
	db := s.st.Reader(ctx).DB
	var f findingRow
	if err := db.First(&f, "id = ?", id).Error; err != nil {
		return domain.Finding{}, store.NotFound(err, "finding")
	}
	fs, err := withEvents(db, []findingRow{f})
	if err != nil {
		return domain.Finding{}, err
	}
	return fs[0], nil
}

// ExplainInput is the official's explanation of a discrepancy.
type ExplainInput struct {
	Text          string   `json:"text"`
	AttachmentIDs []string `json:"attachment_ids"`
}

// ExplainFinding records the explanation of the official whose record the finding is about.
func (s *Service) ExplainFinding(ctx context.Context, a domain.Actor, id string, in ExplainInput) (domain.Finding, error) {
	var v domain.Invalid
	domain.ValidateName(&v, "text", in.Text, 2000)
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var f findingRow
		if err := findingScope(tx.DB, a).First(&f, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "finding")
		}
		switch {
		case f.Result != domain.FindingDiscrepancy:
			return domain.Conflict("no_explanation_requested", "only a discrepancy asks for an explanation")
		case f.Explanation != nil:
			return domain.Conflict("already_explained", "this finding already has your explanation")
		case f.Resolution != nil:
			return domain.Conflict("already_resolved", "this finding is resolved")
		}
		if err := tx.LinkAttachments(a, "attachment_ids", in.AttachmentIDs, f.TownshipID); err != nil {
			return err
		}
		res := tx.Model(&findingRow{}).Where("id = ? AND explanation IS NULL AND resolution IS NULL", id).
			Updates(map[string]any{"explanation": in.Text, "explained_at": tx.Now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("already_explained", "this finding was explained or resolved at the same moment")
		}
		if err := auditEvent(tx, f.AuditID, &f.ID, "explain", a.UserID, in.Text, in.AttachmentIDs); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "explain", Entity: "audit_finding", EntityID: id, TownshipID: &f.TownshipID, After: map[string]string{"explanation": in.Text}})
	})
	if err != nil {
		return domain.Finding{}, err
	}
	return s.finding(ctx, id)
}

// ResolveInput is the inspector's resolution of a discrepancy.
type ResolveInput struct {
	Resolution    string   `json:"resolution"`
	Notes         string   `json:"notes"`
	AttachmentIDs []string `json:"attachment_ids"`
}

// refuteQueries mark a record as refuted by a confirmed violation: from then on it does not
// count. A stationing day is refuted with every session of that official's date.
var refuteQueries = map[string]string{
	domain.AuditOvernightStay:       `UPDATE overnight_stays SET refuted_at = ? WHERE id = ? AND refuted_at IS NULL`,
	domain.AuditVisit:               `UPDATE visits SET refuted_at = ? WHERE id = ? AND refuted_at IS NULL`,
	domain.AuditReceptionAttendance: `UPDATE reception_days SET refuted_at = ? WHERE id = ? AND refuted_at IS NULL`,
	domain.AuditStationingDay: `UPDATE stationings SET refuted_at = ? WHERE refuted_at IS NULL AND id IN (
		SELECT s2.id FROM stationings s2 JOIN stationings s1 ON s1.official_id = s2.official_id AND s1.date = s2.date WHERE s1.id = ?)`,
}

// ResolveFinding resolves a discrepancy as no_issue or violation_confirmed, once the official
// has explained or the explanation's due date has passed; a confirmed violation makes the
// record stop counting from now on.
func (s *Service) ResolveFinding(ctx context.Context, a domain.Actor, id string, in ResolveInput) (domain.Finding, error) {
	var v domain.Invalid
	v.Check(in.Resolution == domain.ResolutionNoIssue || in.Resolution == domain.ResolutionViolationConfirm, "resolution", "must be no_issue or violation_confirmed")
	v.Check(utf8.RuneCountInString(in.Notes) <= 2000, "notes", "must be at most 2000 characters")
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var f findingRow
		if err := tx.First(&f, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "finding")
		}
		if f.Result != domain.FindingDiscrepancy {
			return domain.Conflict("nothing_to_resolve", "only a discrepancy is resolved")
		}
		if f.Resolution != nil {
			return domain.Conflict("already_resolved", "this finding is already resolved")
		}
		var audit auditRow
		if err := tx.First(&audit, "id = ?", f.AuditID).Error; err != nil {
			return err
		}
		if audit.State != "open" {
			return domain.Conflict("audit_cancelled", "this round is cancelled")
		}
		if f.Explanation == nil && f.ExplanationDueOn != nil && !tx.Today().After(*f.ExplanationDueOn) {
			return domain.Conflict("awaiting_explanation", "the official has until %s to explain", *f.ExplanationDueOn)
		}
		if err := tx.LinkAttachments(a, "attachment_ids", in.AttachmentIDs, f.TownshipID); err != nil {
			return err
		}
		res := tx.Model(&findingRow{}).Where("id = ? AND resolution IS NULL", id).Updates(map[string]any{"resolution": in.Resolution, "resolved_at": tx.Now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("already_resolved", "this finding was resolved at the same moment")
		}
		if in.Resolution == domain.ResolutionViolationConfirm {
			recordType, uuid, _ := strings.Cut(f.RecordID, ":")
			if err := tx.Exec(refuteQueries[recordType], tx.Now, uuid).Error; err != nil {
				return err
			}
		}
		if err := auditEvent(tx, f.AuditID, &f.ID, "resolve", a.UserID, in.Resolution+": "+in.Notes, in.AttachmentIDs); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "resolve", Entity: "audit_finding", EntityID: id, TownshipID: &f.TownshipID,
			After: map[string]string{"resolution": in.Resolution, "notes": in.Notes}})
	})
	if err != nil {
		return domain.Finding{}, err
	}
	return s.finding(ctx, id)
}

// findingScope limits q to the findings the actor may see (access.Findings): an official
// those on their own records.
func findingScope(q *gorm.DB, a domain.Actor) *gorm.DB {
	return store.Scoped(q, a, access.Findings, store.Columns{Township: "township_id", Owner: "official_id"})
}

// FindingsFor lists the findings on the actor's own records: an official learns that a record
// was sampled only once a finding is recorded on it.
func (s *Service) FindingsFor(ctx context.Context, a domain.Actor) ([]domain.Finding, error) {
	db := s.st.Reader(ctx).DB
	var rows []findingRow
	if err := findingScope(db, a).Order("created_at DESC, id").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	return withEvents(db, rows)
}

// Figures count, per official, the records checked by findings of rounds
// whose period overlaps [from, to], and how they ended. Records drawn but not yet checked are
// not counted, so that no figure warns an official of an open round.
type Figures struct{ Sampled, Confirmed, Discrepancies, Violations int }

// FiguresBy counts the findings per official of the townships (see Figures).
func FiguresBy(tx *gorm.DB, townships []string, from, to civil.Date) (map[string]Figures, error) {
	var rows []struct {
		OfficialID                                    string
		Sampled, Confirmed, Discrepancies, Violations int
	}
	err := tx.Table("audit_findings f").Joins("JOIN audits a ON a.id = f.audit_id").Select(`f.official_id, COUNT(*) AS sampled,
		COALESCE(SUM(CASE WHEN f.result = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed,
		COALESCE(SUM(CASE WHEN f.result = 'discrepancy' THEN 1 ELSE 0 END), 0) AS discrepancies,
		COALESCE(SUM(CASE WHEN f.resolution = 'violation_confirmed' THEN 1 ELSE 0 END), 0) AS violations`).
		Where("f.township_id IN ? AND a.period_start <= ? AND a.period_end >= ?", townships, to, from).Group("f.official_id").Scan(&rows).Error
	out := map[string]Figures{}
	for _, r := range rows {
		out[r.OfficialID] = Figures{r.Sampled, r.Confirmed, r.Discrepancies, r.Violations}
	}
	return out, err
}
