package sheets

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"watchpost/app"
	"watchpost/testkit"
)

// filler writes rows into a workbook the way a technician does in a spreadsheet program:
// by the headers of row 1, in any language the template used.
type filler struct {
	t *testing.T
	f *excelize.File
}

func open(t *testing.T, data []byte) filler {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	return filler{t, f}
}

// set writes cells of a row of a sheet: header (as shown) → value.
func (w filler) set(sheet string, row int, cells map[string]string) {
	w.t.Helper()
	heads, err := w.f.GetRows(sheet)
	require.NoError(w.t, err)
	require.NotEmpty(w.t, heads, "sheet %s has no header row", sheet)
	for head, v := range cells {
		col := -1
		for i, h := range heads[0] {
			if strings.TrimSuffix(h, " *") == head {
				col = i
			}
		}
		require.GreaterOrEqual(w.t, col, 0, "sheet %s has no column %q: %v", sheet, head, heads[0])
		cell, _ := excelize.CoordinatesToCellName(col+1, row)
		require.NoError(w.t, w.f.SetCellStr(sheet, cell, v))
	}
}

func (w filler) bytes() []byte {
	buf, err := w.f.WriteToBuffer()
	require.NoError(w.t, err)
	return buf.Bytes()
}

func demo(t *testing.T) (*testkit.Env, *app.Operator) {
	env := testkit.New(t, testkit.Options{})
	op, err := env.Core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	return env, op
}

// The technician's path: the console writes the template, rows are filled in (the example
// left as it is), the import previews what it adds, applying stores it as one replacement,
// and the export gives back the same values (passwords blank).
func TestTemplateRoundTrip(t *testing.T) {
	env, admin := demo(t)
	inv := env.Core.Inventory
	cur := inv.Site()
	tpl, err := Workbook{}.Template(cur, "zh-CN")
	require.NoError(t, err)

	w := open(t, tpl)
	assert.Equal(t, []string{"说明", "摄像机", "设备", "楼栋"}, w.f.GetSheetList())
	w.set("楼栋", 3, map[string]string{"编号": "B99", "名称": "99号楼", "英文名称": "Building 99", "用途": "residential",
		"层数": "6", "单元数": "2", "轮廓": "100,100; 130,100; 130,115; 100,115"})
	w.set("摄像机", 3, map[string]string{"编号": "cam-99", "名称": "99号楼门口", "类型": "dome",
		"主码流地址": "rtsp://10.0.0.99:554/main", "子码流地址": "rtsp://10.0.0.99:554/sub", "用户名": "admin", "密码（只写）": "s3cret",
		"X（米）": "110.5", "Y（米）": "98", "朝向（度）": "180", "楼栋": "B99"})
	w.set("设备", 3, map[string]string{"编号": "smoke-99-1", "类型": "smoke", "名称": "99号楼1层烟感", "位置描述": "99号楼1单元1层",
		"楼栋": "B99", "楼层": "1", "X（米）": "112", "Y（米）": "105", "关联摄像机": "cam-99", "离线判定（时长）": "30m"})
	w.set("设备", 4, map[string]string{"编号": "bracelet-99", "类型": "bracelet", "名称": "张奶奶手环",
		"X（米）": "115", "Y（米）": "106", "人员姓名": "张秀英", "年龄": "82", "紧急联系人": "张伟", "联系人电话": "13800000000"})

	next, probs, err := Workbook{}.Import(w.bytes(), cur, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	d := app.DiffSites(cur, next)
	assert.Equal(t, 1, d.Count(app.ItemBuilding, app.ChangeAdded))
	assert.Equal(t, 1, d.Count(app.ItemCamera, app.ChangeAdded))
	assert.Equal(t, 2, d.Count(app.ItemDevice, app.ChangeAdded))
	assert.Equal(t, len(d.Changes), 4, "nothing else changes: %+v", d.Changes)

	require.NoError(t, inv.ImportSite(context.Background(), admin, next))
	now := inv.Site()
	cam, ok := now.Camera("cam-99")
	require.True(t, ok)
	assert.Equal(t, "rtsp://admin:s3cret@10.0.0.99:554/main", cam.MainURL)
	assert.Equal(t, "rtsp://admin:s3cret@10.0.0.99:554/sub", cam.SubURL)
	assert.Equal(t, app.Point{X: 110.5, Y: 98}, cam.Position)
	assert.Equal(t, app.CameraDome, cam.Kind)
	dev, ok := now.Device("smoke-99-1")
	require.True(t, ok)
	assert.Equal(t, []string{"cam-99"}, dev.CameraIDs)
	assert.Equal(t, "B99", dev.BuildingID)
	assert.Equal(t, 1, dev.Floor)
	assert.Equal(t, "30m0s", dev.Supervision.String())
	br, _ := now.Device("bracelet-99")
	require.NotNil(t, br.Person)
	assert.Equal(t, app.Person{Name: "张秀英", Age: 82, Contact: "张伟", ContactPhone: "13800000000"}, *br.Person)
	assert.Nil(t, dev.Person, "a device with no person cells has no person")
	b, ok := now.Building("B99")
	require.True(t, ok)
	assert.Equal(t, 6, b.Floors)
	assert.Len(t, b.Footprint, 4)

	// The export gives back what was imported, passwords blank; imported again it changes nothing.
	out, err := Workbook{}.Export(now, "en")
	require.NoError(t, err)
	x := open(t, out)
	rows, err := x.f.GetRows("Cameras")
	require.NoError(t, err)
	var row []string
	for _, r := range rows {
		if r[0] == "cam-99" {
			row = r
		}
	}
	require.NotNil(t, row, "the export lists the new camera")
	joined := strings.Join(row, "|")
	assert.Contains(t, joined, "rtsp://10.0.0.99:554/main")
	assert.Contains(t, joined, "|admin|")
	assert.NotContains(t, joined, "s3cret", "a password is never exported")
	again, probs, err := Workbook{}.Import(out, now, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	assert.True(t, app.DiffSites(now, again).Empty(), "an unchanged export changes nothing: %+v", app.DiffSites(now, again).Changes)
	c2, _ := again.Camera("cam-99")
	assert.Equal(t, cam.MainURL, c2.MainURL, "a blank password cell keeps the password")

	// The camera gets a new address: its user and password stay with it.
	for i, r := range rows {
		if len(r) > 0 && r[0] == "cam-99" {
			x.set("Cameras", i+1, map[string]string{"Main stream": "rtsp://10.0.0.100:554/main"})
		}
	}
	moved, probs, err := Workbook{}.Import(x.bytes(), now, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	c3, _ := moved.Camera("cam-99")
	assert.Equal(t, "rtsp://admin:s3cret@10.0.0.100:554/main", c3.MainURL)
	d = app.DiffSites(now, moved)
	require.Len(t, d.Changes, 1)
	assert.Equal(t, []string{"main_url"}, d.Changes[0].Fields)
}

// Every bad row is reported with its row number and column, and nothing of the file is
// stored.
func TestBadRowsAreReportedAndNothingStored(t *testing.T) {
	env, _ := demo(t)
	cur := env.Core.Inventory.Site()
	tpl, err := Workbook{}.Template(cur, "zh-CN")
	require.NoError(t, err)
	w := open(t, tpl)
	w.set("设备", 3, map[string]string{"编号": "smoke-ok", "类型": "smoke", "名称": "好的烟感", "X（米）": "10", "Y（米）": "10"})
	w.set("设备", 4, map[string]string{"编号": "smoke-bad", "类型": "smoke2", "名称": "坏的", "X（米）": "10", "Y（米）": "10"})
	w.set("设备", 5, map[string]string{"编号": "smoke-x", "类型": "smoke", "名称": "坏的坐标", "X（米）": "东边", "Y（米）": "10"})
	w.set("设备", 6, map[string]string{"编号": "smoke-ok", "类型": "smoke", "名称": "重复", "X（米）": "1", "Y（米）": "1"})
	w.set("设备", 7, map[string]string{"编号": "bracelet-x", "类型": "bracelet", "名称": "无人", "X（米）": "1", "Y（米）": "1"})
	w.set("摄像机", 3, map[string]string{"编号": "cam-x", "名称": "坏地址", "主码流地址": "http://10.0.0.1/", "X（米）": "1", "Y（米）": "1", "楼栋": "B404"})

	next, probs, err := Workbook{}.Import(w.bytes(), cur, app.SheetImport{})
	require.NoError(t, err)
	assert.Nil(t, next, "no site while a row is bad")
	got := texts(probs)
	assert.Contains(t, got, "设备, row 4, “类型”: Unknown device kind smoke2")
	assert.Contains(t, got, "设备, row 5, “X（米）”: 东边 is not a number")
	assert.Contains(t, got, "设备, row 6, “编号”: The ID smoke-ok is also in row 3")
	assert.Contains(t, got, "设备, row 7, “人员姓名”: Bracelet bracelet-x needs the name of the resident wearing it")
	assert.Contains(t, got, "摄像机, row 3, “主码流地址”: Camera cam-x: main stream URL must start with rtsp:// or rtsps://")
	// Sheet by sheet, row by row, as the technician goes through the file.
	seen := map[string]bool{}
	for i, p := range probs {
		if i > 0 && probs[i-1].Sheet != p.Sheet {
			assert.False(t, seen[p.Sheet], "the problems of a sheet are together: %v", got)
		}
		if i > 0 && probs[i-1].Sheet == p.Sheet {
			assert.LessOrEqual(t, probs[i-1].Row, p.Row, "in row order: %v", got)
		}
		seen[p.Sheet] = true
	}
	for _, p := range probs {
		assert.NotEqual(t, 3, p.Row*boolInt(p.Sheet == "设备"), "the good row is not reported: %s", p.Text())
	}
	assert.Equal(t, cur, env.Core.Inventory.Site(), "nothing stored")
	_, ok := cur.Device("smoke-ok")
	assert.False(t, ok, "the current site is not changed by the import")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Rows upsert by ID and keep what the file does not list, unless asked to remove it.
func TestImportUpsertsAndRemovesOnlyWhenAsked(t *testing.T) {
	env, _ := demo(t)
	cur := env.Core.Inventory.Site()
	require.Greater(t, len(cur.Cameras), 2)
	first := cur.Cameras[0]
	tpl, err := Workbook{}.Template(cur, "en")
	require.NoError(t, err)
	w := open(t, tpl)
	w.set("Cameras", 3, map[string]string{"ID": first.ID, "Name": "新名字", "Main stream": streamURL(first.MainURL),
		"X (m)": formatNum(first.Position.X), "Y (m)": formatNum(first.Position.Y), "Direction (°)": "45"})
	data := w.bytes()

	next, probs, err := Workbook{}.Import(data, cur, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	d := app.DiffSites(cur, next)
	require.Len(t, d.Changes, 1, "%+v", d.Changes)
	assert.Equal(t, app.ChangeChanged, d.Changes[0].Op)
	assert.Subset(t, d.Changes[0].Fields, []string{"name", "direction"})
	c, _ := next.Camera(first.ID)
	assert.Equal(t, first.MainURL, c.MainURL, "its address keeps its user and password")
	assert.Equal(t, first.Analytics, c.Analytics, "what the sheet has no column for is kept")

	next, probs, err = Workbook{}.Import(data, cur, app.SheetImport{RemoveMissing: true})
	require.NoError(t, err)
	if len(probs) == 0 {
		d = app.DiffSites(cur, next)
		assert.Equal(t, len(cur.Cameras)-1, d.Count(app.ItemCamera, app.ChangeRemoved))
		assert.Zero(t, d.Count(app.ItemDevice, app.ChangeRemoved), "a table without rows is not touched")
	} else {
		// Devices name the removed cameras: the import says so rather than store a broken site.
		assert.NotEmpty(t, texts(probs))
	}
}

func TestNotAWorkbook(t *testing.T) {
	_, _, err := Workbook{}.Import([]byte("id,name\n1,2\n"), &app.Site{}, app.SheetImport{})
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
}

func texts(ps []app.SheetProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text())
	}
	return out
}

// A site anchored on the Earth is filled in longitude and latitude; an unchanged export of
// it changes nothing, and a new row lands where its coordinates say.
func TestLonLatSite(t *testing.T) {
	env, _ := demo(t)
	cur, err := copySite(env.Core.Inventory.Site())
	require.NoError(t, err)
	cur.Origin = &app.GeoOrigin{Lon: 121.47, Lat: 31.23}
	out, err := Workbook{}.Export(cur, "en")
	require.NoError(t, err)
	w := open(t, out)
	heads, err := w.f.GetRows("Devices")
	require.NoError(t, err)
	assert.Contains(t, heads[0], "Longitude *")
	assert.NotContains(t, heads[0], "X (m) *")
	same, probs, err := Workbook{}.Import(out, cur, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	assert.True(t, app.DiffSites(cur, same).Empty(), "%+v", app.DiffSites(cur, same).Changes)

	pr := app.NewProjection(*cur.Origin)
	lon, lat := pr.ToWGS84(app.Point{X: 50, Y: 60})
	w.set("Devices", len(heads)+1, map[string]string{"ID": "door-new", "Kind": "door", "Name": "新门禁",
		"Longitude": formatDeg(lon), "Latitude": formatDeg(lat)})
	next, probs, err := Workbook{}.Import(w.bytes(), cur, app.SheetImport{})
	require.NoError(t, err)
	require.Empty(t, probs, texts(probs))
	d, _ := next.Device("door-new")
	assert.InDelta(t, 50, d.Position.X, 0.01, "a millimetre")
	assert.InDelta(t, 60, d.Position.Y, 0.01)
}
