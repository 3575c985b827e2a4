package sheets

import (
	"strings"

	"watchpost/app"
)

// The tables of the site's things: buildings, cameras, devices, with every field a
// technician fills. Coordinates are the site's metres (X east, Y north of its south-west
// corner), or longitude and latitude when the site is anchored on the Earth (Site.Origin):
// the template asks for what the site uses.

// frame is how positions are written for a site.
type frame struct{ proj *app.Projection }

func frameOf(s *app.Site) frame {
	if s != nil && s.Origin != nil {
		p := app.NewProjection(*s.Origin)
		return frame{proj: &p}
	}
	return frame{}
}

// coords are the two columns of a position.
func coords[T any](fr frame, pos func(*T) *app.Point, example app.Point) []Column[T] {
	if fr.proj == nil {
		return []Column[T]{
			{Key: "x", Zh: "X（米）", En: "X (m)", Required: true, Number: true, Example: formatNum(example.X),
				HelpZh: "东西方向位置：小区西南角以东的米数", HelpEn: "metres east of the site's south-west corner",
				Get: func(t *T) string { return formatNum(pos(t).X) },
				Set: func(t *T, s string) *app.Error { v, e := parseNum(s); pos(t).X = v; return e }},
			{Key: "y", Zh: "Y（米）", En: "Y (m)", Required: true, Number: true, Example: formatNum(example.Y),
				HelpZh: "南北方向位置：小区西南角以北的米数", HelpEn: "metres north of the site's south-west corner",
				Get: func(t *T) string { return formatNum(pos(t).Y) },
				Set: func(t *T, s string) *app.Error { v, e := parseNum(s); pos(t).Y = v; return e }},
		}
	}
	pr := *fr.proj
	exLon, exLat := pr.ToWGS84(example)
	lonlat := func(t *T) (float64, float64) { return pr.ToWGS84(*pos(t)) }
	return []Column[T]{
		{Key: "lon", Zh: "经度", En: "Longitude", Required: true, Number: true, Example: formatDeg(round7(exLon)),
			HelpZh: "WGS-84 经度（度）", HelpEn: "WGS-84 longitude in degrees",
			Get: func(t *T) string { lon, _ := lonlat(t); return formatDeg(lon) },
			Set: func(t *T, s string) *app.Error {
				v, e := parseNum(s)
				_, lat := lonlat(t)
				*pos(t) = pr.ToLocal(v, lat)
				return e
			}},
		{Key: "lat", Zh: "纬度", En: "Latitude", Required: true, Number: true, Example: formatDeg(round7(exLat)),
			HelpZh: "WGS-84 纬度（度）", HelpEn: "WGS-84 latitude in degrees",
			Get: func(t *T) string { _, lat := lonlat(t); return formatDeg(lat) },
			Set: func(t *T, s string) *app.Error {
				v, e := parseNum(s)
				lon, _ := lonlat(t)
				*pos(t) = pr.ToLocal(lon, v)
				return e
			}},
	}
}

func round7(v float64) float64 { return float64(int64(v*1e7+0.5)) / 1e7 }

// formatPoints and parsePoints: an outline as "x,y; x,y; x,y" (or "lon,lat; …").
func (fr frame) formatPoints(pg app.Polygon) string {
	parts := make([]string, len(pg))
	for i, p := range pg {
		x, y := p.X, p.Y
		if fr.proj != nil {
			x, y = fr.proj.ToWGS84(p)
		}
		if fr.proj != nil {
			parts[i] = formatDeg(x) + "," + formatDeg(y)
		} else {
			parts[i] = formatNum(x) + "," + formatNum(y)
		}
	}
	return strings.Join(parts, "; ")
}

func (fr frame) parsePoints(s string) (app.Polygon, *app.Error) {
	bad := app.Errorf(app.CodeInvalid, "Write the outline as x,y; x,y; x,y (at least three points)")
	if fr.proj != nil {
		bad = app.Errorf(app.CodeInvalid, "Write the outline as longitude,latitude; longitude,latitude; … (at least three points)")
	}
	var out app.Polygon
	for _, part := range strings.Split(app.PlainASCII(s), ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		xy := strings.Split(part, ",")
		if len(xy) != 2 {
			return nil, bad
		}
		x, e1 := parseNum(xy[0])
		y, e2 := parseNum(xy[1])
		if e1 != nil || e2 != nil || strings.TrimSpace(xy[0]) == "" || strings.TrimSpace(xy[1]) == "" {
			return nil, bad
		}
		p := app.Point{X: x, Y: y}
		if fr.proj != nil {
			p = fr.proj.ToLocal(x, y)
		}
		out = append(out, p)
	}
	if len(out) < 3 {
		return nil, bad
	}
	if a, b, crosses := app.RingCrossing(out); crosses {
		return nil, app.Errorf(app.CodeInvalid, "The outline crosses itself (edges {{.A}} and {{.B}})", "A", a+1, "B", b+1)
	}
	return out, nil
}

// names are the name columns every thing has.
func names[T any](n func(*T) *app.Names, zh, en string, required bool) []Column[T] {
	return []Column[T]{
		{Key: "name", Zh: "名称", En: "Name", Required: required, Example: zh,
			HelpZh: "中文名称，值班员看到的名称", HelpEn: "the name in Chinese, as operators see it",
			Get: func(t *T) string { return n(t).Name },
			Set: func(t *T, s string) *app.Error { n(t).Name = s; return nil }},
		{Key: "name_en", Zh: "英文名称", En: "Name (English)", Example: en,
			HelpZh: "英文名称（可空）", HelpEn: "the name in English (optional)",
			Get: func(t *T) string { return n(t).NameEn },
			Set: func(t *T, s string) *app.Error { n(t).NameEn = s; return nil }},
	}
}

func idColumn[T any](id func(*T) *string, example, zh, en string) Column[T] {
	return Column[T]{Key: "id", Zh: "编号", En: "ID", Required: true, Example: example,
		HelpZh: zh, HelpEn: en,
		Get: func(t *T) string { return *id(t) },
		Set: func(t *T, s string) *app.Error { *id(t) = app.PlainASCII(s); return nil }}
}

func gridColumn[T any](g func(*T) *string) Column[T] {
	return Column[T]{Key: "grid", Zh: "网格", En: "Grid",
		HelpZh: "网格编号；空着则按位置自动归属", HelpEn: "the grid's ID; blank: the grid it stands in",
		Get: func(t *T) string { return *g(t) },
		Set: func(t *T, s string) *app.Error { *g(t) = app.PlainASCII(s); return nil }}
}

func buildingColumn[T any](b func(*T) *string, example string) Column[T] {
	return Column[T]{Key: "building", Zh: "楼栋", En: "Building", Example: example,
		HelpZh: "所在楼栋的编号（见“楼栋”表）", HelpEn: "the ID of its building (see the Buildings sheet)",
		Get: func(t *T) string { return *b(t) },
		Set: func(t *T, s string) *app.Error { *b(t) = app.PlainASCII(s); return nil }}
}

// The example site: a building 30 × 15 m at (10, 10).
var exampleFootprint = app.Polygon{{X: 10, Y: 10}, {X: 40, Y: 10}, {X: 40, Y: 25}, {X: 10, Y: 25}}

var buildingUses = []string{"residential", "service", "shop", "school"}

func buildingTable(fr frame, get func(id string) app.Building) Table[app.Building] {
	type B = app.Building
	cols := []Column[B]{
		idColumn(func(b *B) *string { return &b.ID }, "B12", "楼栋编号，如 B12", "the building's ID, e.g. B12"),
	}
	cols = append(cols, names(func(b *B) *app.Names { return &b.Names }, "12号楼", "Building 12", true)...)
	cols = append(cols,
		Column[B]{Key: "number", Zh: "楼号", En: "Number", Example: "12",
			HelpZh: "楼上标的号码", HelpEn: "the number painted on it",
			Get: func(b *B) string { return b.Number },
			Set: func(b *B, s string) *app.Error { b.Number = s; return nil }},
		Column[B]{Key: "use", Zh: "用途", En: "Use", Example: "residential", Choices: buildingUses,
			HelpZh: "residential 住宅、service 服务用房、shop 商铺、school 学校", HelpEn: "residential, service, shop or school",
			Get: func(b *B) string { return b.Use },
			Set: func(b *B, s string) *app.Error { b.Use = app.PlainASCII(s); return nil }},
		Column[B]{Key: "floors", Zh: "层数", En: "Floors", Number: true, Example: "18",
			HelpZh: "地上层数", HelpEn: "floors above ground",
			Get: func(b *B) string { return formatInt(b.Floors) },
			Set: func(b *B, s string) *app.Error { v, e := parseInt(s); b.Floors = v; return e }},
		Column[B]{Key: "units", Zh: "单元数", En: "Units", Number: true, Example: "2",
			HelpZh: "单元（楼梯间）数", HelpEn: "stairwells (单元)",
			Get: func(b *B) string { return formatInt(b.Units) },
			Set: func(b *B, s string) *app.Error { v, e := parseInt(s); b.Units = v; return e }},
		gridColumn(func(b *B) *string { return &b.GridID }),
	)
	fpZh, fpEn := "轮廓各角点“X,Y”，用分号隔开（米）", "its corners as x,y; x,y; … in metres"
	if fr.proj != nil {
		fpZh, fpEn = "轮廓各角点“经度,纬度”，用分号隔开", "its corners as longitude,latitude; …"
	}
	cols = append(cols, Column[B]{Key: "footprint", Zh: "轮廓", En: "Footprint", Required: true, Width: 48,
		Example: fr.formatPoints(exampleFootprint), HelpZh: fpZh, HelpEn: fpEn,
		Get: func(b *B) string { return fr.formatPoints(b.Footprint) },
		Set: func(b *B, s string) *app.Error { pg, e := fr.parsePoints(s); b.Footprint = pg; return e }})
	return Table[B]{Key: "buildings", Zh: "楼栋", En: "Buildings", Columns: cols, Start: get,
		Check: func(b *B) error { return b.Validate() }}
}

var cameraKinds = []string{"bullet", "dome", "ptz", "plate", "face"}

func cameraTable(fr frame, get func(id string) app.Camera) Table[app.Camera] {
	type C = app.Camera
	cols := []Column[C]{
		idColumn(func(c *C) *string { return &c.ID }, "cam-north-gate", "摄像机编号", "the camera's ID"),
	}
	cols = append(cols, names(func(c *C) *app.Names { return &c.Names }, "北门", "North gate", true)...)
	cols = append(cols,
		Column[C]{Key: "kind", Zh: "类型", En: "Kind", Example: "bullet", Choices: cameraKinds,
			HelpZh: "bullet 枪机、dome 半球、ptz 云台、plate 车牌识别、face 人脸识别", HelpEn: "bullet, dome, ptz, plate (licence plates) or face",
			Get: func(c *C) string { return string(c.Kind) },
			Set: func(c *C, s string) *app.Error {
				s = strings.ToLower(app.PlainASCII(s))
				for _, k := range cameraKinds {
					if s == k || s == "" {
						c.Kind = app.CameraKind(s)
						return nil
					}
				}
				return app.Errorf(app.CodeInvalid, "Unknown camera type {{.Value}}", "Value", s)
			}},
		Column[C]{Key: "main_url", Zh: "主码流地址", En: "Main stream", Required: true, Width: 44,
			Example: "rtsp://192.168.1.64:554/Streaming/Channels/101",
			HelpZh:  "rtsp:// 地址，不含用户名和密码", HelpEn: "the rtsp:// address, without user and password",
			Get: func(c *C) string { return streamURL(c.MainURL) },
			Set: func(c *C, s string) *app.Error { c.MainURL = withURL(s, c.MainURL); return nil }},
		Column[C]{Key: "sub_url", Zh: "子码流地址", En: "Sub stream", Width: 44,
			Example: "rtsp://192.168.1.64:554/Streaming/Channels/102",
			HelpZh:  "画面墙播放的小码流（可空）", HelpEn: "the small stream the wall plays (optional)",
			Get: func(c *C) string { return streamURL(c.SubURL) },
			Set: func(c *C, s string) *app.Error { c.SubURL = withURL(s, c.SubURL); return nil }},
		Column[C]{Key: "user", Zh: "用户名", En: "User", Example: "admin",
			HelpZh: "摄像机的登录用户名", HelpEn: "the camera's user name",
			Get: func(c *C) string { return urlUser(c.MainURL) },
			Set: func(c *C, s string) *app.Error {
				c.MainURL, c.SubURL = setUser(c.MainURL, s), setUser(c.SubURL, s)
				return nil
			}},
		// Write-only: the export never carries a password; a blank cell keeps the current one.
		Column[C]{Key: "password", Zh: "密码（只写）", En: "Password (write-only)",
			HelpZh: "只导入不导出：填写则设置密码；导出时为空，空着导入则保留原密码", HelpEn: "set on import, never exported: blank keeps the current password",
			Set: func(c *C, s string) *app.Error {
				if s == "" {
					return nil
				}
				var ok1, ok2 bool
				c.MainURL, ok1 = setPassword(c.MainURL, s)
				c.SubURL, ok2 = setPassword(c.SubURL, s)
				if !ok1 || !ok2 {
					return app.Errorf(app.CodeInvalid, "A password needs a user name")
				}
				return nil
			}},
	)
	cols = append(cols, coords(fr, func(c *C) *app.Point { return &c.Position }, app.Point{X: 25, Y: 40})...)
	cols = append(cols,
		Column[C]{Key: "direction", Zh: "朝向（度）", En: "Direction (°)", Number: true, Example: "90",
			HelpZh: "镜头朝向：正北为 0，顺时针", HelpEn: "where it looks: degrees clockwise from north",
			Get: func(c *C) string { return formatNum(c.Direction) },
			Set: func(c *C, s string) *app.Error { v, e := parseNum(s); c.Direction = v; return e }},
		Column[C]{Key: "fov", Zh: "视场角（度）", En: "Field of view (°)", Number: true, Example: "90",
			HelpZh: "水平视场角，空着为 90", HelpEn: "horizontal field of view; blank: 90",
			Get: func(c *C) string { return formatNum(c.FOV) },
			Set: func(c *C, s string) *app.Error { v, e := parseNum(s); c.FOV = v; return e }},
		Column[C]{Key: "range", Zh: "可视距离（米）", En: "Range (m)", Number: true, Example: "30",
			HelpZh: "有效观察距离，空着为 30", HelpEn: "how far it usefully sees; blank: 30",
			Get: func(c *C) string { return formatNum(c.Range) },
			Set: func(c *C, s string) *app.Error { v, e := parseNum(s); c.Range = v; return e }},
		buildingColumn(func(c *C) *string { return &c.BuildingID }, ""),
		gridColumn(func(c *C) *string { return &c.GridID }),
		Column[C]{Key: "video_loss_after", Zh: "视频丢失报警（时长）", En: "Video loss after",
			HelpZh: "无视频多久后报警，如 30s、2m；空着用系统默认", HelpEn: "how long without video before the alarm, e.g. 30s, 2m; blank: the site's default",
			Get: func(c *C) string { return formatDuration(c.VideoLossAfter) },
			Set: func(c *C, s string) *app.Error { v, e := parseDuration(s); c.VideoLossAfter = v; return e }},
	)
	return Table[C]{Key: "cameras", Zh: "摄像机", En: "Cameras", Columns: cols, Start: get,
		Check:  func(c *C) error { return c.Validate() },
		Fields: map[string]string{"position": firstCoord(fr), "video_loss_priority": "video_loss_after"}}
}

func firstCoord(fr frame) string {
	if fr.proj != nil {
		return "lon"
	}
	return "x"
}

func deviceKinds() []string {
	out := make([]string, len(app.DeviceKinds))
	for i, k := range app.DeviceKinds {
		out[i] = string(k)
	}
	return out
}

func deviceTable(fr frame, get func(id string) app.Device) Table[app.Device] {
	type D = app.Device
	person := func(d *D) *app.Person {
		if d.Person == nil {
			d.Person = &app.Person{}
		}
		return d.Person
	}
	pget := func(f func(p *app.Person) string) func(*D) string {
		return func(d *D) string {
			if d.Person == nil {
				return ""
			}
			return f(d.Person)
		}
	}
	cols := []Column[D]{
		idColumn(func(d *D) *string { return &d.ID }, "smoke-12-2-0501", "设备编号，即设备主题中的编号", "the device's ID, as in its MQTT topic"),
		{Key: "kind", Zh: "类型", En: "Kind", Required: true, Example: "smoke", Choices: deviceKinds(),
			HelpZh: "smoke 烟感、manhole 井盖、streetlight 路灯、callbutton 一键报警、bracelet 老人手环、door 门禁、platecam 车牌识别、charger 充电桩",
			HelpEn: "smoke, manhole, streetlight, callbutton, bracelet, door, platecam or charger",
			Get:    func(d *D) string { return string(d.Kind) },
			Set: func(d *D, s string) *app.Error {
				k := app.DeviceKind(strings.ToLower(app.PlainASCII(s)))
				for _, x := range app.DeviceKinds {
					if strings.EqualFold(s, x.Label()) {
						k = x
					}
				}
				if !k.Known() {
					return app.Errorf(app.CodeInvalid, "Unknown device kind {{.Value}}", "Value", s)
				}
				d.Kind = k
				return nil
			}},
	}
	cols = append(cols, names(func(d *D) *app.Names { return &d.Names }, "12号楼2单元501烟感", "Smoke detector 12-2-501", true)...)
	cols = append(cols,
		Column[D]{Key: "location", Zh: "位置描述", En: "Location", Example: "12号楼2单元5层",
			HelpZh: "到哪里找它，如“3号楼2单元5层”", HelpEn: "where to find it, in Chinese",
			Get: func(d *D) string { return d.Location },
			Set: func(d *D, s string) *app.Error { d.Location = s; return nil }},
		Column[D]{Key: "location_en", Zh: "英文位置描述", En: "Location (English)", Example: "Building 12, unit 2, floor 5",
			HelpZh: "位置描述的英文（可空）", HelpEn: "the same in English (optional)",
			Get: func(d *D) string { return d.LocationEn },
			Set: func(d *D, s string) *app.Error { d.LocationEn = s; return nil }},
		buildingColumn(func(d *D) *string { return &d.BuildingID }, ""),
		Column[D]{Key: "floor", Zh: "楼层", En: "Floor", Number: true, Example: "5",
			HelpZh: "所在楼层", HelpEn: "the floor it is on",
			Get: func(d *D) string { return formatInt(d.Floor) },
			Set: func(d *D, s string) *app.Error { v, e := parseInt(s); d.Floor = v; return e }},
	)
	cols = append(cols, coords(fr, func(d *D) *app.Point { return &d.Position }, app.Point{X: 18, Y: 16})...)
	cols = append(cols,
		gridColumn(func(d *D) *string { return &d.GridID }),
		Column[D]{Key: "cameras", Zh: "关联摄像机", En: "Cameras",
			HelpZh: "能看到它的摄像机编号，用逗号隔开", HelpEn: "IDs of the cameras that see it, separated by commas",
			Get: func(d *D) string { return formatIDs(d.CameraIDs) },
			Set: func(d *D, s string) *app.Error { d.CameraIDs = parseIDs(s); return nil }},
		Column[D]{Key: "supervision", Zh: "离线判定（时长）", En: "Supervision window",
			HelpZh: "多久无消息判为离线，如 10m、1h；空着用该类型默认", HelpEn: "silence before it is offline, e.g. 10m, 1h; blank: the kind's default",
			Get: func(d *D) string { return formatDuration(d.Supervision) },
			Set: func(d *D, s string) *app.Error { v, e := parseDuration(s); d.Supervision = v; return e }},
		Column[D]{Key: "person_id", Zh: "人员编号", En: "Person ID",
			HelpZh: "佩戴手环或使用按钮的人员编号（门禁上报的编号）", HelpEn: "the person's ID (as access doors report it)",
			Get: pget(func(p *app.Person) string { return p.ID }),
			Set: func(d *D, s string) *app.Error { person(d).ID = app.PlainASCII(s); return nil }},
		Column[D]{Key: "person_name", Zh: "人员姓名", En: "Person",
			HelpZh: "手环必填：佩戴的老人姓名", HelpEn: "required for a bracelet: the resident wearing it",
			Get: pget(func(p *app.Person) string { return p.Name }),
			Set: func(d *D, s string) *app.Error { person(d).Name = s; return nil }},
		Column[D]{Key: "person_age", Zh: "年龄", En: "Age", Number: true,
			HelpZh: "人员年龄", HelpEn: "the person's age",
			Get: pget(func(p *app.Person) string { return formatInt(p.Age) }),
			Set: func(d *D, s string) *app.Error { v, e := parseInt(s); person(d).Age = v; return e }},
		Column[D]{Key: "person_phone", Zh: "人员电话", En: "Person's phone",
			HelpZh: "人员本人电话", HelpEn: "the person's own phone",
			Get: pget(func(p *app.Person) string { return p.Phone }),
			Set: func(d *D, s string) *app.Error { person(d).Phone = app.PlainASCII(s); return nil }},
		Column[D]{Key: "contact", Zh: "紧急联系人", En: "Family contact",
			HelpZh: "家属或照护人", HelpEn: "family member or carer",
			Get: pget(func(p *app.Person) string { return p.Contact }),
			Set: func(d *D, s string) *app.Error { person(d).Contact = s; return nil }},
		Column[D]{Key: "contact_phone", Zh: "联系人电话", En: "Contact's phone",
			HelpZh: "紧急联系人电话", HelpEn: "their phone",
			Get: pget(func(p *app.Person) string { return p.ContactPhone }),
			Set: func(d *D, s string) *app.Error { person(d).ContactPhone = app.PlainASCII(s); return nil }},
		Column[D]{Key: "note", Zh: "备注", En: "Notes",
			HelpZh: "救援人员需要知道的情况（如病史）", HelpEn: "what responders need to know (medical notes)",
			Get: pget(func(p *app.Person) string { return p.Note }),
			Set: func(d *D, s string) *app.Error { person(d).Note = s; return nil }},
	)
	return Table[D]{Key: "devices", Zh: "设备", En: "Devices", Columns: cols, Start: get,
		Check: func(d *D) error {
			if d.Person != nil && *d.Person == (app.Person{}) {
				d.Person = nil // every person cell blank: nobody
			}
			return d.Validate()
		},
		Fields: map[string]string{"position": firstCoord(fr), "person": "person_name"}}
}
