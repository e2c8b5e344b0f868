// Package demo loads a demo district into an empty database: two townships with villages and
// households, officials with a few weeks of field records, petitions in every state, and the
// logins to try them with. Records are written through the store, as the API writes them.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"minxin/backend/internal/app"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/store"
)

// Password is the password of every demo login.
const Password = "minxin-demo-2026"

// Login is one demo account.
type Login struct {
	Username, Role, Township, Note string
}

type township struct {
	name     string
	lat, lng float64
	villages []string
	prefix   string
}

var townships = []township{
	{"青山镇", 30.2741, 120.1551, []string{"青山村", "竹溪村", "石桥村"}, "qs"},
	{"绿水乡", 30.3400, 120.3100, []string{"绿水村", "桃园村", "柳岸社区"}, "ls"},
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
var given = []string{"建国", "秀英", "海燕", "志强", "桂兰", "国华", "丽娟", "明", "芳", "伟"}

// Load fills an empty database and returns the demo logins. now is the present; records are
// spread over the weeks before it.
func Load(ctx context.Context, svc *app.Services, now time.Time) ([]Login, error) {
	st := svc.Store
	if n, err := svc.Organisation.UserCount(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, errors.New("the database already has users: the demo loads only into an empty database")
	}
	defer st.SetClock(time.Now)
	st.SetClock(func() time.Time { return now })
	rng := rand.New(rand.NewPCG(2026, 11))
	system := domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin}
	var logins []Login
	user := func(u domain.User, note string) (domain.User, error) {
		created, err := svc.Organisation.CreateUser(ctx, store.SystemActor, organisation.NewUser{User: u, Password: Password})
		if err == nil {
			town := ""
			if u.TownshipID != nil {
				town = *u.TownshipID
			}
			logins = append(logins, Login{Username: u.Username, Role: string(u.Role), Township: town, Note: note})
		}
		return created, err
	}
	if _, err := user(domain.User{Username: "admin", DisplayName: "区管理员", Role: domain.RoleAdmin}, "district administrator"); err != nil {
		return nil, err
	}
	if _, err := user(domain.User{Username: "inspector", DisplayName: "组织部 周督查", Role: domain.RoleInspector}, "organization department"); err != nil {
		return nil, err
	}
	if _, err := user(domain.User{Username: "xinfang", DisplayName: "区信访办 何主任", Role: domain.RolePetitionOfficer}, "district petition office"); err != nil {
		return nil, err
	}
	today := civil.Of(now, st.Location())
	for ti, t := range townships {
		name, lat, lng := t.name, t.lat, t.lng
		town, err := svc.Organisation.CreateTownship(ctx, system, organisation.TownshipInput{Name: &name, Lat: &lat, Lng: &lng})
		if err != nil {
			return nil, err
		}
		var villages []domain.Village
		for vi, vn := range t.villages {
			vname, vlat, vlng := vn, lat+0.02*float64(vi+1), lng+0.015*float64(vi)
			v, err := svc.Organisation.CreateVillage(ctx, system, organisation.VillageInput{TownshipID: &town.ID, Name: &vname, Lat: &vlat, Lng: &vlng})
			if err != nil {
				return nil, err
			}
			villages = append(villages, v)
		}
		var team []domain.User
		for i := 0; i < 4; i++ {
			u := domain.User{Username: fmt.Sprintf("%s-official%d", t.prefix, i+1), Role: domain.RoleOfficial, TownshipID: &town.ID,
				TeamMember: true, Lead: i == 0, DisplayName: string(surnames[(ti*4+i)%len(surnames)]) + given[(ti*4+i)%len(given)]}
			note := "team member"
			if i == 0 {
				note = "township lead (主要领导), team member"
			}
			created, err := user(u, note)
			if err != nil {
				return nil, err
			}
			team = append(team, created)
		}
		if _, err := user(domain.User{Username: t.prefix + "-xinfang", DisplayName: town.Name + "信访员", Role: domain.RolePetitionOfficer, TownshipID: &town.ID}, "township petition officer"); err != nil {
			return nil, err
		}
		lead := team[0].Actor()
		for i, m := range team[1:] {
			if _, err := svc.Duties.PutContactLink(ctx, lead, m.ID, duties.ContactLinkInput{VillageID: villages[i%len(villages)].ID}); err != nil {
				return nil, err
			}
		}
		var households []domain.Household
		for vi, v := range villages {
			for h := 0; h < 12; h++ {
				head := string(surnames[rng.IntN(len(surnames))]) + given[rng.IntN(len(given))]
				addr := fmt.Sprintf("%s%d组%d号", v.Name, h/4+1, h+1)
				phone := fmt.Sprintf("13%d%08d", 5+ti, vi*100+h)
				contact := team[1+vi%3].ID
				hh, err := svc.Organisation.CreateHousehold(ctx, lead, organisation.HouseholdInput{VillageID: &v.ID, HeadName: &head, Address: &addr, Phone: &phone, ContactOfficialID: &contact})
				if err != nil {
					return nil, err
				}
				households = append(households, hh)
			}
		}
		if err := fieldRecords(ctx, svc, rng, today, town, villages, households, team); err != nil {
			return nil, err
		}
	}
	if err := LoadPetitions(ctx, svc, now); err != nil {
		return nil, err
	}
	return logins, nil
}

// fieldRecords writes four weeks of records: the rota and its check-ins, overnight stays,
// stationing sessions, must-visit triggers and visits, talk days.
func fieldRecords(ctx context.Context, svc *app.Services, rng *rand.Rand, today civil.Date, town domain.Township,
	villages []domain.Village, households []domain.Household, team []domain.User) error {
	st, loc := svc.Store, svc.Store.Location()
	at := func(d civil.Date, hour, minute int) time.Time {
		return d.Start(loc).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	// Each record is written as if synced ten minutes after it happened.
	write := func(occurred time.Time, fn func() error) error {
		st.SetClock(func() time.Time { return occurred.Add(10 * time.Minute) })
		return fn()
	}
	ev := func(t time.Time, lat, lng float64) domain.EvidenceInput {
		acc := 10 + rng.Float64()*40
		la, ln := lat+(rng.Float64()-0.5)*0.004, lng+(rng.Float64()-0.5)*0.004
		return domain.EvidenceInput{OccurredAt: &t, Lat: &la, Lng: &ln, AccuracyM: &acc}
	}
	start := today.AddDays(-28)
	officer := domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin}
	days, err := svc.Duties.GenerateReceptionDays(ctx, officer, duties.RotaInput{TownshipID: town.ID, From: start, To: today.AddDays(14)})
	if err != nil {
		return err
	}
	byID := map[string]domain.User{}
	for _, m := range team {
		byID[m.ID] = m
	}
	for _, d := range days {
		if d.OfficialID == nil || !d.Date.Before(today) || rng.IntN(10) == 0 {
			continue // today and later are still to come; one day in ten is missed
		}
		t := at(d.Date, 8, 20+rng.IntN(70))
		a := byID[*d.OfficialID].Actor()
		if err := write(t, func() error {
			_, err := svc.Duties.CheckinReception(ctx, a, d.ID, duties.CheckoutInput{Evidence: ev(t, town.Lat, town.Lng)})
			return err
		}); err != nil {
			return err
		}
	}
	for wi, m := range team {
		a := m.Actor()
		for d := start; d.Before(today); d = d.AddDays(1) {
			wd := d.Weekday()
			// Nights on Tuesdays and Thursdays; the last member keeps only one a week.
			if wd == time.Tuesday || (wd == time.Thursday && wi != len(team)-1) {
				in, out := at(d, 19, rng.IntN(50)), at(d.AddDays(1), 6, rng.IntN(50))
				id := domain.NewID()
				if err := write(in, func() error {
					_, err := svc.Duties.CreateOvernightStay(ctx, a, duties.StayInput{ID: id, Checkin: ev(in, town.Lat, town.Lng)})
					return err
				}); err != nil {
					return err
				}
				if err := write(out, func() error {
					_, err := svc.Duties.CheckoutOvernightStay(ctx, a, id, duties.CheckoutInput{Evidence: ev(out, town.Lat, town.Lng)})
					return err
				}); err != nil {
					return err
				}
			}
			// Stationing on Mondays, Wednesdays and Fridays in the member's village.
			if wd == time.Monday || wd == time.Wednesday || wd == time.Friday {
				v := villages[wi%len(villages)]
				in, out := at(d, 8, rng.IntN(30)), at(d, 12+rng.IntN(5), rng.IntN(60))
				id := domain.NewID()
				if err := write(in, func() error {
					_, err := svc.Duties.CreateStationing(ctx, a, duties.StationingInput{ID: id, VillageID: v.ID, Checkin: ev(in, v.Lat, v.Lng)})
					return err
				}); err != nil {
					return err
				}
				if err := write(out, func() error {
					_, err := svc.Duties.CheckoutStationing(ctx, a, id, duties.CheckoutInput{Evidence: ev(out, v.Lat, v.Lng)})
					return err
				}); err != nil {
					return err
				}
			}
		}
	}
	categories := []string{"illness", "bereavement", "hardship", "dispute", "disaster"}
	for i := 0; i < 8; i++ {
		h := households[rng.IntN(len(households))]
		on := today.AddDays(-2 - rng.IntN(20))
		recorder := team[1+i%3].Actor()
		var trigger domain.VisitTrigger
		if err := write(at(on, 10, 0), func() error {
			var err error
			trigger, err = svc.Duties.CreateTrigger(ctx, recorder, duties.TriggerInput{ID: domain.NewID(), HouseholdID: h.ID, Category: categories[i%len(categories)], OccurredOn: on, Note: "村民反映"})
			return err
		}); err != nil {
			return err
		}
		if i%3 == 2 || trigger.ResponsibleID == nil {
			continue // left open: some of these are overdue by now
		}
		visitor := byID[*trigger.ResponsibleID].Actor()
		v := villageOf(villages, h.VillageID)
		t := at(on.AddDays(1+rng.IntN(9)), 15, 0)
		if !t.Before(at(today, 0, 0)) {
			continue
		}
		if err := write(t, func() error {
			_, err := svc.Duties.CreateVisit(ctx, visitor, duties.VisitInput{ID: domain.NewID(), HouseholdID: h.ID, Category: trigger.Category,
				Notes: "已上门了解情况", FollowUp: "两周后回访", Evidence: ev(t, v.Lat, v.Lng)})
			return err
		}); err != nil {
			return err
		}
	}
	for mi := 0; mi < 3; mi++ {
		month := civil.New(today.Year, today.Month-time.Month(mi), 15)
		if !month.Before(today) {
			continue
		}
		for _, v := range villages {
			if err := write(at(month, 19, 0), func() error {
				_, err := svc.Duties.CreateTalkDay(ctx, team[0].Actor(), duties.TalkDayInput{ID: domain.NewID(), VillageID: v.ID, HeldOn: month,
					Attendance: 20 + rng.IntN(40), Issues: []string{"村道路灯损坏", "灌溉水渠需清淤"}})
				return err
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func villageOf(vs []domain.Village, id string) domain.Village {
	for _, v := range vs {
		if v.ID == id {
			return v
		}
	}
	panic("household of an unknown village")
}
