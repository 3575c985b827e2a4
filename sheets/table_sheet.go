package sheets

import (
	"github.com/xuri/excelize/v2"
)

// Table writes one sheet of text cells under a bold header row (app.TableSheets): the
// console's exports of lists, such as the audit trail.
func (Workbook) Table(sheet string, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for r, cells := range append([][]string{header}, rows...) {
		for c, v := range cells {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return nil, err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return nil, err
			}
			if r == 0 {
				_ = f.SetCellStyle(sheet, cell, cell, bold)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
