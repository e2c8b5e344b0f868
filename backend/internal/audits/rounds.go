// Package audits runs random audits (抽查, §5): an inspector opens a round over a frozen
// population, the sample is drawn with Rivest's consistent sampler (package sampler) from a
// seed nobody chooses, findings are recorded and explained, and a confirmed violation stops
// the record counting.
package audits

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
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

// populations are, for each record type, the table of its records and the query of those that
// count in a period, in the manifest's order: each row is the record's manifest line without its
// LF, "<type>:<uuid>,<township>", written by the database, in ascending order of uuid — the
// byte-wise order of the record ids, as they share their prefix and uuids have one length.
// %[1]s is the record type, %[2]s the township filter and %[3]s the byte-wise collation of
// text. A stationing day is an official's date with a counting session; its id is the smallest
// id of that date's counting sessions.
var populations = map[string]struct{ table, query string }{
	domain.AuditOvernightStay: {"overnight_stays", `SELECT '%[1]s:' || CAST(r.id AS TEXT) || ',' || CAST(r.township_id AS TEXT) FROM overnight_stays r
		WHERE r.counts AND r.refuted_at IS NULL AND r.night_date >= ? AND r.night_date <= ?%[2]s ORDER BY r.id`},
	domain.AuditStationingDay: {"stationings", `SELECT '%[1]s:' || MIN(CAST(r.id AS TEXT)%[3]s) || ',' || CAST(r.township_id AS TEXT) FROM stationings r
		WHERE r.counts AND r.refuted_at IS NULL AND r.date >= ? AND r.date <= ?%[2]s
		GROUP BY r.township_id, r.official_id, r.date ORDER BY MIN(CAST(r.id AS TEXT)%[3]s)`},
	domain.AuditVisit: {"visits", `SELECT '%[1]s:' || CAST(r.id AS TEXT) || ',' || CAST(r.township_id AS TEXT) FROM visits r
		WHERE r.counts AND r.refuted_at IS NULL AND r.date >= ? AND r.date <= ?%[2]s ORDER BY r.id`},
	domain.AuditReceptionAttendance: {"reception_days", `SELECT '%[1]s:' || CAST(r.id AS TEXT) || ',' || CAST(r.township_id AS TEXT) FROM reception_days r
		WHERE r.attended AND r.refuted_at IS NULL AND r.date >= ? AND r.date <= ?%[2]s ORDER BY r.id`},
}

// populationQuery is the query of a round's population and its arguments. The townships are
// filtered in SQL when the round names them; a round over every township needs no filter, as
// every record belongs to a township.
func populationQuery(tx *store.Tx, in Input, townships []string) (string, []any) {
	filter, args := "", []any{in.PeriodStart, in.PeriodEnd}
	if len(in.TownshipIDs) > 0 {
		filter, args = " AND r.township_id IN ?", append(args, townships)
	}
	collate := ""
	if tx.Postgres() {
		collate = ` COLLATE "C"`
	}
	return fmt.Sprintf(populations[in.RecordType].query, in.RecordType, filter, collate), args
}

// streamBatch is how many rows of a population are read at a time, and manifestPart the most
// bytes of a manifest one row of audit_manifests holds (variables so that tests can make a small
// population take many batches and parts).
var (
	streamBatch  = 10_000
	manifestPart = 1 << 20
)

// frozen is a population as a round freezes it at its opening.
type frozen struct {
	size   int
	sha256 string
	draws  []sampler.Draw
}

// freeze reads the population of a round row by row in the manifest's order — each row one
// manifest line — and writes each record into the manifest's hash, into the manifest's parts
// stored under auditID and into the sampler's draw, which keeps only its candidates: nothing the
// size of the population is held. Three things happen at once: the rows are read, a goroutine
// turns the batch read before into the manifest and the draw, and the parts made so far are
// stored — on PostgreSQL by a goroutine of their own, as the rows are read on another
// connection (store.Tx.Stream); on SQLite between batches. An empty population freezes nothing.
func freeze(tx *store.Tx, auditID, seed string, in Input, townships []string) (frozen, error) {
	drawer, err := sampler.NewDrawer(seed, in.SampleSize, in.MinPerTownship)
	if err != nil {
		return frozen{}, err
	}
	seq := 0
	storePart := func(part []byte) error {
		seq++
		return tx.Exec(`INSERT INTO audit_manifests (audit_id, seq, content) VALUES (?, ?, ?)`, auditID, seq, part).Error
	}
	// PostgreSQL writes uuids in lowercase; SQLite gives them as they were stored.
	f := startFreezer(drawer, storePart, tx.Postgres(), !tx.Postgres())
	defer f.end()
	batch := make([]string, 0, streamBatch)
	query, args := populationQuery(tx, in, townships)
	err = tx.Stream(query, args, streamBatch, func(scan func(...any) error) error {
		var line string
		if err := scan(&line); err != nil {
			return err
		}
		batch = append(batch, line)
		return nil
	}, func() error {
		err := f.send(batch)
		batch = make([]string, 0, streamBatch)
		return err
	})
	if err != nil {
		return frozen{}, err
	}
	sum, err := f.finish()
	if err != nil || drawer.Len() == 0 {
		return frozen{}, err
	}
	return frozen{size: drawer.Len(), sha256: sum, draws: drawer.Draws()}, nil
}

// freezer turns batches of manifest lines (lowercased, with lower) into the manifest (its hash,
// and its parts of manifestPart bytes, which it stores) and the draw, on a goroutine of its own;
// with apart, another goroutine stores the parts, else send stores them as they come. At most a
// batch waits for the first goroutine and two parts for the store, so what it holds is bounded.
type freezer struct {
	batches chan []string // lines read, in order
	parts   chan []byte   // whole parts, then the last, in order; closed after the last
	made    chan struct{} // closed when the manifest and the draw are done
	stored  chan struct{} // closed when every part is stored (apart)
	store   func([]byte) error
	apart   bool
	mu      sync.Mutex
	err     error  // the first failure: a line refused, or a part not stored
	sum     string // the manifest's SHA-256, once made
	ended   bool
}

func startFreezer(drawer *sampler.Drawer, store func([]byte) error, apart, lower bool) *freezer {
	f := &freezer{batches: make(chan []string, 1), parts: make(chan []byte, 2), made: make(chan struct{}), stored: make(chan struct{}),
		store: store, apart: apart}
	go f.make(drawer, lower)
	if apart {
		go func() {
			defer close(f.stored)
			for part := range f.parts {
				f.storeOne(part)
			}
		}()
	}
	return f
}

// make is the goroutine that writes the manifest and the draw.
func (f *freezer) make(drawer *sampler.Drawer, lower bool) {
	defer close(f.made)
	hash := sha256.New()
	var buf []byte
	manifest := sampler.NewManifestWriter(io.MultiWriter(hash, writerFunc(func(b []byte) { buf = append(buf, b...) })))
	failed := false
	for batch := range f.batches {
		for _, line := range batch {
			if failed {
				break // the rest is taken and dropped: the opening fails
			}
			if lower {
				line = strings.ToLower(line)
			}
			id, township, _ := strings.Cut(line, ",")
			it := sampler.Item{ID: id, Township: township}
			err := manifest.Write(it)
			if err == nil {
				err = drawer.Add(it)
			}
			if err != nil {
				f.fail(err)
				failed = true
			}
		}
		buf = f.handOver(buf)
	}
	if !failed {
		if err := manifest.Flush(); err != nil {
			f.fail(err)
		} else if buf = f.handOver(buf); len(buf) > 0 {
			f.parts <- buf
		}
	}
	f.sum = hex.EncodeToString(hash.Sum(nil))
	close(f.parts)
}

// handOver sends the whole parts at the start of buf to be stored and keeps the rest, which
// starts the next part.
func (f *freezer) handOver(buf []byte) []byte {
	for len(buf) >= manifestPart {
		part := buf[:manifestPart:manifestPart]
		buf = append(make([]byte, 0, 2*manifestPart), buf[manifestPart:]...)
		f.parts <- part
	}
	return buf
}

func (f *freezer) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

func (f *freezer) failure() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// storeOne stores a part unless something failed already.
func (f *freezer) storeOne(part []byte) {
	if f.failure() == nil {
		if err := f.store(part); err != nil {
			f.fail(err)
		}
	}
}

// send hands a batch of lines over (storing, unless apart, the parts made meanwhile) and fails
// once a line was refused or a part not stored, so that the rest is not read.
func (f *freezer) send(batch []string) error {
	if f.apart {
		f.batches <- batch
		return f.failure()
	}
	for sent := false; !sent; {
		select {
		case f.batches <- batch:
			sent = true
		case part := <-f.parts:
			f.storeOne(part)
		}
	}
	for {
		select {
		case part := <-f.parts:
			f.storeOne(part)
		default:
			return f.failure()
		}
	}
}

// finish waits for the last lines and parts and gives the manifest's hash.
func (f *freezer) finish() (string, error) {
	f.end()
	if err := f.failure(); err != nil {
		return "", err
	}
	return f.sum, nil
}

// end lets the goroutines finish (it is called again, deferred, when the opening fails).
func (f *freezer) end() {
	if f.ended {
		return
	}
	f.ended = true
	close(f.batches)
	if f.apart {
		<-f.stored
	} else {
		for part := range f.parts {
			f.storeOne(part)
		}
	}
	<-f.made
}

// writerFunc is an io.Writer that hands every write to a function.
type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) {
	w(b)
	return len(b), nil
}

// drawOfficials reads the official of every drawn record from its table, by uuid.
func drawOfficials(tx *store.Tx, table string, uuids []string) (map[string]string, error) {
	out := make(map[string]string, len(uuids))
	for batch := range slices.Chunk(uuids, 500) {
		var rows []struct{ ID, OfficialID *string }
		if err := tx.Raw(`SELECT CAST(id AS TEXT) AS id, CAST(official_id AS TEXT) AS official_id FROM `+table+` WHERE id IN ?`, batch).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.ID != nil && r.OfficialID != nil {
				out[strings.ToLower(*r.ID)] = strings.ToLower(*r.OfficialID)
			}
		}
	}
	for _, u := range uuids {
		if out[u] == "" {
			return nil, fmt.Errorf("audit: drawn record %s of %s has no official", u, table)
		}
	}
	return out, nil
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
		row := auditRow{ID: domain.NewID(), RecordType: in.RecordType, TownshipIDs: store.JSONText(townships), PeriodStart: in.PeriodStart,
			PeriodEnd: in.PeriodEnd, SampleSize: in.SampleSize, MinPerTownship: in.MinPerTownship, SeedDigits: in.SeedDigits, Seed: seed,
			Algorithm: sampler.Algorithm, State: "open", OpenedBy: a.UserID, OpenedAt: tx.Now}
		pop, err := freeze(tx, row.ID, seed, in, townships)
		if err != nil {
			return err
		}
		if pop.size == 0 {
			return domain.Errorf(domain.KindInvalid, "empty_population", "no record of this type counts in this scope and period: there is nothing to sample")
		}
		row.PopulationSize, row.ManifestSHA256 = pop.size, pop.sha256
		id = row.ID
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		prefix := in.RecordType + ":"
		uuids := make([]string, len(pop.draws))
		for i, d := range pop.draws {
			uuids[i] = strings.TrimPrefix(d.ID, prefix)
		}
		officials, err := drawOfficials(tx, populations[in.RecordType].table, uuids)
		if err != nil {
			return err
		}
		rows := make([]drawRow, len(pop.draws))
		for i, d := range pop.draws {
			rows[i] = drawRow{AuditID: row.ID, Seq: i + 1, RecordID: d.ID, RecordUUID: uuids[i], TownshipID: d.Township, OfficialID: officials[uuids[i]], Ticket: d.Ticket}
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

// Manifest writes to w the manifest exactly as frozen when the round opened, one stored part
// at a time; an unknown round is not found before anything is written.
func (s *Service) Manifest(ctx context.Context, id string, w io.Writer) error {
	_, err := io.Copy(w, &manifestReader{db: s.st.Reader(ctx).DB, auditID: id})
	return err
}

// manifestReader reads a stored manifest, one part, and one query, at a time: no connection is
// held while the parts are passed on (to a slow download, say).
type manifestReader struct {
	db      *gorm.DB
	auditID string
	seq     int
	part    []byte
	done    bool
}

// Read fills p whole unless the manifest ends: echo's gzip writer miscounts a write that
// crosses its minimum length after smaller ones (it reports the bytes it buffered), so the
// copy to an answer is given whole buffers.
func (r *manifestReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.part) == 0 {
			if err := r.next(); err != nil {
				return n, err
			}
			if r.done {
				break
			}
		}
		c := copy(p[n:], r.part)
		r.part, n = r.part[c:], n+c
	}
	if n == 0 && r.done {
		return 0, io.EOF
	}
	return n, nil
}

// next reads the next part, or sets done after the last.
func (r *manifestReader) next() error {
	if r.done {
		return nil
	}
	r.seq++
	var parts [][]byte
	if err := r.db.Raw(`SELECT content FROM audit_manifests WHERE audit_id = ? AND seq = ?`, r.auditID, r.seq).Scan(&parts).Error; err != nil {
		return err
	}
	switch {
	case len(parts) == 1:
		r.part = parts[0]
	case r.seq == 1:
		return domain.NotFound("audit")
	default:
		r.done = true
	}
	return nil
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
	drawer, err := sampler.NewDrawer(audit.Seed, audit.SampleSize, audit.MinPerTownship)
	if err != nil {
		return Verification{}, err
	}
	// The manifest is read part by part, hashed and parsed as it comes, and its records go to
	// the draw one by one, as when the round was opened.
	hash := sha256.New()
	manifest := sampler.NewManifestReader(io.TeeReader(&manifestReader{db: s.st.Reader(ctx).DB, auditID: id}, hash))
	for {
		it, err := manifest.Read()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = drawer.Add(it)
		}
		if err != nil {
			return Verification{}, fmt.Errorf("audit %s: stored manifest unreadable: %w", id, err)
		}
	}
	sum := hash.Sum(nil)
	draws := drawer.Draws()
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
