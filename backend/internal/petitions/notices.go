package petitions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/notice"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Written notices (书面告知, §7). Each action that answers the petitioner issues its notice in
// the transaction of the action (transition): the facts are taken from the petition after the
// action, rendered by package notice, numbered with the tracking code and the petition's next
// sequence number, and the PDF bytes are kept sealed (notice_seal.go) with the SHA-256 of
// the plain PDF, which the activity log holds too. A notice once issued never changes: it is served from the bytes kept, never rendered
// again. docs/notices.md says how a printed copy is verified.

// noticeKinds are the notices the actions issue.
var noticeKinds = map[petition.Action]notice.Kind{
	petition.Accept:   notice.Acceptance,
	petition.Reject:   notice.NonAcceptance,
	petition.Extend:   notice.Extension,
	petition.Reply:    notice.Reply,
	petition.Review:   notice.Review,
	petition.Rereview: notice.Rereview,
	petition.Transfer: notice.Transfer,
}

// noticeRow is a row of petition_notices.
type noticeRow struct {
	ID         string
	PetitionID string
	TownshipID string
	Kind       string
	Seq        int
	Number     string
	EventID    string
	IssuedBy   string
	IssuedAt   time.Time
	SHA256     string `gorm:"column:sha256"`
	Size       int
	PDF        []byte `gorm:"column:pdf"`
}

func (noticeRow) TableName() string { return "petition_notices" }

// noticeColumns are the columns of a notice without its bytes, for lists.
const noticeColumns = "id, petition_id, township_id, kind, seq, number, event_id, issued_by, issued_at, sha256, size"

// Notice is a notice as it is listed: what identifies it and the SHA-256 of its PDF.
type Notice struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	Number   string    `json:"number"`
	IssuedAt time.Time `json:"issued_at"`
	SHA256   string    `json:"sha256"`
	Size     int       `json:"size"`
}

// Notices are a petition's notices, in the order they were issued.
type Notices struct {
	Items []Notice `json:"items"`
}

// NoticeFile is the PDF of a notice, as it was issued.
type NoticeFile struct {
	Number string
	SHA256 string
	PDF    []byte
}

func (n noticeRow) view() Notice {
	return Notice{ID: n.ID, Kind: n.Kind, Title: notice.Title(notice.Kind(n.Kind)), Number: n.Number,
		IssuedAt: n.IssuedAt, SHA256: n.SHA256, Size: n.Size}
}

// noticeLog is what the activity log keeps of an issued notice: enough to check a printed copy
// against the record.
type noticeLog struct {
	ID         string    `json:"id"`
	PetitionID string    `json:"petition_id"`
	Kind       string    `json:"kind"`
	Number     string    `json:"number"`
	SHA256     string    `json:"sha256"`
	Size       int       `json:"size"`
	IssuedAt   time.Time `json:"issued_at"`
}

func (n noticeRow) logged() noticeLog {
	return noticeLog{ID: n.ID, PetitionID: n.PetitionID, Kind: n.Kind, Number: n.Number, SHA256: n.SHA256, Size: n.Size, IssuedAt: n.IssuedAt}
}

// issueNotice issues the notice of the action of ev, if it issues one, for the petition as the
// action left it; dest is where a transfer went. The issuing office is the township that held
// the petition when the step was taken, the event's (for a transfer, the sending township);
// the notice is kept with it, and a transfer then moves it with the rest of the history.
func issueNotice(tx *store.Tx, row petitionRow, ev petitionEventRow, dest string, in ActionInput, p petition.Params) (*noticeRow, error) {
	kind, ok := noticeKinds[petition.Action(ev.Action)]
	if !ok {
		return nil, nil
	}
	office, err := townshipName(tx, ev.TownshipID)
	if err != nil {
		return nil, err
	}
	var last int
	if err := tx.Model(&noticeRow{}).Where("petition_id = ?", row.ID).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error; err != nil {
		return nil, err
	}
	seq := last + 1
	if seq > 99 {
		return nil, fmt.Errorf("petition %s has 99 notices already", row.ID)
	}
	f, err := noticeFacts(kind, row, tx, office, dest, in, p)
	if err != nil {
		return nil, err
	}
	f.Number = notice.NumberOf(row.TrackingCode, seq)
	pdf, err := notice.Render(f)
	if err != nil {
		return nil, fmt.Errorf("render the %s notice of petition %s: %w", kind, row.ID, err)
	}
	sum := sha256.Sum256(pdf)
	id := domain.NewID()
	n := noticeRow{ID: id, PetitionID: row.ID, TownshipID: ev.TownshipID, Kind: string(kind), Seq: seq,
		Number: f.Number, EventID: ev.ID, IssuedBy: ev.ActorID, IssuedAt: tx.Now, SHA256: hex.EncodeToString(sum[:]),
		Size: len(pdf), PDF: tx.Keys().SealBytes(pdf, noticeContext(id))}
	if err := tx.Create(&n).Error; err != nil {
		return nil, err
	}
	return &n, nil
}

// noticeFacts are the facts of the notice of kind for the petition as the action left it: the
// issuing office, the petitioner (nobody for an anonymous report), the subject, today's date,
// the decision the action gave, and what the petitioner may do next by which date, from the
// rules' deadlines and the settings' numbers of days.
func noticeFacts(kind notice.Kind, row petitionRow, tx *store.Tx, office, dest string, in ActionInput, p petition.Params) (notice.Facts, error) {
	f := notice.Facts{Kind: kind, TrackingCode: row.TrackingCode, Township: office, Subject: row.Subject,
		Received: notice.DateText(row.ReceivedOn), Date: notice.DateText(tx.Today()), NextStep: notice.StandardNextStep(kind)}
	if !row.Anonymous {
		// The name is sealed at rest (identity.go); the notice addresses the petitioner by it.
		name, _, err := row.identity(tx.Keys())
		if err != nil {
			return f, err
		}
		f.Petitioner = name
	}
	d := petition.DeadlinesOf(row.facts(), tx.Loc(), p)
	switch kind {
	case notice.Acceptance: // the accept note is the office's own: it is not printed
		f.NextBy = dateText(d.ReplyBy)
	case notice.NonAcceptance:
		f.Reason, f.TurnTo = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Guidance)
	case notice.Extension:
		f.Reason, f.NewDeadline, f.NextBy = strings.TrimSpace(in.Reason), dateText(d.ReplyBy), dateText(d.ReplyBy)
	case notice.Reply:
		f.Decision = strings.TrimSpace(in.Text)
		f.NextStep = fmt.Sprintf("如对本处理意见不服，可以自收到本意见书之日起%d日内请求复查", p.ReviewRequestDays)
		f.NextBy = dateText(d.ReviewRequestBy)
	case notice.Review:
		f.Decision = strings.TrimSpace(in.Opinion)
		f.NextStep = fmt.Sprintf("如对本复查意见不服，可以自收到本意见书之日起%d日内请求复核", p.RereviewRequestDays)
		f.NextBy = dateText(d.RereviewRequestBy)
	case notice.Rereview:
		f.Decision = strings.TrimSpace(in.Opinion)
	case notice.Transfer:
		f.Destination, f.Decision = dest, strings.TrimSpace(in.Reason)
		if row.TransferAgency == nil { // received anew in the district: its acceptance deadline
			whom := "你"
			if row.Anonymous {
				whom = "信访人"
			}
			f.NextStep = fmt.Sprintf("%s将自收到之日起%d日内决定是否受理并告知%s，办理进展仍可凭原查询码和密码查询", dest, p.AcceptDays, whom)
			f.NextBy = dateText(d.AcceptBy)
		} else {
			f.NextStep = fmt.Sprintf("请就该事项与%s联系", dest)
		}
	}
	return f, nil
}

// dateText writes a deadline as a notice prints it, or "" when there is none.
func dateText(d *civil.Date) string {
	if d == nil {
		return ""
	}
	return notice.DateText(*d)
}

// Notices lists the notices of a petition the actor may read, oldest first.
func (s *Service) Notices(ctx context.Context, a domain.Actor, petitionID string) (Notices, error) {
	tx := s.st.Reader(ctx)
	if _, err := loadVisible(tx, a, petitionID, false); err != nil {
		return Notices{}, err
	}
	return noticesOf(tx, petitionID)
}

func noticesOf(tx *store.Tx, petitionID string) (Notices, error) {
	var rows []noticeRow
	if err := tx.Select(noticeColumns).Where("petition_id = ?", petitionID).Order("seq").Find(&rows).Error; err != nil {
		return Notices{}, err
	}
	out := Notices{Items: make([]Notice, len(rows))}
	for i, n := range rows {
		out.Items[i] = n.view()
	}
	return out, nil
}

// NoticeFile answers the PDF of a notice, as it was issued, to whoever may read its petition
// (loadVisible: never an official it is about, never another township): a notice and a
// petition the actor may not know of answer as a missing notice. A notice that names the
// petitioner is for those who see the petitioner unmasked (access.ReadsNotice); others who
// read the petition are refused (403).
func (s *Service) NoticeFile(ctx context.Context, a domain.Actor, id string) (NoticeFile, error) {
	tx := s.st.Reader(ctx)
	n, err := noticeByID(tx, id)
	if err != nil {
		return NoticeFile{}, err
	}
	row, err := loadVisible(tx, a, n.PetitionID, false)
	if domain.IsKind(err, domain.KindNotFound) {
		return NoticeFile{}, domain.NotFound("notice")
	} else if err != nil {
		return NoticeFile{}, err
	}
	if !access.ReadsNotice(a, row.parties(), !row.Anonymous) {
		return NoticeFile{}, domain.Errorf(domain.KindForbidden, "petitioner_masked",
			"the notice names the petitioner, whom your role sees masked; it is for the petitioner, the petition officers, the handler and admins")
	}
	return noticeFile(tx, n)
}

// TrackedNotices lists the notices of the petition of a tracking code and PIN.
func (s *Service) TrackedNotices(ctx context.Context, cred Credentials, addr string) (Notices, error) {
	row, err := s.checkPIN(ctx, cred, addr)
	if err != nil {
		return Notices{}, err
	}
	return noticesOf(s.st.Reader(ctx), row.ID)
}

// TrackedNoticeFile answers the PDF of a notice of the petition of a tracking code and PIN. A
// wrong PIN, an unknown code, a notice of another petition and a missing one answer alike.
func (s *Service) TrackedNoticeFile(ctx context.Context, cred Credentials, addr, id string) (NoticeFile, error) {
	row, err := s.checkPIN(ctx, cred, addr)
	if domain.IsKind(err, domain.KindNotFound) {
		return NoticeFile{}, domain.NotFound("notice")
	} else if err != nil {
		return NoticeFile{}, err
	}
	tx := s.st.Reader(ctx)
	n, err := noticeByID(tx, id)
	if err != nil {
		return NoticeFile{}, err
	}
	if n.PetitionID != row.ID {
		return NoticeFile{}, domain.NotFound("notice")
	}
	return noticeFile(tx, n)
}

// noticeByID reads a notice without its bytes.
func noticeByID(tx *store.Tx, id string) (noticeRow, error) {
	var n noticeRow
	if !domain.ValidID(id) {
		return n, domain.NotFound("notice")
	}
	err := tx.Select(noticeColumns).First(&n, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return n, domain.NotFound("notice")
	}
	return n, err
}

// noticeFile reads the bytes of a notice, opens them and checks them against their SHA-256:
// bytes that no longer match what was issued are never served.
func noticeFile(tx *store.Tx, n noticeRow) (NoticeFile, error) {
	var stored []byte
	if err := tx.Model(&noticeRow{}).Where("id = ?", n.ID).Select("pdf").Row().Scan(&stored); err != nil {
		return NoticeFile{}, err
	}
	pdf, err := openNotice(tx.Keys(), n.ID, stored)
	if err != nil {
		return NoticeFile{}, fmt.Errorf("notice %s: %w", n.Number, err)
	}
	sum := sha256.Sum256(pdf)
	if hex.EncodeToString(sum[:]) != n.SHA256 {
		return NoticeFile{}, fmt.Errorf("notice %s: the stored bytes do not match the SHA-256 issued", n.Number)
	}
	return NoticeFile{Number: n.Number, SHA256: n.SHA256, PDF: pdf}, nil
}
