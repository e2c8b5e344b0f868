package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/sampler"
)

type auditRow struct {
	ID             string
	RecordType     string
	TownshipIDs    string
	PeriodStart    civil.Date
	PeriodEnd      civil.Date
	SampleSize     int
	MinPerTownship int
	SeedDigits     string
	Seed           string
	Algorithm      string
	PopulationSize int
	ManifestSHA256 string `gorm:"column:manifest_sha256"`
	State          string
	CancelReason   *string
	CancelledAt    *time.Time
	OpenedBy       string
	OpenedAt       time.Time
}

func (auditRow) TableName() string { return "audits" }

type auditManifest struct {
	AuditID string `gorm:"primaryKey"`
	Content []byte
}

func (auditManifest) TableName() string { return "audit_manifests" }

type drawRow struct {
	AuditID    string
	Seq        int
	RecordID   string
	RecordUUID string `gorm:"column:record_uuid"`
	TownshipID string
	OfficialID string
	Ticket     string
}

func (drawRow) TableName() string { return "audit_draws" }

type findingRow struct {
	ID               string
	AuditID          string
	RecordID         string
	TownshipID       string
	OfficialID       string
	Result           string
	Notes            string
	ExplanationDueOn *civil.Date
	Explanation      *string
	ExplainedAt      *time.Time
	Resolution       *string
	ResolvedAt       *time.Time
	CreatedBy        string
	CreatedAt        time.Time
}

func (findingRow) TableName() string { return "audit_findings" }

type auditEventRow struct {
	ID            string
	AuditID       string
	FindingID     *string
	Action        string
	ActorID       string
	At            time.Time
	Notes         string
	AttachmentIDs string
}

func (auditEventRow) TableName() string { return "audit_events" }

// AuditInput opens an audit round.
type AuditInput struct {
	RecordType     string     `json:"record_type"`
	TownshipIDs    []string   `json:"township_ids"`
	PeriodStart    civil.Date `json:"period_start"`
	PeriodEnd      civil.Date `json:"period_end"`
	SampleSize     int        `json:"sample_size"`
	MinPerTownship int        `json:"min_per_township"`
	SeedDigits     string     `json:"seed_digits"`
}

func (in AuditInput) validate() error {
	var v domain.Invalid
	v.Check(slices.Contains(domain.AuditRecordTypes, in.RecordType), "record_type", "must be one of %s", strings.Join(domain.AuditRecordTypes, ", "))
	for _, id := range in.TownshipIDs {
		if !domain.ValidID(id) {
			v.Add("township_ids", "must be township ids")
			break
		}
	}
	v.Check(!in.PeriodStart.IsZero(), "period_start", "is required (YYYY-MM-DD)")
	v.Check(!in.PeriodEnd.IsZero(), "period_end", "is required (YYYY-MM-DD)")
	v.Check(in.PeriodStart.IsZero() || in.PeriodEnd.IsZero() || !in.PeriodEnd.Before(in.PeriodStart), "period_end", "must not be before period_start")
	v.Check(in.SampleSize >= 1 && in.SampleSize <= 100_000, "sample_size", "must be from 1 to 100000")
	v.Check(in.MinPerTownship >= 0 && in.MinPerTownship <= 10_000, "min_per_township", "must be from 0 to 10000")
	v.Check(len(in.SeedDigits) <= 64 && strings.Trim(in.SeedDigits, "0123456789") == "", "seed_digits", "must be up to 64 decimal digits rolled in public")
	return v.Err()
}

// populationItem is a record that counts in an audit's scope and period.
type populationItem struct {
	RecordID, UUID, Township, Official string
}

// populationQueries select, for each record type, the records that count in a period: the
// canonical record uuid, its township and official. A stationing day is the official's date
// with a counting session; its id is the smallest id of that date's counting sessions.
var populationQueries = map[string]string{
	domain.AuditOvernightStay: `SELECT CAST(id AS TEXT), CAST(township_id AS TEXT), CAST(official_id AS TEXT) FROM overnight_stays
		WHERE counts AND refuted_at IS NULL AND night_date >= ? AND night_date <= ?`,
	domain.AuditStationingDay: `SELECT MIN(CAST(id AS TEXT)), CAST(township_id AS TEXT), CAST(official_id AS TEXT) FROM stationings
		WHERE counts AND refuted_at IS NULL AND date >= ? AND date <= ? GROUP BY township_id, official_id, date`,
	domain.AuditVisit: `SELECT CAST(id AS TEXT), CAST(township_id AS TEXT), CAST(official_id AS TEXT) FROM visits
		WHERE counts AND refuted_at IS NULL AND date >= ? AND date <= ?`,
	domain.AuditReceptionAttendance: `SELECT CAST(id AS TEXT), CAST(township_id AS TEXT), CAST(official_id AS TEXT) FROM reception_days
		WHERE attended AND refuted_at IS NULL AND date >= ? AND date <= ?`,
}

func (s *Store) population(tx *gorm.DB, recordType string, townships []string, from, to civil.Date) ([]populationItem, error) {
	in := map[string]bool{}
	for _, t := range townships {
		in[t] = true
	}
	rows, err := tx.Raw(populationQueries[recordType], from, to).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []populationItem
	for rows.Next() {
		var it populationItem
		if err := rows.Scan(&it.UUID, &it.Township, &it.Official); err != nil {
			return nil, err
		}
		if in[it.Township] {
			it.RecordID = recordType + ":" + strings.ToLower(it.UUID)
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

// OpenAudit opens a round: it freezes the population as a manifest, draws 32 random bytes for
// the seed, draws the sample with the consistent sampler and stores every draw with its ticket.
func (s *Store) OpenAudit(ctx context.Context, a domain.Actor, in AuditInput) (domain.Audit, error) {
	if err := in.validate(); err != nil {
		return domain.Audit{}, err
	}
	var random [sampler.SeedRandomBytes]byte
	if _, err := rand.Read(random[:]); err != nil {
		return domain.Audit{}, err
	}
	seed, err := sampler.NewSeed(in.SeedDigits, random)
	if err != nil {
		return domain.Audit{}, domain.InvalidField("seed_digits", "%v", err)
	}
	var id string
	err = s.tx(ctx, func(tx *gorm.DB) error {
		townships, err := s.auditTownships(tx, in.TownshipIDs)
		if err != nil {
			return err
		}
		pop, err := s.population(tx, in.RecordType, townships, in.PeriodStart, in.PeriodEnd)
		if err != nil {
			return err
		}
		if len(pop) == 0 {
			return domain.Errorf(domain.KindInvalid, "empty_population", "no record of this type counts in this scope and period: there is nothing to sample")
		}
		items := make([]sampler.Item, len(pop))
		byID := make(map[string]populationItem, len(pop))
		for i, p := range pop {
			items[i] = sampler.Item{ID: p.RecordID, Township: p.Township}
			byID[p.RecordID] = p
		}
		var manifest bytes.Buffer
		if err := sampler.WriteManifest(&manifest, items); err != nil {
			return err
		}
		sum := sha256.Sum256(manifest.Bytes())
		draws, err := sampler.Sample(seed, items, in.SampleSize, in.MinPerTownship)
		if err != nil {
			return err
		}
		row := auditRow{ID: domain.NewID(), RecordType: in.RecordType, TownshipIDs: jsonText(townships), PeriodStart: in.PeriodStart,
			PeriodEnd: in.PeriodEnd, SampleSize: in.SampleSize, MinPerTownship: in.MinPerTownship, SeedDigits: in.SeedDigits, Seed: seed,
			Algorithm: sampler.Algorithm, PopulationSize: len(items), ManifestSHA256: hex.EncodeToString(sum[:]), State: "open",
			OpenedBy: a.UserID, OpenedAt: s.now()}
		id = row.ID
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&auditManifest{AuditID: row.ID, Content: manifest.Bytes()}).Error; err != nil {
			return err
		}
		rows := make([]drawRow, len(draws))
		for i, d := range draws {
			p := byID[d.ID]
			rows[i] = drawRow{AuditID: row.ID, Seq: i + 1, RecordID: d.ID, RecordUUID: p.UUID, TownshipID: p.Township, OfficialID: p.Official, Ticket: d.Ticket}
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		if err := s.auditEvent(tx, row.ID, nil, "open", a.UserID, "", nil); err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "open", entity: "audit", entityID: row.ID, after: row})
	})
	if err != nil {
		return domain.Audit{}, err
	}
	return s.Audit(ctx, id)
}

// auditTownships checks the scope's townships, or takes every township when none is named;
// the result is sorted.
func (s *Store) auditTownships(tx *gorm.DB, ids []string) ([]string, error) {
	var found []string
	q := tx.Model(&domain.Township{})
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	if err := q.Order("id").Pluck("CAST(id AS TEXT)", &found).Error; err != nil {
		return nil, err
	}
	if len(ids) > 0 && len(found) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		return nil, domain.InvalidField("township_ids", "names a township that does not exist")
	}
	for i := range found {
		found[i] = strings.ToLower(found[i])
	}
	slices.Sort(found)
	return found, nil
}

func (s *Store) auditEvent(tx *gorm.DB, auditID string, findingID *string, action, actor, notes string, attachments []string) error {
	if attachments == nil {
		attachments = []string{}
	}
	return tx.Create(&auditEventRow{ID: domain.NewID(), AuditID: auditID, FindingID: findingID, Action: action, ActorID: actor,
		At: s.now(), Notes: notes, AttachmentIDs: jsonText(attachments)}).Error
}

func (r auditRow) domain() domain.Audit {
	out := domain.Audit{ID: r.ID, RecordType: r.RecordType, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd,
		SampleSize: r.SampleSize, MinPerTownship: r.MinPerTownship, SeedDigits: r.SeedDigits, Seed: r.Seed, Algorithm: r.Algorithm,
		PopulationSize: r.PopulationSize, ManifestSHA256: r.ManifestSHA256, State: r.State, CancelReason: r.CancelReason,
		CancelledAt: r.CancelledAt, OpenedBy: r.OpenedBy, OpenedAt: r.OpenedAt, Sample: []domain.AuditDraw{}, Findings: []domain.Finding{}}
	if err := jsonUnmarshal(r.TownshipIDs, &out.TownshipIDs); err != nil {
		panic(err)
	}
	return out
}

// Audit returns a round with its sample, its findings and their events.
func (s *Store) Audit(ctx context.Context, id string) (domain.Audit, error) {
	db := s.conn(ctx)
	var row auditRow
	if err := db.First(&row, "id = ?", id).Error; err != nil {
		return domain.Audit{}, notFound(err, "audit")
	}
	out := row.domain()
	var draws []drawRow
	if err := db.Where("audit_id = ?", id).Order("seq").Find(&draws).Error; err != nil {
		return domain.Audit{}, err
	}
	for _, d := range draws {
		out.Sample = append(out.Sample, domain.AuditDraw{RecordID: d.RecordID, TownshipID: d.TownshipID, OfficialID: d.OfficialID, Ticket: d.Ticket})
	}
	var findings []findingRow
	if err := db.Where("audit_id = ?", id).Order("created_at, id").Find(&findings).Error; err != nil {
		return domain.Audit{}, err
	}
	fs, err := s.withEvents(db, findings)
	out.Findings = fs
	return out, err
}

func (s *Store) withEvents(db *gorm.DB, findings []findingRow) ([]domain.Finding, error) {
	out := make([]domain.Finding, len(findings))
	ids := make([]string, len(findings))
	for i, f := range findings {
		ids[i] = f.ID
		out[i] = f.domain()
	}
	if len(ids) == 0 {
		return out, nil
	}
	var events []auditEventRow
	if err := db.Where("finding_id IN ?", ids).Order("at, id").Find(&events).Error; err != nil {
		return nil, err
	}
	for _, e := range events {
		for i := range out {
			if out[i].ID == *e.FindingID {
				ev := domain.AuditEvent{ID: e.ID, Action: e.Action, ActorID: e.ActorID, At: e.At, Notes: e.Notes, AttachmentIDs: []string{}}
				if err := jsonUnmarshal(e.AttachmentIDs, &ev.AttachmentIDs); err != nil {
					return nil, err
				}
				out[i].Events = append(out[i].Events, ev)
			}
		}
	}
	return out, nil
}

func (f findingRow) domain() domain.Finding {
	return domain.Finding{ID: f.ID, AuditID: f.AuditID, RecordID: f.RecordID, TownshipID: f.TownshipID, OfficialID: f.OfficialID,
		Result: f.Result, Notes: f.Notes, ExplanationDueOn: f.ExplanationDueOn, Explanation: f.Explanation, ExplainedAt: f.ExplainedAt,
		Resolution: f.Resolution, ResolvedAt: f.ResolvedAt, CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt, Events: []domain.AuditEvent{}}
}

// Audits lists rounds, newest last (ids are time-ordered).
func (s *Store) Audits(ctx context.Context, p PageRequest) (Page[domain.Audit], error) {
	page, err := listPage(s.conn(ctx), "audits", p, func(r auditRow) string { return r.ID })
	if err != nil {
		return Page[domain.Audit]{}, err
	}
	out := Page[domain.Audit]{Items: make([]domain.Audit, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.domain()
	}
	return out, nil
}

// AuditManifest returns the manifest exactly as frozen when the round opened.
func (s *Store) AuditManifest(ctx context.Context, id string) ([]byte, error) {
	var m auditManifest
	err := s.conn(ctx).First(&m, "audit_id = ?", id).Error
	return m.Content, notFound(err, "audit")
}

// AuditVerification is the result of re-deriving a round from its stored manifest and seed.
type AuditVerification struct {
	ManifestSHA256Matches bool               `json:"manifest_sha256_matches"`
	SampleMatches         bool               `json:"sample_matches"`
	Algorithm             string             `json:"algorithm"`
	Seed                  string             `json:"seed"`
	ManifestSHA256        string             `json:"manifest_sha256"`
	Sample                []domain.AuditDraw `json:"sample"`
}

// VerifyAudit recomputes a round's sample from its manifest and seed and compares it with the
// stored draws.
func (s *Store) VerifyAudit(ctx context.Context, id string) (AuditVerification, error) {
	audit, err := s.Audit(ctx, id)
	if err != nil {
		return AuditVerification{}, err
	}
	content, err := s.AuditManifest(ctx, id)
	if err != nil {
		return AuditVerification{}, err
	}
	sum := sha256.Sum256(content)
	items, err := sampler.ReadManifest(bytes.NewReader(content))
	if err != nil {
		return AuditVerification{}, fmt.Errorf("audit %s: stored manifest unreadable: %w", id, err)
	}
	draws, err := sampler.Sample(audit.Seed, items, audit.SampleSize, audit.MinPerTownship)
	if err != nil {
		return AuditVerification{}, err
	}
	out := AuditVerification{Algorithm: audit.Algorithm, Seed: audit.Seed, ManifestSHA256: hex.EncodeToString(sum[:]),
		Sample: make([]domain.AuditDraw, len(draws))}
	out.ManifestSHA256Matches = out.ManifestSHA256 == audit.ManifestSHA256
	out.SampleMatches = len(draws) == len(audit.Sample)
	for i, d := range draws {
		out.Sample[i] = domain.AuditDraw{RecordID: d.ID, TownshipID: d.Township, Ticket: d.Ticket}
		if out.SampleMatches && (audit.Sample[i].RecordID != d.ID || audit.Sample[i].Ticket != d.Ticket) {
			out.SampleMatches = false
		}
		if i < len(audit.Sample) {
			out.Sample[i].OfficialID = audit.Sample[i].OfficialID
		}
	}
	return out, nil
}

// CancelAudit cancels an open round with a reason; it stays readable.
func (s *Store) CancelAudit(ctx context.Context, a domain.Actor, id, reason string) (domain.Audit, error) {
	var v domain.Invalid
	domain.ValidateName(&v, "reason", reason, 500)
	if err := v.Err(); err != nil {
		return domain.Audit{}, err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row auditRow
		if err := tx.First(&row, "id = ?", id).Error; err != nil {
			return notFound(err, "audit")
		}
		if row.State != "open" {
			return domain.Conflict("audit_cancelled", "this round is already cancelled")
		}
		now := s.now()
		res := tx.Model(&auditRow{}).Where("id = ? AND state = ?", id, "open").
			Updates(map[string]any{"state": "cancelled", "cancel_reason": reason, "cancelled_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("audit_cancelled", "this round is already cancelled")
		}
		if err := s.auditEvent(tx, id, nil, "cancel", a.UserID, reason, nil); err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "cancel", entity: "audit", entityID: id, before: map[string]string{"state": "open"},
			after: map[string]string{"state": "cancelled", "reason": reason}})
	})
	if err != nil {
		return domain.Audit{}, err
	}
	return s.Audit(ctx, id)
}

// FindingInput records what an inspector found on a sampled record.
type FindingInput struct {
	RecordID      string   `json:"record_id"`
	Result        string   `json:"result"`
	Notes         string   `json:"notes"`
	AttachmentIDs []string `json:"attachment_ids"`
}

// RecordFinding records the finding on a record of an open round's sample; a discrepancy asks
// the official for an explanation, due after the setting's number of days.
func (s *Store) RecordFinding(ctx context.Context, a domain.Actor, auditID string, in FindingInput) (domain.Finding, error) {
	var v domain.Invalid
	v.Check(in.Result == domain.FindingConfirmed || in.Result == domain.FindingDiscrepancy || in.Result == domain.FindingUnreachable,
		"result", "must be confirmed, discrepancy or unreachable")
	v.Check(utf8.RuneCountInString(in.Notes) <= 2000, "notes", "must be at most 2000 characters")
	v.Check(in.Result != domain.FindingDiscrepancy || strings.TrimSpace(in.Notes) != "", "notes", "say what the discrepancy is")
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	var out findingRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var audit auditRow
		if err := tx.First(&audit, "id = ?", auditID).Error; err != nil {
			return notFound(err, "audit")
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
		if err := s.linkAttachments(tx, a, "attachment_ids", in.AttachmentIDs, draw.TownshipID); err != nil {
			return err
		}
		out = findingRow{ID: domain.NewID(), AuditID: auditID, RecordID: in.RecordID, TownshipID: draw.TownshipID, OfficialID: draw.OfficialID,
			Result: in.Result, Notes: in.Notes, CreatedBy: a.UserID, CreatedAt: s.now()}
		if in.Result == domain.FindingDiscrepancy {
			st, err := s.settingsOn(tx, s.today())
			if err != nil {
				return err
			}
			due := s.today().AddDays(st.Int("audit.explanation_days"))
			out.ExplanationDueOn = &due
		}
		if inserted, err := insertOnceOn(tx, &out, "audit_id", "record_id"); err != nil || !inserted {
			if err == nil {
				err = domain.Conflict("finding_exists", "this record already has a finding in this round")
			}
			return err
		}
		if err := s.auditEvent(tx, auditID, &out.ID, "finding", a.UserID, in.Result+": "+in.Notes, in.AttachmentIDs); err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "finding", entity: "audit_finding", entityID: out.ID, townshipID: &out.TownshipID, after: out.domain()})
	})
	if err != nil {
		return domain.Finding{}, err
	}
	return s.finding(ctx, out.ID)
}

func (s *Store) finding(ctx context.Context, id string) (domain.Finding, error) {
	db := s.conn(ctx)
	var f findingRow
	if err := db.First(&f, "id = ?", id).Error; err != nil {
		return domain.Finding{}, notFound(err, "finding")
	}
	fs, err := s.withEvents(db, []findingRow{f})
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
func (s *Store) ExplainFinding(ctx context.Context, a domain.Actor, id string, in ExplainInput) (domain.Finding, error) {
	var v domain.Invalid
	domain.ValidateName(&v, "text", in.Text, 2000)
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var f findingRow
		if err := tx.First(&f, "id = ? AND official_id = ?", id, a.UserID).Error; err != nil {
			return notFound(err, "finding")
		}
		switch {
		case f.Result != domain.FindingDiscrepancy:
			return domain.Conflict("no_explanation_requested", "only a discrepancy asks for an explanation")
		case f.Explanation != nil:
			return domain.Conflict("already_explained", "this finding already has your explanation")
		case f.Resolution != nil:
			return domain.Conflict("already_resolved", "this finding is resolved")
		}
		if err := s.linkAttachments(tx, a, "attachment_ids", in.AttachmentIDs, f.TownshipID); err != nil {
			return err
		}
		now := s.now()
		res := tx.Model(&findingRow{}).Where("id = ? AND explanation IS NULL AND resolution IS NULL", id).
			Updates(map[string]any{"explanation": in.Text, "explained_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("already_explained", "this finding was explained or resolved at the same moment")
		}
		if err := s.auditEvent(tx, f.AuditID, &f.ID, "explain", a.UserID, in.Text, in.AttachmentIDs); err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "explain", entity: "audit_finding", entityID: id, townshipID: &f.TownshipID, after: map[string]string{"explanation": in.Text}})
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
func (s *Store) ResolveFinding(ctx context.Context, a domain.Actor, id string, in ResolveInput) (domain.Finding, error) {
	var v domain.Invalid
	v.Check(in.Resolution == domain.ResolutionNoIssue || in.Resolution == domain.ResolutionViolationConfirm, "resolution", "must be no_issue or violation_confirmed")
	v.Check(utf8.RuneCountInString(in.Notes) <= 2000, "notes", "must be at most 2000 characters")
	if err := v.Err(); err != nil {
		return domain.Finding{}, err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var f findingRow
		if err := tx.First(&f, "id = ?", id).Error; err != nil {
			return notFound(err, "finding")
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
		if f.Explanation == nil && f.ExplanationDueOn != nil && !s.today().After(*f.ExplanationDueOn) {
			return domain.Conflict("awaiting_explanation", "the official has until %s to explain", *f.ExplanationDueOn)
		}
		if err := s.linkAttachments(tx, a, "attachment_ids", in.AttachmentIDs, f.TownshipID); err != nil {
			return err
		}
		now := s.now()
		res := tx.Model(&findingRow{}).Where("id = ? AND resolution IS NULL", id).Updates(map[string]any{"resolution": in.Resolution, "resolved_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("already_resolved", "this finding was resolved at the same moment")
		}
		if in.Resolution == domain.ResolutionViolationConfirm {
			recordType, uuid, _ := strings.Cut(f.RecordID, ":")
			if err := tx.Exec(refuteQueries[recordType], now, uuid).Error; err != nil {
				return err
			}
		}
		if err := s.auditEvent(tx, f.AuditID, &f.ID, "resolve", a.UserID, in.Resolution+": "+in.Notes, in.AttachmentIDs); err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "resolve", entity: "audit_finding", entityID: id, townshipID: &f.TownshipID,
			after: map[string]string{"resolution": in.Resolution, "notes": in.Notes}})
	})
	if err != nil {
		return domain.Finding{}, err
	}
	return s.finding(ctx, id)
}

// FindingsFor lists the findings on the actor's own records: an official learns that a record
// was sampled only once a finding is recorded on it.
func (s *Store) FindingsFor(ctx context.Context, a domain.Actor) ([]domain.Finding, error) {
	db := s.conn(ctx)
	var rows []findingRow
	if err := db.Where("official_id = ?", a.UserID).Order("created_at DESC, id").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.withEvents(db, rows)
}

// auditFigures counts, per official of a township, the records checked by findings of rounds
// whose period overlaps [from, to], and how they ended. Records drawn but not yet checked are
// not counted, so that no figure warns an official of an open round.
type auditFigures struct{ Sampled, Confirmed, Discrepancies, Violations int }

func auditFiguresBy(tx *gorm.DB, townshipID string, from, to civil.Date) (map[string]auditFigures, error) {
	var rows []struct {
		OfficialID                                    string
		Sampled, Confirmed, Discrepancies, Violations int
	}
	err := tx.Table("audit_findings f").Joins("JOIN audits a ON a.id = f.audit_id").Select(`f.official_id, COUNT(*) AS sampled,
		COALESCE(SUM(CASE WHEN f.result = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed,
		COALESCE(SUM(CASE WHEN f.result = 'discrepancy' THEN 1 ELSE 0 END), 0) AS discrepancies,
		COALESCE(SUM(CASE WHEN f.resolution = 'violation_confirmed' THEN 1 ELSE 0 END), 0) AS violations`).
		Where("f.township_id = ? AND a.period_start <= ? AND a.period_end >= ?", townshipID, to, from).Group("f.official_id").Scan(&rows).Error
	out := map[string]auditFigures{}
	for _, r := range rows {
		out[r.OfficialID] = auditFigures{r.Sampled, r.Confirmed, r.Discrepancies, r.Violations}
	}
	return out, err
}
