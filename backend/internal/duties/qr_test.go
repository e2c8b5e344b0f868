package duties_test

import (
	"context"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/store"
)

func TestCheckVisitQR(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		v := env.Village(town, "甲村", 30.01, 120.01)
		home, neighbour := env.Household(v, "张三"), env.Household(v, "李四")
		admin := domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin}
		qr, err := env.App.Organisation.IssueHouseholdQR(ctx, admin, home.ID)
		if err != nil {
			t.Fatal(err)
		}
		other, err := env.App.Organisation.IssueHouseholdQR(ctx, admin, neighbour.ID)
		if err != nil {
			t.Fatal(err)
		}
		empty, garbled := "", "v1."+home.ID+".not-a-tag"
		cases := []struct {
			name     string
			token    *string
			verified bool
			code     string
		}{
			{"no token", nil, false, ""},
			{"empty token", &empty, false, ""},
			{"the household's token", &qr.Token, true, ""},
			{"another household's token", &other.Token, false, "qr_wrong_household"},
			{"a garbled token", &garbled, false, "qr_invalid"},
		}
		for _, c := range cases {
			verified, err := env.App.Duties.CheckVisitQR(c.token, home.ID)
			e, _ := domain.AsError(err)
			switch {
			case c.code == "" && (err != nil || verified != c.verified):
				t.Errorf("%s: %v %v, want %v", c.name, verified, err, c.verified)
			case c.code != "" && (e == nil || e.Code != c.code || e.Kind != domain.KindInvalid || e.Fields[0].Field != "evidence.qr_token"):
				t.Errorf("%s: %v, want 422 %s on evidence.qr_token", c.name, err, c.code)
			}
		}
	})
}

func TestQRNeedsAKey(t *testing.T) {
	st, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	token := "v1." + domain.NewID() + ".x"
	if _, err := duties.New(st, nil).CheckVisitQR(&token, domain.NewID()); !domain.IsKind(err, domain.KindInternal) {
		t.Errorf("a service without a QR key checked a token: %v", err)
	}
}
