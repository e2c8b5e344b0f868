package httpapi

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"minxin/backend/internal/store"
)

// channelNames are the Chinese column headers of the channels.
var channelNames = map[string]string{
	store.ChannelOnline: "网上信访", store.ChannelReception: "定点接访", store.ChannelLetter: "来信",
	store.ChannelPhone: "来电", store.ChannelTalkDay: "民情恳谈日",
}

// figureTable lays the figures out as a table with Chinese headers: one row per township and
// the total last.
func figureTable(f store.PetitionFigures) [][]any {
	header := []any{"乡镇（街道）", "收件数"}
	for _, ch := range store.PetitionChannels {
		header = append(header, channelNames[ch])
	}
	for _, c := range f.Categories {
		header = append(header, c.NameZh)
	}
	header = append(header, "已受理", "按期受理", "不予受理", "已答复", "按期答复", "超期未办", "延期",
		"满意", "基本满意", "不满意", "申请复查", "已复查", "申请复核", "已复核", "撤回", "自动办结", "疑似重复")
	table := [][]any{header}
	for _, r := range append(append([]store.PetitionFigureRow{}, f.Townships...), f.Total) {
		row := []any{r.TownshipName, r.Received}
		for _, ch := range store.PetitionChannels {
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

func attachment(c echo.Context, f store.PetitionFigures, ext string) {
	name := fmt.Sprintf("信访统计_%s_%s.%s", f.From, f.To, ext)
	ascii := fmt.Sprintf("petitions_%s_%s.%s", f.From, f.To, ext)
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name)))
}

func writeFiguresXLSX(c echo.Context, f store.PetitionFigures) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "信访统计"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, row := range figureTable(f) {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	if err := x.SetRowStyle(sheet, 1, 1, bold); err != nil {
		return err
	}
	if err := x.SetColWidth(sheet, "A", "A", 18); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return err
	}
	attachment(c, f, "xlsx")
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func writeFiguresCSV(c echo.Context, f store.PetitionFigures) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // a byte-order mark, so that Excel reads the Chinese headers as UTF-8
	w := csv.NewWriter(&buf)
	for _, row := range figureTable(f) {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	attachment(c, f, "csv")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
