package audits_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/sampler"
	"minxin/backend/internal/store"
)

// record is one generated row of a record table, and whether it counts for audits.
type record struct {
	id, township, official string
	date                   civil.Date
	counts, refuted        bool
}

// populationEnv is a district of four townships with two officials each, and records of every
// audited type in October to December 2026 with random ids (time-ordered and random UUIDs
// mixed), some of which do not count, some refuted.
type populationEnv struct {
	env       *apitest.Env
	tx        *store.Tx // the records are written in one transaction
	townships []string
	officials map[string][]string // by township
	records   map[string][]record // by record type
}

func newPopulationEnv(t *testing.T, env *apitest.Env, rng *rand.Rand) *populationEnv {
	p := &populationEnv{env: env, officials: map[string][]string{}}
	villages, households := map[string]string{}, map[string]string{}
	for i := range 4 {
		town := env.Township(fmt.Sprintf("镇%d", i), 30, 120+float64(i)/10)
		p.townships = append(p.townships, town.ID)
		for range 2 {
			p.officials[town.ID] = append(p.officials[town.ID], env.User(domain.RoleOfficial, town.ID, "team_member").ID)
		}
		v := env.Village(town, fmt.Sprintf("村%d", i), 30.01, 120.01+float64(i)/10)
		villages[town.ID], households[town.ID] = v.ID, env.Household(v, "户主").ID
	}
	err := env.Store.Tx(context.Background(), func(tx *store.Tx) error {
		p.tx = tx
		p.records = p.generate(t, rng, villages, households)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *populationEnv) generate(t *testing.T, rng *rand.Rand, villages, households map[string]string) map[string][]record {
	records := map[string][]record{}
	newID := func() string {
		if rng.IntN(2) == 0 {
			return domain.NewID()
		}
		return uuid.New().String()
	}
	day := func() civil.Date { return civil.New(2026, 10, 1).AddDays(rng.IntN(92)) }
	randomRecord := func() record {
		town := p.townships[rng.IntN(len(p.townships))]
		return record{id: newID(), township: town, official: p.officials[town][rng.IntN(2)], date: day(),
			counts: rng.IntN(10) != 0, refuted: rng.IntN(20) == 0}
	}
	now := time.Now().UTC()
	refutedAt := func(r record) any {
		if r.refuted {
			return now
		}
		return nil
	}
	for range 1_500 {
		r := randomRecord()
		records[domain.AuditOvernightStay] = append(records[domain.AuditOvernightStay], r)
		p.insert(t, `INSERT INTO overnight_stays (id, township_id, official_id, night_date, iso_week, checked_out, counts, refuted_at, content_hash, created_at)
			VALUES (?, ?, ?, ?, '2026-W45', TRUE, ?, ?, '', ?)`, r.id, r.township, r.official, r.date, r.counts, refutedAt(r), now)
	}
	for range 600 {
		r := randomRecord()
		records[domain.AuditVisit] = append(records[domain.AuditVisit], r)
		p.insert(t, `INSERT INTO visits (id, township_id, official_id, household_id, category, date, notes, follow_up, qr_verified, counts, refuted_at, content_hash, created_at)
			VALUES (?, ?, ?, ?, 'elderly_alone', ?, '', '', TRUE, ?, ?, '', ?)`, r.id, r.township, r.official, households[r.township], r.date, r.counts, refutedAt(r), now)
	}
	// Stationing sessions, several on some official's dates: the day's id is the smallest id
	// of its counting sessions.
	for range 900 {
		r := randomRecord()
		r.date = civil.New(2026, 11, 1).AddDays(rng.IntN(20))
		records[domain.AuditStationingDay] = append(records[domain.AuditStationingDay], r)
		p.insert(t, `INSERT INTO stationings (id, township_id, official_id, village_id, date, checked_out, counts, refuted_at, content_hash, created_at)
			VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, '', ?)`, r.id, r.township, r.official, villages[r.township], r.date, r.counts, refutedAt(r), now)
	}
	for _, town := range p.townships {
		for d := civil.New(2026, 10, 1); d.Before(civil.New(2027, 1, 1)); d = d.AddDays(1) {
			r := record{id: newID(), township: town, official: p.officials[town][rng.IntN(2)], date: d, counts: rng.IntN(4) != 0, refuted: rng.IntN(30) == 0}
			records[domain.AuditReceptionAttendance] = append(records[domain.AuditReceptionAttendance], r)
			p.insert(t, `INSERT INTO reception_days (id, township_id, date, official_id, attended, on_time, refuted_at, created_at)
				VALUES (?, ?, ?, ?, ?, TRUE, ?, ?)`, r.id, r.township, r.date, r.official, r.counts, refutedAt(r), now)
		}
	}
	return records
}

func (p *populationEnv) insert(t *testing.T, sql string, args ...any) {
	t.Helper()
	if err := p.tx.Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

// expected is the population of a round computed in Go from the generated rows, as the
// specification defines it (§5): the records that count, of the named townships (all when none
// is named), in the period; a stationing day per official and date, under its smallest
// session id. It gives the items and each record's official.
func (p *populationEnv) expected(recordType string, townships []string, from, to civil.Date) ([]sampler.Item, map[string]string) {
	inScope := func(r record) bool {
		return r.counts && !r.refuted && !r.date.Before(from) && !to.Before(r.date) && (len(townships) == 0 || slices.Contains(townships, r.township))
	}
	official := map[string]string{}
	var items []sampler.Item
	if recordType == domain.AuditStationingDay {
		first := map[string]record{}
		for _, r := range p.records[recordType] {
			key := r.township + r.official + r.date.String()
			if f, ok := first[key]; inScope(r) && (!ok || r.id < f.id) {
				first[key] = r
			}
		}
		for _, r := range first {
			items = append(items, sampler.Item{ID: recordType + ":" + r.id, Township: r.township})
			official[recordType+":"+r.id] = r.official
		}
		return items, official
	}
	for _, r := range p.records[recordType] {
		if inScope(r) {
			items = append(items, sampler.Item{ID: recordType + ":" + r.id, Township: r.township})
			official[recordType+":"+r.id] = r.official
		}
	}
	return items, official
}

// bySpecification draws a sample straight from §6 of docs/sampler.md on the reference's full
// ticket stream (sampler.Stream): each township's first minimum records, then the fill up to
// size, in stream order.
func bySpecification(t *testing.T, seed string, items []sampler.Item, size, minimum int) []sampler.Draw {
	t.Helper()
	ids := make([]string, len(items))
	township := map[string]string{}
	for i, it := range items {
		ids[i], township[it.ID] = it.ID, it.Township
	}
	stream, err := sampler.Stream(seed, ids, false, len(ids))
	if err != nil {
		t.Fatal(err)
	}
	drawn, taken := map[string]bool{}, map[string]int{}
	for _, tk := range stream {
		if taken[township[tk.ID]] < minimum {
			taken[township[tk.ID]]++
			drawn[tk.ID] = true
		}
	}
	for _, tk := range stream {
		if len(drawn) >= size {
			break
		}
		drawn[tk.ID] = true
	}
	out := []sampler.Draw{}
	for _, tk := range stream {
		if drawn[tk.ID] {
			out = append(out, sampler.Draw{ID: tk.ID, Township: township[tk.ID], Ticket: tk.Number})
		}
	}
	return out
}

// Opening a round reads the population from the database in batches and stores the manifest
// in parts (both made small here, so that a few thousand records take many of each); the
// round's population, manifest bytes, hash and sample are those the sampler's pure functions
// give on the records that count (WriteManifest, Sample, and §6 on the reference's stream),
// and the verify endpoint re-derives them.
func TestOpenFreezesThePopulationAsTheSamplerDefinesIt(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		defer audits.SetBatches(97, 1_000)()
		p := newPopulationEnv(t, env, rand.New(rand.NewPCG(12, 11)))
		inspector := env.User(domain.RoleInspector, "")
		token := env.Token(inspector)
		three := slices.Clone(p.townships[:3])
		cases := []struct {
			recordType    string
			townships     []string
			from, to      civil.Date
			size, minimum int
		}{
			{domain.AuditOvernightStay, three, civil.New(2026, 11, 1), civil.New(2026, 11, 30), 40, 5},
			{domain.AuditOvernightStay, nil, civil.New(2026, 10, 1), civil.New(2026, 12, 31), 25, 0},
			{domain.AuditOvernightStay, p.townships[3:], civil.New(2026, 12, 1), civil.New(2026, 12, 1), 100_000, 0},
			{domain.AuditVisit, three, civil.New(2026, 10, 15), civil.New(2026, 12, 15), 10, 8},
			{domain.AuditStationingDay, three, civil.New(2026, 11, 3), civil.New(2026, 11, 17), 30, 2},
			{domain.AuditStationingDay, nil, civil.New(2026, 11, 1), civil.New(2026, 11, 30), 5, 0},
			{domain.AuditReceptionAttendance, p.townships[1:], civil.New(2026, 10, 1), civil.New(2026, 12, 31), 12, 3},
		}
		for _, c := range cases {
			name := fmt.Sprintf("%s %d townships %s–%s size %d minimum %d", c.recordType, len(c.townships), c.from, c.to, c.size, c.minimum)
			items, officials := p.expected(c.recordType, c.townships, c.from, c.to)
			if len(items) < 20 && c.size < 1_000 {
				t.Fatalf("%s: a population of %d is too small to prove anything", name, len(items))
			}
			round, err := env.App.Audits.Open(context.Background(), inspector.Actor(), audits.Input{RecordType: c.recordType,
				TownshipIDs: c.townships, PeriodStart: c.from, PeriodEnd: c.to, SampleSize: c.size, MinPerTownship: c.minimum})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}

			var manifest bytes.Buffer
			if err := sampler.WriteManifest(&manifest, items); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(manifest.Bytes())
			if round.PopulationSize != len(items) || round.ManifestSHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: population %d, manifest %s; want %d, %x", name, round.PopulationSize, round.ManifestSHA256, len(items), sum)
			}
			var stored bytes.Buffer
			if err := env.App.Audits.Manifest(context.Background(), round.ID, &stored); err != nil || !bytes.Equal(stored.Bytes(), manifest.Bytes()) {
				t.Errorf("%s: stored manifest (%d bytes, %v) is not WriteManifest's (%d bytes)", name, stored.Len(), err, manifest.Len())
			}
			if r := env.Get("/api/v1/audits/"+round.ID+"/manifest", token); r.Status != 200 || !bytes.Equal(r.Body, manifest.Bytes()) ||
				r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Errorf("%s: GET manifest: %d, %s, %d bytes", name, r.Status, r.Header.Get("Content-Type"), len(r.Body))
			}

			want, err := sampler.Sample(round.Seed, items, c.size, c.minimum)
			if err != nil {
				t.Fatal(err)
			}
			if spec := bySpecification(t, round.Seed, items, c.size, c.minimum); !slices.Equal(want, spec) {
				t.Fatalf("%s: Sample differs from §6 on the reference's stream", name)
			}
			got := make([]sampler.Draw, len(round.Sample))
			for i, d := range round.Sample {
				got[i] = sampler.Draw{ID: d.RecordID, Township: d.TownshipID, Ticket: d.Ticket}
				if d.OfficialID != officials[d.RecordID] {
					t.Errorf("%s: draw %s has official %s, want %s", name, d.RecordID, d.OfficialID, officials[d.RecordID])
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: sample\n%v\nwant\n%v", name, got, want)
			}

			v := env.Get("/api/v1/audits/"+round.ID+"/verify", token).Map(t)
			if v["manifest_sha256_matches"] != true || v["sample_matches"] != true || len(v["sample"].([]any)) != len(want) {
				t.Errorf("%s: verify: %v", name, v)
			}
		}
		if r := env.Get("/api/v1/audits/"+domain.NewID()+"/manifest", token); r.Status != 404 || strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("manifest of an unknown round: %d %v", r.Status, r.Header)
		}
	})
}
