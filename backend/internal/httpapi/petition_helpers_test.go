package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// The figures export answers a spreadsheet, which the OpenAPI validator reads as a file.
func init() {
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", openapi3filter.FileBodyDecoder)
}

// petitionWorld is a district of two townships with everyone who deals with petitions.
type petitionWorld struct {
	env                      *apitest.Env
	town, other              domain.Township
	village                  domain.Village
	household                domain.Household
	admin, officer, district domain.User
	handler, official, about domain.User
	lead, otherOfficial      domain.User
	otherOfficer, inspector  domain.User
	villager, otherVillager  domain.User
}

func newPetitionWorld(t *testing.T, env *apitest.Env) *petitionWorld {
	w := &petitionWorld{env: env}
	w.town, w.other = env.Township("甲镇", 30, 120), env.Township("乙镇", 31, 121)
	w.village = env.Village(w.town, "甲村", 30.01, 120.01)
	w.household = env.Household(w.village, "张三")
	w.admin = env.User(domain.RoleAdmin, "")
	w.officer = env.User(domain.RolePetitionOfficer, w.town.ID)
	w.district = env.User(domain.RolePetitionOfficer, "")
	w.handler = env.User(domain.RoleOfficial, w.town.ID, "team_member")
	w.official = env.User(domain.RoleOfficial, w.town.ID, "team_member")
	w.about = env.User(domain.RoleOfficial, w.town.ID, "team_member", "lead")
	w.lead = env.User(domain.RoleOfficial, w.town.ID, "team_member", "lead")
	w.otherOfficial = env.User(domain.RoleOfficial, w.other.ID, "team_member", "lead")
	w.otherOfficer = env.User(domain.RolePetitionOfficer, w.other.ID)
	w.inspector = env.User(domain.RoleInspector, "")
	w.villager = env.User(domain.RoleVillager, "")
	w.otherVillager = env.User(domain.RoleVillager, "")
	return w
}

// tok issues a token at the clock's current time: tests move the clock by weeks.
func (w *petitionWorld) tok(u domain.User) string { return w.env.Token(u) }

// sent is a submitted petition with the credentials its petitioner holds.
type sent struct {
	ID, Code, PIN string
}

func (w *petitionWorld) letter(t *testing.T, extra map[string]any) sent {
	t.Helper()
	body := map[string]any{
		"channel": "letter", "township_id": w.town.ID, "category": "land",
		"subject": "宅基地补偿款未到位", "text": "我家宅基地去年被征用，补偿款至今没有发放，请求核查。",
		"petitioner": map[string]any{"name": "张三", "phone": "13812341234"},
	}
	for k, v := range extra {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return w.submit(t, w.tok(w.officer), body)
}

func (w *petitionWorld) submit(t *testing.T, token string, body map[string]any) sent {
	t.Helper()
	r := w.env.Post("/api/v1/petitions", token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	return sent{ID: m["id"].(string), Code: m["tracking_code"].(string), PIN: m["pin"].(string)}
}

// step takes an action and fails the test unless it succeeds.
func (w *petitionWorld) step(t *testing.T, p sent, action string, as *domain.User, body map[string]any) map[string]any {
	t.Helper()
	r := w.act(p, action, as, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", action, r.Status, r.Body)
	}
	return r.Map(t)
}

// act takes an action as a user, or as the petitioner with code and PIN when as is nil.
func (w *petitionWorld) act(p sent, action string, as *domain.User, body map[string]any) apitest.Response {
	w.env.T.Helper()
	b := map[string]any{}
	for k, v := range body {
		b[k] = v
	}
	token := ""
	if as == nil {
		b["tracking_code"], b["pin"] = p.Code, p.PIN
	} else {
		token = w.tok(*as)
	}
	return w.env.Post("/api/v1/petitions/"+p.ID+"/"+action, token, b)
}

// bodies are valid bodies of each action.
func (w *petitionWorld) bodies() map[string]map[string]any {
	return map[string]map[string]any{
		"accept":           {"note": "材料齐全"},
		"reject":           {"reason": "不属于本机关职权范围", "guidance": "请向区人民法院起诉"},
		"assign":           {"handler_id": w.handler.ID},
		"extend":           {"days": 30, "reason": "需要实地测量"},
		"reply":            {"text": "经核查，补偿款已于本月拨付。"},
		"feedback":         {"rating": "satisfied"},
		"request-review":   {"reason": "补偿标准偏低"},
		"review":           {"opinion": "维持原答复意见"},
		"request-rereview": {"reason": "仍然不服"},
		"rereview":         {"opinion": "维持复查意见"},
		"withdraw":         {"reason": "问题已经解决"},
	}
}

// reach takes a new letter petition to the state, through the API.
func (w *petitionWorld) reach(t *testing.T, state string) sent {
	t.Helper()
	p := w.letter(t, nil)
	b := w.bodies()
	path := map[string][]string{
		"submitted":          {},
		"accepted":           {"accept"},
		"not_accepted":       {"reject"},
		"assigned":           {"accept", "assign"},
		"replied":            {"accept", "assign", "reply"},
		"review_requested":   {"accept", "assign", "reply", "request-review"},
		"reviewed":           {"accept", "assign", "reply", "request-review", "review"},
		"rereview_requested": {"accept", "assign", "reply", "request-review", "review", "request-rereview"},
		"rereviewed":         {"accept", "assign", "reply", "request-review", "review", "request-rereview", "rereview"},
		"withdrawn":          {"withdraw"},
	}[state]
	for _, action := range path {
		w.step(t, p, action, w.actorOf(action, ""), b[action])
	}
	return p
}

// actorOf is who naturally takes an action on a petition in a state: the township's petition
// officer, the handler for the reply to an assigned petition, the petitioner (nil: code and
// PIN) for the petitioner's actions. An empty state means the path of reach.
func (w *petitionWorld) actorOf(action, state string) *domain.User {
	switch {
	case action == "reply" && (state == "" || state == "assigned"):
		return &w.handler
	case action == "feedback", action == "request-review", action == "request-rereview", action == "withdraw":
		return nil
	}
	return &w.officer
}

// at is a wall-clock time in Shanghai.
func at(env *apitest.Env, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, env.Loc)
}
