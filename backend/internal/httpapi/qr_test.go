package httpapi_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"testing"

	"github.com/skip2/go-qrcode"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/qrtoken"
)

func TestHouseholdQR(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town, other := env.Township("甲镇", 30, 120), env.Township("乙镇", 31, 121)
		v := env.Village(town, "甲村", 30.01, 120.01)
		home, neighbour := env.Household(v, "张三"), env.Household(v, "李四")
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		path := "/api/v1/households/" + home.ID + "/qr"

		r := env.Get(path, admin)
		if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "private, no-store" {
			t.Fatalf("admin: %d %s", r.Status, r.Body)
		}
		var qr struct {
			HouseholdID string `json:"household_id"`
			Token       string `json:"token"`
		}
		r.JSON(t, &qr)
		if qr.HouseholdID != home.ID {
			t.Fatalf("household_id %q", qr.HouseholdID)
		}

		// The token is the server's: it verifies under the key derived from the JWT secret,
		// for this household only; an altered one does not verify at all.
		key := qrtoken.NewKey(env.Secret)
		if err := key.Verify(qr.Token, home.ID); err != nil {
			t.Errorf("the served token does not verify: %v", err)
		}
		if e, _ := domain.AsError(key.Verify(qr.Token, neighbour.ID)); e == nil || e.Code != "qr_wrong_household" {
			t.Errorf("the token verifies for another household: %v", e)
		}
		tagAt := len(qr.Token) - 43
		swap := map[byte]string{'A': "B"}[qr.Token[tagAt]]
		if swap == "" {
			swap = "A"
		}
		forged := qr.Token[:tagAt] + swap + qr.Token[tagAt+1:]
		if e, _ := domain.AsError(key.Verify(forged, home.ID)); e == nil || e.Code != "qr_invalid" {
			t.Errorf("a forged token verifies: %v", e)
		}

		// Petition officers get the same token; it never changes.
		for _, u := range []domain.User{
			env.User(domain.RolePetitionOfficer, town.ID),
			env.User(domain.RolePetitionOfficer, ""),
		} {
			r := env.Get(path, env.Token(u))
			if r.Status != http.StatusOK || r.Map(t)["token"] != qr.Token {
				t.Errorf("%s of %v: %d %s", u.Role, u.TownshipID, r.Status, r.Body)
			}
		}
		if other := env.Get("/api/v1/households/"+neighbour.ID+"/qr", admin).Map(t)["token"]; other == qr.Token {
			t.Error("two households share a token")
		}

		refusals := []struct {
			name, path string
			user       domain.User
			status     int
		}{

			{"another township's officer", path, env.User(domain.RolePetitionOfficer, other.ID), 404},
			{"an official", path, env.User(domain.RoleOfficial, town.ID, "team_member"), 403},
			{"the township's lead", path, env.User(domain.RoleOfficial, town.ID, "team_member", "lead"), 403},
			{"inspector", path, env.User(domain.RoleInspector, ""), 403},
			{"villager", path, env.User(domain.RoleVillager, ""), 403},
			{"missing household", "/api/v1/households/" + domain.NewID() + "/qr", env.User(domain.RoleAdmin, ""), 404},
			{"unknown format", path + "?format=svg", env.User(domain.RoleAdmin, ""), 422},
		}
		for _, c := range refusals {
			if r := env.Get(c.path, env.Token(c.user)); r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
			}
		}
		if r := env.Get(path, ""); r.Status != http.StatusUnauthorized {
			t.Errorf("without a token: %d", r.Status)
		}

		// The PNG is the QR code of that token.
		p := env.Get(path+"?format=png", admin)
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("png: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(p.Body))
		if err != nil {
			t.Fatalf("the PNG does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
			t.Errorf("PNG size %v", b)
		}
		want, err := qrcode.Encode(qr.Token, qrcode.Medium, 512)
		if err != nil || !bytes.Equal(p.Body, want) {
			t.Errorf("the PNG is not the QR code of the token (%v)", err)
		}

		// Every token handed out is in the activity log: the admin's, two officers' and the PNG.
		entries, err := env.Store.ActivityFor(context.Background(), "household", home.ID)
		issued := 0
		for _, e := range entries {
			if e.Action == "issue_qr" {
				issued++
			}
		}
		if err != nil || issued != 4 {
			t.Errorf("issue_qr entries: %d (%v), want 4", issued, err)
		}
	})
}
