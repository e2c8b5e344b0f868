// Package audits runs random audits (抽查, §5): an inspector opens a round over a frozen
// population, the sample is drawn with Rivest's consistent sampler (package sampler) from a
// seed nobody chooses, findings are recorded and explained, and a confirmed violation stops
// the record counting.
package audits

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/sampler"
	"minxin/backend/internal/store"
)

// Service is the audits of one district.
type Service struct {
	st   *store.Store
	rand io.Reader // draws the 32 random bytes of each round's seed
}

// New returns the audits service over a store. Seeds are drawn from random (crypto/rand when
// nil); tests may fix it.
func New(st *store.Store, random io.Reader) *Service {
	if random == nil {
		random = rand.Reader
	}
	return &Service{st: st, rand: random}
}

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

// Input opens an audit round.
type Input struct {
	RecordType     string     `json:"record_type"`
	TownshipIDs    []string   `json:"township_ids"`
	PeriodStart    civil.Date `json:"period_start"`
	PeriodEnd      civil.Date `json:"period_end"`
	SampleSize     int        `json:"sample_size"`
	MinPerTownship int        `json:"min_per_township"`
	SeedDigits     string     `json:"seed_digits"`
}

func (in Input) validate() error {
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

func population(tx *store.Tx, recordType string, townships []string, from, to civil.Date) ([]populationItem, error) {
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

// Open opens a round: it freezes the population as a manifest, draws 32 random bytes for
// the seed, draws the sample with the consistent sampler and stores every draw with its ticket.
func (s *Service) Open(ctx context.Context, a domain.Actor, in Input) (domain.Audit, error) {
	if err := in.validate(); err != nil {
		return domain.Audit{}, err
	}
	var random [sampler.SeedRandomBytes]byte
	if _, err := io.ReadFull(s.rand, random[:]); err != nil {
		return domain.Audit{}, err
	}
	seed, err := sampler.NewSeed(in.SeedDigits, random)
	if err != nil {
		return domain.Audit{}, domain.InvalidField("seed_digits", "is not a seed: %v", err)
	}
	var id string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		townships, err := auditTownships(tx, in.TownshipIDs)
		if err != nil {
			return err
		}
		pop, err := population(tx, in.RecordType, townships, in.PeriodStart, in.PeriodEnd)
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
		row := auditRow{ID: domain.NewID(), RecordType: in.RecordType, TownshipIDs: store.JSONText(townships), PeriodStart: in.PeriodStart,
			PeriodEnd: in.PeriodEnd, SampleSize: in.SampleSize, MinPerTownship: in.MinPerTownship, SeedDigits: in.SeedDigits, Seed: seed,
			Algorithm: sampler.Algorithm, PopulationSize: len(items), ManifestSHA256: hex.EncodeToString(sum[:]), State: "open",
			OpenedBy: a.UserID, OpenedAt: tx.Now}
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
		if err := auditEvent(tx, row.ID, nil, "open", a.UserID, "", nil); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "open", Entity: "audit", EntityID: row.ID, After: row})
	})
	if err != nil {
		return domain.Audit{}, err
	}
	return s.Audit(ctx, id)
}

// auditTownships checks the scope's townships, or takes every township when none is named;
// the result is sorted.
func auditTownships(tx *store.Tx, ids []string) ([]string, error) {
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

func auditEvent(tx *store.Tx, auditID string, findingID *string, action, actor, notes string, attachments []string) error {
	if attachments == nil {
		attachments = []string{}
	}
	return tx.Create(&auditEventRow{ID: domain.NewID(), AuditID: auditID, FindingID: findingID, Action: action, ActorID: actor,
		At: tx.Now, Notes: notes, AttachmentIDs: store.JSONText(attachments)}).Error
}

func (r auditRow) domain() domain.Audit {
	out := domain.Audit{ID: r.ID, RecordType: r.RecordType, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd,
		SampleSize: r.SampleSize, MinPerTownship: r.MinPerTownship, SeedDigits: r.SeedDigits, Seed: r.Seed, Algorithm: r.Algorithm,
		PopulationSize: r.PopulationSize, ManifestSHA256: r.ManifestSHA256, State: r.State, CancelReason: r.CancelReason,
		CancelledAt: r.CancelledAt, OpenedBy: r.OpenedBy, OpenedAt: r.OpenedAt, Sample: []domain.AuditDraw{}, Findings: []domain.Finding{}}
	if err := json.Unmarshal([]byte(r.TownshipIDs), &out.TownshipIDs); err != nil {
		panic(err)
	}
	return out
}

// Audit returns a round with its sample, its findings and their events.
func (s *Service) Audit(ctx context.Context, id string) (domain.Audit, error) {
	db := s.st.Reader(ctx).DB
	var row auditRow
	if err := db.First(&row, "id = ?", id).Error; err != nil {
		return domain.Audit{}, store.NotFound(err, "audit")
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
	fs, err := withEvents(db, findings)
	out.Findings = fs
	return out, err
}

func withEvents(db *gorm.DB, findings []findingRow) ([]domain.Finding, error) {
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
				if err := json.Unmarshal([]byte(e.AttachmentIDs), &ev.AttachmentIDs); err != nil {
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
func (s *Service) Audits(ctx context.Context, p store.PageRequest) (store.Page[domain.Audit], error) {
	page, err := store.ListPage(s.st.Reader(ctx).DB, "audits", p, func(r auditRow) string { return r.ID })
	if err != nil {
		return store.Page[domain.Audit]{}, err
	}
	out := store.Page[domain.Audit]{Items: make([]domain.Audit, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.domain()
	}
	return out, nil
}

// Manifest returns the manifest exactly as frozen when the round opened.
func (s *Service) Manifest(ctx context.Context, id string) ([]byte, error) {
	var m auditManifest
	err := s.st.Reader(ctx).First(&m, "audit_id = ?", id).Error
	return m.Content, store.NotFound(err, "audit")
}

// Verification is the result of re-deriving a round from its stored manifest and seed.
type Verification struct {
	ManifestSHA256Matches bool               `json:"manifest_sha256_matches"`
	SampleMatches         bool               `json:"sample_matches"`
	Algorithm             string             `json:"algorithm"`
	Seed                  string             `json:"seed"`
	ManifestSHA256        string             `json:"manifest_sha256"`
	Sample                []domain.AuditDraw `json:"sample"`
}

// Verify recomputes a round's sample from its manifest and seed and compares it with the
// stored draws.
func (s *Service) Verify(ctx context.Context, id string) (Verification, error) {
	audit, err := s.Audit(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	content, err := s.Manifest(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	sum := sha256.Sum256(content)
	items, err := sampler.ReadManifest(bytes.NewReader(content))
	if err != nil {
		return Verification{}, fmt.Errorf("audit %s: stored manifest unreadable: %w", id, err)
	}
	draws, err := sampler.Sample(audit.Seed, items, audit.SampleSize, audit.MinPerTownship)
	if err != nil {
		return Verification{}, err
	}
	out := Verification{Algorithm: audit.Algorithm, Seed: audit.Seed, ManifestSHA256: hex.EncodeToString(sum[:]),
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

// Cancel cancels an open round with a reason; it stays readable.
func (s *Service) Cancel(ctx context.Context, a domain.Actor, id, reason string) (domain.Audit, error) {
	var v domain.Invalid
	domain.ValidateName(&v, "reason", reason, 500)
	if err := v.Err(); err != nil {
		return domain.Audit{}, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var row auditRow
		if err := tx.First(&row, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "audit")
		}
		if row.State != "open" {
			return domain.Conflict("audit_cancelled", "this round is already cancelled")
		}
		res := tx.Model(&auditRow{}).Where("id = ? AND state = ?", id, "open").
			Updates(map[string]any{"state": "cancelled", "cancel_reason": reason, "cancelled_at": tx.Now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("audit_cancelled", "this round is already cancelled")
		}
		if err := auditEvent(tx, id, nil, "cancel", a.UserID, reason, nil); err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "cancel", Entity: "audit", EntityID: id, Before: map[string]string{"state": "open"},
			After: map[string]string{"state": "cancelled", "reason": reason}})
	})
	if err != nil {
		return domain.Audit{}, err
	}
	return s.Audit(ctx, id)
}
