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

// scorecardSheet lays a scorecard out as a sheet: one row per official, the period under it.
func scorecardSheet(card scorecard.Card) export.Sheet {
	header := make([]any, len(scorecardColumns))
	for i, col := range scorecardColumns {
		header[i] = col.header
	}
	rows := [][]any{header}
	for _, r := range card.Rows {
		row := make([]any, len(scorecardColumns))
		for i, col := range scorecardColumns {
			row[i] = col.value(r)
		}
		rows = append(rows, row)
	}
	return export.Sheet{Name: "考核", Rows: rows, Notes: []string{fmt.Sprintf("期间 %s 至 %s", card.From, card.To)}}
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
		"满意", "基本满意", "不满意", "申请复查", "已复查", "申请复核", "已复核", "撤回", "自动办结", "疑似重复")
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
			r.Rereviewed, r.Withdrawn, r.Closed, r.PossibleDuplicates)
		table = append(table, row)
	}
	return table
}

// sendTable answers a sheet as a download in format ("xlsx" or "csv"), named name with the
// format's extension; a Chinese name, when given, is the name a browser shows (RFC 6266).
func sendTable(c echo.Context, format, name, chinese string, sheet export.Sheet) error {
	disposition := fmt.Sprintf(`attachment; filename="%s.%s"`, name, format)
	if chinese != "" {
		disposition += fmt.Sprintf(`; filename*=UTF-8''%s`, url.PathEscape(chinese+"."+format))
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, disposition)
	if format == "csv" {
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", export.CSV(sheet.Rows))
	}
	b, err := export.XLSX(sheet)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
