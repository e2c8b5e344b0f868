package httpapi

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/export"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/scorecard"
)

// The spreadsheets the API answers with, side by side: the scorecard and the petition
// figures, each a table with Chinese headers written by package export.

// scorecardColumns are the scorecard's columns with their Chinese headers, in order.
var scorecardColumns = []struct {
	header string
	value  func(scorecard.Row) any
}{
	{"姓名", func(r scorecard.Row) any { return r.DisplayName }},
	{"考核周数", func(r scorecard.Row) any { return r.Weeks }},
	{"住夜达标周数", func(r scorecard.Row) any { return r.WeeksMet }},
	{"应住夜晚数", func(r scorecard.Row) any { return r.NightsRequired }},
	{"实住夜晚数", func(r scorecard.Row) any { return r.NightsCounted }},
	{"下村蹲点天数", func(r scorecard.Row) any { return r.StationingDays }},
	{"全年应蹲点天数", func(r scorecard.Row) any { return r.StationingYear }},
	{"蹲点进度", func(r scorecard.Row) any { return r.StationingStatus }},
	{"接访排班天数", func(r scorecard.Row) any { return r.ReceptionAssigned }},
	{"接访到岗天数", func(r scorecard.Row) any { return r.ReceptionAttended }},
	{"接访准时天数", func(r scorecard.Row) any { return r.ReceptionOnTime }},
	{"必访按时", func(r scorecard.Row) any { return r.TriggersOnTime }},
	{"必访逾期完成", func(r scorecard.Row) any { return r.TriggersLate }},
	{"必访已超期", func(r scorecard.Row) any { return r.TriggersOverdue }},
	{"必访待办", func(r scorecard.Row) any { return r.TriggersOpen }},
	{"走访次数", func(r scorecard.Row) any { return r.Visits }},
	{"走访户数", func(r scorecard.Row) any { return r.HouseholdsVisited }},
	{"联系户数", func(r scorecard.Row) any { return r.LinkedHouseholds }},
	{"联系点状态", func(r scorecard.Row) any { return r.LinksStatus }},
	{"承办信访件", func(r scorecard.Row) any { return r.PetitionsAssigned }},
	{"按期答复", func(r scorecard.Row) any { return r.PetitionsOnTime }},
	{"抽查核查数", func(r scorecard.Row) any { return r.AuditsSampled }},
	{"抽查属实", func(r scorecard.Row) any { return r.AuditsConfirmed }},
	{"抽查存疑", func(r scorecard.Row) any { return r.AuditsDiscrepancies }},
	{"确认违规", func(r scorecard.Row) any { return r.AuditsViolations }},
}

// scorecardSheet lays scorecards out as a sheet named name: one row per official, the period
// under it, with the township's name first when withTownship.
func scorecardSheet(name string, withTownship bool, cards ...scorecard.Card) export.Sheet {
	var header []any
	if withTownship {
		header = append(header, "乡镇（街道）")
	}
	for _, col := range scorecardColumns {
		header = append(header, col.header)
	}
	rows := [][]any{header}
	for _, card := range cards {
		for _, r := range card.Rows {
			row := make([]any, 0, len(header))
			if withTownship {
				row = append(row, card.Name)
			}
			for _, col := range scorecardColumns {
				row = append(row, col.value(r))
			}
			rows = append(rows, row)
		}
	}
	var period []string
	if len(cards) > 0 {
		period = []string{fmt.Sprintf("期间 %s 至 %s", cards[0].From, cards[0].To)}
	}
	return export.Sheet{Name: name, Rows: rows, Notes: period}
}

// summaryColumns are the district summary's columns: one row per township.
var summaryColumns = []struct {
	header string
	value  func(scorecard.Summary) any
}{
	{"队员人数", func(s scorecard.Summary) any { return s.Members }},
	{"考核周数", func(s scorecard.Summary) any { return s.Weeks }},
	{"住夜达标周数", func(s scorecard.Summary) any { return s.WeeksMet }},
	{"应住夜晚数", func(s scorecard.Summary) any { return s.NightsRequired }},
	{"实住夜晚数", func(s scorecard.Summary) any { return s.NightsCounted }},
	{"下村蹲点天数", func(s scorecard.Summary) any { return s.StationingDays }},
	{"全年应蹲点天数", func(s scorecard.Summary) any { return s.StationingYear }},
	{"蹲点进度落后人数", func(s scorecard.Summary) any { return s.StationingBehind }},
	{"接访排班天数", func(s scorecard.Summary) any { return s.ReceptionAssigned }},
	{"接访到岗天数", func(s scorecard.Summary) any { return s.ReceptionAttended }},
	{"接访准时天数", func(s scorecard.Summary) any { return s.ReceptionOnTime }},
	{"必访按时", func(s scorecard.Summary) any { return s.TriggersOnTime }},
	{"必访逾期完成", func(s scorecard.Summary) any { return s.TriggersLate }},
	{"必访已超期", func(s scorecard.Summary) any { return s.TriggersOverdue }},
	{"必访待办", func(s scorecard.Summary) any { return s.TriggersOpen }},
	{"走访次数", func(s scorecard.Summary) any { return s.Visits }},
	{"承办信访件", func(s scorecard.Summary) any { return s.PetitionsAssigned }},
	{"按期答复", func(s scorecard.Summary) any { return s.PetitionsOnTime }},
	{"抽查核查数", func(s scorecard.Summary) any { return s.AuditsSampled }},
	{"抽查属实", func(s scorecard.Summary) any { return s.AuditsConfirmed }},
	{"抽查存疑", func(s scorecard.Summary) any { return s.AuditsDiscrepancies }},
	{"确认违规", func(s scorecard.Summary) any { return s.AuditsViolations }},
	{"接访日数", func(s scorecard.Summary) any { return s.RotaDays }},
	{"已排班接访日", func(s scorecard.Summary) any { return s.RotaCovered }},
	{"农户数", func(s scorecard.Summary) any { return s.Households }},
	{"已走访户数", func(s scorecard.Summary) any { return s.HouseholdsVisited }},
	{"应开恳谈日村月数", func(s scorecard.Summary) any { return s.TalkDayMonths }},
	{"已开恳谈日村月数", func(s scorecard.Summary) any { return s.TalkDayMonthsHeld }},
}

// districtSheets lays the district view out as a workbook: a summary sheet with one row per
// township and the total, then one sheet per township.
func districtSheets(d scorecard.District) []export.Sheet {
	header := []any{"乡镇（街道）"}
	for _, col := range summaryColumns {
		header = append(header, col.header)
	}
	line := func(name string, s scorecard.Summary) []any {
		row := []any{name}
		for _, col := range summaryColumns {
			row = append(row, col.value(s))
		}
		return row
	}
	rows := [][]any{header}
	for _, card := range d.Townships {
		rows = append(rows, line(card.Name, card.Summary))
	}
	rows = append(rows, line("合计", d.Total))
	sheets := []export.Sheet{{Name: "汇总", Rows: rows, Notes: []string{fmt.Sprintf("期间 %s 至 %s", d.From, d.To)}}}
	names := export.SheetNames{}
	names.Take("汇总")
	for _, card := range d.Townships {
		sheets = append(sheets, scorecardSheet(names.Take(card.Name), false, card))
	}
	return sheets
}

// channelNames are the Chinese column headers of the channels.
var channelNames = map[string]string{
	access.ChannelOnline: "网上信访", access.ChannelReception: "定点接访", access.ChannelLetter: "来信",
	access.ChannelPhone: "来电", access.ChannelTalkDay: "民情恳谈日",
}

// figureTable lays the figures out as a table with Chinese headers: one row per township and
// the total last.
func figureTable(f petitions.Figures) [][]any {
	header := []any{"乡镇（街道）", "收件数"}
	for _, ch := range petitions.Channels {
		header = append(header, channelNames[ch])
	}
	for _, c := range f.Categories {
		header = append(header, c.NameZh)
	}
	header = append(header, "已受理", "按期受理", "不予受理", "已答复", "按期答复", "超期未办", "延期",
		"满意", "基本满意", "不满意", "申请复查", "已复查", "申请复核", "已复核", "撤回", "自动办结", "疑似重复",
		"督办件次", "督办已回复", "督办按期回复")
	table := [][]any{header}
	for _, r := range append(append([]petitions.FigureRow{}, f.Townships...), f.Total) {
		row := []any{r.TownshipName, r.Received}
		for _, ch := range petitions.Channels {
			row = append(row, r.ByChannel[ch])
		}
		for _, c := range f.Categories {
			row = append(row, r.ByCategory[c.Code])
		}
		row = append(row, r.Accepted, r.AcceptedOnTime, r.NotAccepted, r.Replied, r.RepliedOnTime, r.Overdue, r.Extended,
			r.Satisfied, r.BasicallySatisfied, r.Dissatisfied, r.ReviewsRequested, r.Reviewed, r.RereviewsRequested,
			r.Rereviewed, r.Withdrawn, r.Closed, r.PossibleDuplicates,
			r.SupervisionInstructions, r.SupervisionAnswered, r.SupervisionAnsweredOnTime)
		table = append(table, row)
	}
	return table
}

// sendTable answers sheets as a download in format ("xlsx", or "csv" of the first sheet),
// named name with the format's extension; a Chinese name, when given, is the name a browser
// shows (RFC 6266).
func sendTable(c echo.Context, format, name, chinese string, sheets ...export.Sheet) error {
	disposition := fmt.Sprintf(`attachment; filename="%s.%s"`, name, format)
	if chinese != "" {
		disposition += fmt.Sprintf(`; filename*=UTF-8''%s`, url.PathEscape(chinese+"."+format))
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, disposition)
	if format == "csv" {
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", export.CSV(sheets[0].Rows))
	}
	b, err := export.XLSX(sheets...)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
