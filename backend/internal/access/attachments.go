package access

import "minxin/backend/internal/domain"

// Upload is an attachment as access decisions read it.
type Upload struct {
	UploadedBy *string // nil: a villager without an account
	TownshipID *string // the uploader's, until a record links it
	Linked     bool    // a record has linked it
	OfPetition bool    // a petition holds it
}

// DownloadAnswer says whether an actor may download an attachment.
type DownloadAnswer int

// Download answers.
const (
	DownloadRefused DownloadAnswer = iota
	DownloadAllowed
	// DownloadIfPetitionVisible: the attachment is a petition's, and is for those who may
	// know that petition exists (the Petitions scope).
	DownloadIfPetitionVisible
)

// Download decides who may download an attachment: "only people who may see the record may
// download it". Its uploader and admins always may. A petition's attachment is for those who
// may know the petition exists — never an official it is about, never an inspector. Any other
// attachment (of a field record, of an audit) is for the officials, petition officers and
// inspectors whose scope holds its township.
func Download(a domain.Actor, x Upload) DownloadAnswer {
	if a.UserID != "" && x.UploadedBy != nil && *x.UploadedBy == a.UserID || a.Role == domain.RoleAdmin {
		return DownloadAllowed
	}
	if x.OfPetition {
		if a.Role == domain.RoleInspector {
			return DownloadRefused
		}
		return DownloadIfPetitionVisible
	}
	switch a.Role {
	case domain.RoleOfficial, domain.RolePetitionOfficer, domain.RoleInspector:
		if x.TownshipID != nil && a.InScope(*x.TownshipID) {
			return DownloadAllowed
		}
	}
	return DownloadRefused
}

// MayLink reports whether the actor may attach an upload to a record it writes: only what it
// uploaded itself. A villager without an account (the zero Actor) may link only uploads
// without an account that no record has linked yet, so an anonymous upload is claimed once
// and can never be pulled into another record.
func MayLink(a domain.Actor, x Upload) bool {
	if a.UserID == "" {
		return x.UploadedBy == nil && !x.Linked
	}
	return x.UploadedBy != nil && *x.UploadedBy == a.UserID
}
