package domain

import (
	"time"

	"minxin/backend/internal/civil"
)

// Audit record types: what a random audit (抽查) samples.
const (
	AuditOvernightStay         = "overnight_stay"
	AuditStationingDay         = "stationing_day"
	AuditVisit                 = "visit"
	AuditReceptionAttendance   = "reception_attendance"
	FindingConfirmed           = "confirmed"
	FindingDiscrepancy         = "discrepancy"
	FindingUnreachable         = "unreachable"
	ResolutionNoIssue          = "no_issue"
	ResolutionViolationConfirm = "violation_confirmed"
)

// AuditRecordTypes lists the record types an audit can sample.
var AuditRecordTypes = []string{AuditOvernightStay, AuditStationingDay, AuditVisit, AuditReceptionAttendance}

// Audit is a round of random audits: its frozen population (by manifest hash), its seed and
// its sample. It is never edited, redrawn or deleted; it can be cancelled with a reason.
type Audit struct {
	ID             string      `json:"id"`
	RecordType     string      `json:"record_type"`
	TownshipIDs    []string    `json:"township_ids"`
	PeriodStart    civil.Date  `json:"period_start"`
	PeriodEnd      civil.Date  `json:"period_end"`
	SampleSize     int         `json:"sample_size"`
	MinPerTownship int         `json:"min_per_township"`
	SeedDigits     string      `json:"seed_digits"`
	Seed           string      `json:"seed"`
	Algorithm      string      `json:"algorithm"`
	PopulationSize int         `json:"population_size"`
	ManifestSHA256 string      `json:"manifest_sha256"`
	State          string      `json:"state"`
	CancelReason   *string     `json:"cancel_reason"`
	CancelledAt    *time.Time  `json:"cancelled_at"`
	OpenedBy       string      `json:"opened_by"`
	OpenedAt       time.Time   `json:"opened_at"`
	Sample         []AuditDraw `json:"sample"`
	Findings       []Finding   `json:"findings"`
}

// AuditDraw is one sampled record with its ticket.
type AuditDraw struct {
	RecordID   string `json:"record_id"`
	TownshipID string `json:"township_id"`
	OfficialID string `json:"official_id"`
	Ticket     string `json:"ticket"`
}

// Finding is what an inspector found on a sampled record, and what followed: the official's
// explanation of a discrepancy and the inspector's resolution.
type Finding struct {
	ID               string       `json:"id"`
	AuditID          string       `json:"audit_id"`
	RecordID         string       `json:"record_id"`
	TownshipID       string       `json:"township_id"`
	OfficialID       string       `json:"official_id"`
	Result           string       `json:"result"`
	Notes            string       `json:"notes"`
	ExplanationDueOn *civil.Date  `json:"explanation_due_on"`
	Explanation      *string      `json:"explanation"`
	ExplainedAt      *time.Time   `json:"explained_at"`
	Resolution       *string      `json:"resolution"`
	ResolvedAt       *time.Time   `json:"resolved_at"`
	CreatedBy        string       `json:"created_by"`
	CreatedAt        time.Time    `json:"created_at"`
	Events           []AuditEvent `json:"events"`
}

// AuditEvent is one append-only step of a round or a finding, with its evidence.
type AuditEvent struct {
	ID            string    `json:"id"`
	Action        string    `json:"action"`
	ActorID       string    `json:"actor_id"`
	At            time.Time `json:"at"`
	Notes         string    `json:"notes"`
	AttachmentIDs []string  `json:"attachment_ids"`
}
