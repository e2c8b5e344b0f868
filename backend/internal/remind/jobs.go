package remind

import (
	"time"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/rules/remind"
	"minxin/backend/internal/store"
)

// lastDay is the last day of a deadline that passes at instant due (the end of that day).
func lastDay(due time.Time, loc *time.Location) civil.Date {
	return civil.Of(due.Add(-time.Nanosecond), loc)
}

// notAbout keeps out of a query on a table with a petition column the rows whose petition
// names the official in the official column: nobody is told of a petition about them.
func notAbout(petition, official string) string {
	return "NOT EXISTS (SELECT 1 FROM petition_about pa WHERE pa.petition_id = " + petition + " AND pa.official_id = " + official + ")"
}

// visitsDue tells each responsible official of the open must-visits (六必访) due within
// the window, and again once overdue.
func visitsDue(tx *store.Tx) ([]event, error) {
	var rows []struct {
		ID, ResponsibleID, HeadName string
		DueAt                       time.Time
	}
	err := tx.Table("visit_triggers t").Joins("JOIN households h ON h.id = t.household_id").
		Select("t.id, t.responsible_id, h.head_name, t.due_at").
		Where("t.closed_at IS NULL AND t.responsible_id IS NOT NULL AND t.due_at <= ?", tx.Now.Add(remind.Window)).
		Where("t.petition_id IS NULL OR " + notAbout("t.petition_id", "t.responsible_id")).Scan(&rows).Error
	var out []event
	for _, r := range rows {
		stage := remind.StageAt(r.DueAt, tx.Now)
		out = append(out, event{userID: r.ResponsibleID, kind: remind.VisitDue, key: remind.Key(remind.VisitDue, r.ID, stage),
			link: "/official/visit?trigger=" + r.ID, msg: remind.VisitMessage(stage, r.HeadName, lastDay(r.DueAt, tx.Loc()))})
	}
	return out, err
}

// teamToTell lists the team members not yet told under key.
func teamToTell(tx *store.Tx, key string) ([]domain.User, error) {
	var us []domain.User
	err := tx.Where("role = ? AND team_member = ? AND township_id IS NOT NULL", domain.RoleOfficial, true).
		Where("NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = users.id AND n.event_key = ?)", key).
		Order("id").Find(&us).Error
	return us, err
}

// nightsShort tells, from Friday noon, each team member short of the week's nights (住夜);
// a week on leave is exempt.
func nightsShort(tx *store.Tx) ([]event, error) {
	monday, tell := remind.NightsWeekToTell(tx.Now, tx.Loc())
	if !tell {
		return nil, nil
	}
	key := remind.Key(remind.NightsShort, monday.ISOWeek())
	members, err := teamToTell(tx, key)
	if err != nil || len(members) == 0 {
		return nil, err
	}
	p, err := duties.Params(tx, monday)
	if err != nil {
		return nil, err
	}
	var out []event
	for _, m := range members {
		w, err := duties.WeekNights(tx.DB, m.ID, monday, p)
		if err != nil {
			return nil, err
		}
		if w.Status == duty.StatusShort {
			out = append(out, event{userID: m.ID, kind: remind.NightsShort, key: key, link: "/home",
				msg: remind.NightsMessage(w.Week, w.Counted, w.Required)})
		}
	}
	return out, nil
}

// stationingBehind tells, once a month from its 1st, each team member whose stationing (下村
// 蹲点) was behind the pace on the 1st.
func stationingBehind(tx *store.Tx) ([]event, error) {
	first := remind.StationingMonth(tx.Now, tx.Loc())
	key := remind.Key(remind.StationingBehind, first.String()[:7])
	members, err := teamToTell(tx, key)
	if err != nil || len(members) == 0 {
		return nil, err
	}
	p, err := duties.Params(tx, first)
	if err != nil {
		return nil, err
	}
	var out []event
	for _, m := range members {
		st, err := duties.StationingPace(tx.DB, m, first, p)
		if err != nil {
			return nil, err
		}
		if st.Status == duty.StatusBehind {
			out = append(out, event{userID: m.ID, kind: remind.StationingBehind, key: key, link: "/home",
				msg: remind.StationingMessage(st.CountedDays, st.ExpectedToDate, st.RequiredDays)})
		}
	}
	return out, nil
}

// petitionDeadlines tells the township's petition officers and the handler of a petition
// whose next step is due within the window, and the township's lead too once it is overdue;
// never an official the petition names.
func petitionDeadlines(tx *store.Tx) ([]event, error) {
	var rows []struct {
		ID, TownshipID, TrackingCode, UserID string
		DueAt                                time.Time
	}
	// Each petition joined with every possible recipient; the lead only once overdue.
	err := tx.Table("petitions p").Joins(`JOIN users u ON u.township_id = p.township_id AND (u.role = ? OR (u.role = ? AND u.lead = ? AND p.due_at <= ?))
		OR u.id = p.handler_id`, domain.RolePetitionOfficer, domain.RoleOfficial, true, tx.Now).
		Select("p.id, p.township_id, p.tracking_code, u.id AS user_id, p.due_at").
		Where("p.due_at IS NOT NULL AND p.due_at <= ?", tx.Now.Add(remind.Window)).
		Where(notAbout("p.id", "u.id")).Order("p.id, u.id").Scan(&rows).Error
	var out []event
	for _, r := range rows {
		stage := remind.StageAt(r.DueAt, tx.Now)
		out = append(out, event{userID: r.UserID, kind: remind.PetitionDeadline,
			key: remind.Key(remind.PetitionDeadline, r.ID, r.DueAt.Unix(), stage), link: "/casework/petitions/" + r.ID,
			msg: remind.PetitionMessage(stage, r.TrackingCode, lastDay(r.DueAt, tx.Loc()))})
	}
	return out, err
}

// findingsOpen tells each official of the audit findings that await their explanation.
func findingsOpen(tx *store.Tx) ([]event, error) {
	var rows []struct {
		ID, OfficialID   string
		ExplanationDueOn *civil.Date
	}
	err := tx.Table("audit_findings").Select("id, official_id, explanation_due_on").
		Where("result = ? AND explanation IS NULL AND resolution IS NULL", "discrepancy").Scan(&rows).Error
	var out []event
	for _, r := range rows {
		out = append(out, event{userID: r.OfficialID, kind: remind.FindingOpen, key: remind.Key(remind.FindingOpen, r.ID),
			link: "/home", msg: remind.FindingMessage(r.ExplanationDueOn)})
	}
	return out, err
}

// supervised tells the township's petition officers and the handler of each open
// supervision instruction (督办); never an official the petition names.
func supervised(tx *store.Tx) ([]event, error) {
	var rows []struct {
		ID, PetitionID, TrackingCode, UserID string
		ActBy                                civil.Date
	}
	err := tx.Table("petition_supervisions s").Joins("JOIN petitions p ON p.id = s.petition_id").
		Joins("JOIN users u ON (u.township_id = p.township_id AND u.role = ?) OR u.id = p.handler_id", domain.RolePetitionOfficer).
		Select("s.id, s.petition_id, p.tracking_code, u.id AS user_id, s.act_by").
		Where("s.answered_at IS NULL").Where(notAbout("p.id", "u.id")).Order("s.id, u.id").Scan(&rows).Error
	var out []event
	for _, r := range rows {
		out = append(out, event{userID: r.UserID, kind: remind.Supervised, key: remind.Key(remind.Supervised, r.ID),
			link: "/casework/petitions/" + r.PetitionID, msg: remind.SupervisionMessage(r.TrackingCode, r.ActBy)})
	}
	return out, err
}
