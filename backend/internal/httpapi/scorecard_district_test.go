package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// The district view (全区一张表): without township_id the scorecard covers every township in
// the reader's scope, as JSON, a workbook (a summary sheet, then a sheet per township) and a
// CSV with a township column; bad periods get the township call's errors.
func TestDistrictScorecard(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		var towns []domain.Township
		for _, name := range []string{"乙镇", "甲镇", "丙镇"} {
			town := env.Township(name, 30, 120)
			env.Village(town, name+"村", 30.01, 120)
			env.User(domain.RoleOfficial, town.ID, "team_member")
			env.User(domain.RoleOfficial, town.ID, "team_member")
			towns = append(towns, town)
		}
		lead := env.Token(env.User(domain.RoleOfficial, towns[1].ID, "team_member", "lead"))
		inspector := env.Token(env.User(domain.RoleInspector, ""))
		today := env.Store.Today()
		period := "from=" + today.AddDays(-30).String() + "&to=" + today.String()

		r := env.Get("/api/v1/scorecards?"+period, inspector)
		if r.Status != http.StatusOK {
			t.Fatalf("district: %d %s", r.Status, r.Body)
		}
		d := r.Map(t)
		blocks := d["townships"].([]any)
		var names []string
		rows := 0
		for _, b := range blocks {
			card := b.(map[string]any)
			names = append(names, card["name"].(string))
			rows += len(card["rows"].([]any))
			if card["summary"].(map[string]any)["members"] != float64(len(card["rows"].([]any))) {
				t.Errorf("%s: summary %v", card["name"], card["summary"])
			}
		}
		// Ordered by name, as everywhere: 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532).
		if strings.Join(names, ",") != "丙镇,乙镇,甲镇" || rows != 7 || d["total"].(map[string]any)["members"] != float64(7) {
			t.Errorf("district: townships %v, %d rows, total %v", names, rows, d["total"])
		}

		// A lead reads their own township only.
		mine := env.Get("/api/v1/scorecards?"+period, lead).Map(t)["townships"].([]any)
		if len(mine) != 1 || mine[0].(map[string]any)["township_id"] != towns[1].ID {
			t.Errorf("the lead's district view: %v", mine)
		}

		x := env.Get("/api/v1/scorecards?"+period+"&format=xlsx", inspector)
		if x.Status != http.StatusOK {
			t.Fatalf("xlsx: %d", x.Status)
		}
		book, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(book.GetSheetList(), ","); got != "汇总,丙镇,乙镇,甲镇" {
			t.Errorf("sheets: %s", got)
		}
		summary, _ := book.GetRows("汇总")
		if len(summary) < 5 || summary[0][0] != "乡镇（街道）" || summary[1][0] != "丙镇" || summary[4][0] != "合计" || summary[4][1] != "7" {
			t.Errorf("summary sheet: %v", summary)
		}
		if panes, err := book.GetPanes("甲镇"); err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("甲镇's header row is not frozen: %+v %v", panes, err)
		}
		sheet, _ := book.GetRows("甲镇")
		if len(sheet) < 4 || sheet[0][0] != "姓名" {
			t.Errorf("甲镇's sheet: %v", sheet)
		}

		c := env.Get("/api/v1/scorecards?"+period+"&format=csv", inspector)
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(c.Body), "\uFEFF")), "\n")
		if c.Status != http.StatusOK || len(lines) != 8 || !strings.HasPrefix(lines[0], "乡镇（街道）,姓名,") || !strings.HasPrefix(lines[1], "丙镇,") {
			t.Errorf("csv: %d %q", c.Status, lines)
		}

		for _, bad := range []string{"from=2026-13-01&to=2026-12-01", "to=2026-12-01", "from=2026-12-02&to=2026-12-01", "from=2020-01-01&to=2026-12-01"} {
			if r := env.Get("/api/v1/scorecards?"+bad, inspector); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", bad, r.Status, r.Body)
			}
		}
		if r := env.Get("/api/v1/scorecards?township_id="+domain.NewID()+"&"+period, inspector); r.Status != http.StatusNotFound {
			t.Errorf("an unknown township: %d", r.Status)
		}
	})
}
