package petitions

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Transfer (转送, §7): a petition that is not the township's to handle goes, within its
// acceptance window, to another township of the district — with its whole history, received
// there anew, the sending township no longer seeing it — or to an outside body of the setting
// petition.agencies, where it is transferred, final here. The rules decide whether it may
// (petition.Decide); transition writes it, its notice (转送告知书) and its log entries.

// destination is where a transfer goes: a township of the district, or an outside body.
type destination struct {
	townshipID string // "" for an outside body
	name       string // the township's name or the body's, as the notice and tracking show it
}

// destinationOf checks the destination the rules accepted against the database: a township
// that does not exist answers as a field error, exactly as for any id the caller may not use.
func destinationOf(tx *store.Tx, in petition.Input) (destination, error) {
	if in.ToAgency != "" {
		return destination{name: in.ToAgency}, nil
	}
	bad := domain.InvalidField("to_township_id", "must be the id of a township of the district")
	if !domain.ValidID(in.ToTownshipID) {
		return destination{}, bad
	}
	var t domain.Township
	err := tx.Select("id, name").First(&t, "id = ?", in.ToTownshipID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return destination{}, bad
	}
	return destination{townshipID: t.ID, name: t.Name}, err
}

// apply writes the transfer into the row and its event: the date, and where it went. To a
// township the petition changes hands (its history follows in moveHistory); to an outside
// body it is finished here.
func (d destination) apply(row *petitionRow, ev *petitionEventRow, today civil.Date, now time.Time) {
	row.TransferredOn, ev.Text = &today, d.name
	if d.townshipID == "" {
		row.TransferAgency, row.FinishedAt = &d.name, &now
		return
	}
	from := row.TownshipID
	row.TransferredFrom, row.TownshipID = &from, d.townshipID
}

// historyTables are the tables of a petition's history, each carrying the township that holds
// the petition.
var historyTables = []string{"petition_events", "petition_about", "petition_attachments", "petition_notices", "petition_supervisions"}

// moveHistory moves a transferred petition's history to its new township: its events, the
// officials it is about, its attachments (the links and the uploads themselves, so that the
// new township's staff may download them), its notices and supervision instructions. It
// answers the attachments moved, for the log.
func moveHistory(tx *store.Tx, petitionID, to string) ([]string, error) {
	for _, table := range historyTables {
		if err := tx.Exec("UPDATE "+table+" SET township_id = ? WHERE petition_id = ?", to, petitionID).Error; err != nil {
			return nil, err
		}
	}
	moved := []string{}
	if err := tx.Model(&petitionAttachment{}).Where("petition_id = ?", petitionID).Order("attachment_id").Pluck("attachment_id", &moved).Error; err != nil {
		return nil, err
	}
	if len(moved) > 0 {
		if err := tx.Exec("UPDATE attachments SET township_id = ? WHERE id IN ?", to, moved).Error; err != nil {
			return nil, err
		}
	}
	return moved, nil
}

// transferLog is what the activity log keeps of a transfer to another township: the petition
// after it, and the uploads that moved with it.
type transferLog struct {
	Petition      petitionRow `json:"petition"`
	AttachmentIDs []string    `json:"moved_attachment_ids"`
}

// agenciesOn reads the outside bodies in force today (petition.agencies).
func agenciesOn(tx *store.Tx) ([]string, error) {
	st, err := tx.SettingsOn(tx.Today())
	if err != nil {
		return nil, err
	}
	return st.Names("petition.agencies"), nil
}

// townshipName is the name of a township, as a notice prints its issuing office.
func townshipName(tx *store.Tx, id string) (string, error) {
	var t domain.Township
	err := tx.Select("id, name").First(&t, "id = ?", id).Error
	return t.Name, err
}

// TrackedTransfer is where a transferred petition went, as tracking shows it.
type TrackedTransfer struct {
	Kind string     `json:"kind"` // "township" (of the district) or "agency" (an outside body)
	To   string     `json:"to"`   // the township's name or the body's
	On   civil.Date `json:"on"`
}

// trackedTransfer answers where the petition went, or nil when it was never transferred.
func trackedTransfer(tx *store.Tx, row petitionRow) (*TrackedTransfer, error) {
	switch {
	case row.TransferredOn == nil:
		return nil, nil
	case row.TransferAgency != nil:
		return &TrackedTransfer{Kind: "agency", To: *row.TransferAgency, On: *row.TransferredOn}, nil
	}
	name, err := townshipName(tx, row.TownshipID)
	return &TrackedTransfer{Kind: "township", To: name, On: *row.TransferredOn}, err
}
