package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The device panel: every device with its live state (online, last heard, battery, latest
// values), the devices that send but are not registered (to adopt), and the messages that
// could not be read (diagnostics).

type devicePanel struct {
	c       *Console
	content fyne.CanvasObject
	visible bool

	search   *widget.Entry
	kind     *widget.Select
	offline  *widget.Check
	rows     []app.Device
	list     *widget.List
	selected string
	detail   *fyne.Container
	summary  *canvas.Text

	unreg     []app.Unregistered
	unregList *widget.List
	malCount  *canvas.Text
	malformed []app.Malformed
	malList   *widget.List
	broker    *brokerDiag // devicepanel_broker.go
}

func newDevicePanel(c *Console) panelView {
	p := &devicePanel{c: c}
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(T("Search devices…"))
	p.search.OnChanged = func(string) { p.filter() }
	kinds := []string{T("All kinds")}
	for _, k := range app.DeviceKinds {
		kinds = append(kinds, T(k.Label()))
	}
	p.kind = widget.NewSelect(kinds, nil)
	p.kind.SetSelectedIndex(0)
	p.kind.OnChanged = func(string) { p.filter() }
	p.offline = widget.NewCheck(T("Offline only"), nil)
	p.summary = muted("")
	p.list = widget.NewList(func() int { return len(p.rows) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.ListIcon()), container.NewCenter(statusDot(themeColor(colorOffline)))),
				muted("—"), widget.NewLabel("Device name template"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { p.setRow(i, o.(*fyne.Container)) })
	p.list.OnSelected = func(i widget.ListItemID) {
		if i < len(p.rows) {
			p.selected = p.rows[i].ID
			p.showDetail()
		}
	}
	p.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("Select a device to see its state"))))
	top := container.NewVBox(container.NewBorder(nil, nil, heading(T("Devices")), p.summary), p.search, container.NewHBox(p.kind, p.offline))
	devices := container.NewHSplit(container.NewBorder(top, nil, nil, nil, p.list), container.NewPadded(p.detail))
	devices.Offset = 0.45

	p.unregList = widget.NewList(func() int { return len(p.unreg) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, widget.NewButton(T("Adopt…"), nil), widget.NewLabel("unregistered device template"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { p.setUnregRow(i, o.(*fyne.Container)) })
	unreg := container.NewBorder(container.NewVBox(heading(T("Unregistered devices")),
		muted(T("Devices that send messages but are not in the site inventory. Their messages are journaled; they raise no alarms until adopted."))),
		nil, nil, nil, p.unregList)

	p.malCount = muted("")
	p.malList = widget.NewList(func() int { return len(p.malformed) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("malformed message template")
			l.Wrapping = fyne.TextWrapWord
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.malformed) {
				m := p.malformed[i]
				o.(*widget.Label).SetText(fmt.Sprintf("%s  %s  (%d B)\n%s", m.Time.Local().Format("15:04:05"), m.Topic, m.Size, m.Reason))
			}
		})
	p.broker = newBrokerDiag()
	diag := container.NewBorder(container.NewVBox(p.broker.box, heading(T("Unreadable messages")), p.malCount), nil, nil, nil, p.malList)

	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon(T("Devices"), theme.StorageIcon(), devices),
		container.NewTabItemWithIcon(T("Unregistered"), theme.QuestionIcon(), unreg),
		container.NewTabItemWithIcon(T("Diagnostics"), theme.WarningIcon(), diag),
	)
	p.content = tabs
	p.offline.OnChanged = func(bool) { p.filter() }
	p.filter()
	p.Tick()
	return p
}

func (p *devicePanel) Object() fyne.CanvasObject { return p.content }

func (p *devicePanel) Shown(on bool) {
	p.visible = on
	if on {
		p.Tick()
	}
}

func (p *devicePanel) monitor() *app.DeviceMonitor {
	if p.c.core.Ingest == nil {
		return nil
	}
	return p.c.core.Ingest.Monitor()
}

// filter chooses the devices listed.
func (p *devicePanel) filter() {
	site := p.c.core.Inventory.Site()
	if site == nil {
		return
	}
	q := strings.ToLower(strings.TrimSpace(p.search.Text))
	mon := p.monitor()
	p.rows = p.rows[:0]
	for _, d := range site.Devices {
		if p.kind.SelectedIndex() > 0 && d.Kind != app.DeviceKinds[p.kind.SelectedIndex()-1] {
			continue
		}
		if q != "" && !d.Matches(q) && !strings.Contains(strings.ToLower(d.ID), q) && !strings.Contains(strings.ToLower(d.Location), q) {
			continue
		}
		if p.offline.Checked && mon != nil {
			if st, ok := mon.State(d.ID); ok && st.Online {
				continue
			}
		}
		p.rows = append(p.rows, d)
	}
	p.list.Refresh()
}

func (p *devicePanel) setRow(i int, box *fyne.Container) {
	if i >= len(p.rows) {
		return
	}
	d := p.rows[i]
	en := english()
	left := box.Objects[1].(*fyne.Container)
	left.Objects[0].(*widget.Icon).SetResource(kindSymbol(d.Kind))
	name := d.Display(en)
	if loc := d.DisplayLocation(en); loc != "" && !strings.Contains(name, loc) {
		name += " · " + loc
	}
	box.Objects[0].(*widget.Label).SetText(name)
	state, dot := T("Never heard"), themeColor(colorOffline)
	clockOff := false
	if mon := p.monitor(); mon != nil {
		if st, ok := mon.State(d.ID); ok {
			if st.Online {
				state, dot = p.c.ago(st.LastSeen), themeColor(colorOK)
			} else {
				state, dot = T("Offline")+" · "+p.c.ago(st.LastSeen), themeColor(colorP1)
			}
			if st.Battery != nil {
				state += fmt.Sprintf(" · %.0f%%", *st.Battery)
			}
			if st.ClockOff() {
				state += " · " + T("clock off")
				clockOff = true
			}
			if lost := lostText(&st); lost != "" {
				state += " · " + lost
				clockOff = true // the same warning colour: something about the device to look into
			}
		}
	}
	if mark := maintenanceBadge(p.c.core, &d); mark != "" {
		state = mark + " · " + state
	}
	left.Objects[1] = container.NewCenter(statusDot(dot))
	left.Refresh()
	right := box.Objects[2].(*canvas.Text)
	right.Color = themeColor(colorMuted)
	if clockOff {
		right.Color = themeColor(colorP2)
	}
	right.Text = state
	right.Refresh()
}

// Tick keeps the states current while the panel is shown.
func (p *devicePanel) Tick() {
	mon := p.monitor()
	if mon == nil {
		return
	}
	on, off := mon.Counts()
	site := p.c.core.Inventory.Site()
	total := 0
	if site != nil {
		total = len(site.Devices)
	}
	p.summary.Text = T("{{.On}} online · {{.Off}} offline · {{.N}} devices", map[string]any{"On": on, "Off": off, "N": total})
	p.summary.Refresh()
	if !p.visible {
		return
	}
	p.list.Refresh()
	p.unreg = mon.UnregisteredDevices()
	p.unregList.Refresh()
	p.broker.update(mon.Broker())
	n, list := mon.MalformedMessages()
	p.malformed = list
	p.malCount.Text = T("{{.N}} unreadable messages since the start (the latest are listed; each is also in the log)", map[string]any{"N": n})
	p.malCount.Refresh()
	p.malList.Refresh()
	if p.selected != "" && time.Now().Second()%5 == 0 {
		p.showDetail()
	}
}

func (p *devicePanel) showDetail() {
	site := p.c.core.Inventory.Site()
	d, ok := site.Device(p.selected)
	if !ok {
		return
	}
	en := english()
	rows := []kvRow{kv("Identifier", d.ID), kv("Type", T(d.Kind.Label())), kv("Location", d.DisplayLocation(en)),
		kv("Supervision window", formatDuration(d.SupervisionWindow()))}
	if g, ok := site.Grid(d.GridID); ok {
		rows = append(rows, kv("Grid", g.Display(en)+" · "+g.Worker.Name+" "+g.Worker.Phone))
	}
	rows = append(rows, p.armingRows(site, d)...)
	if mon := p.monitor(); mon != nil {
		if st, ok := mon.State(d.ID); ok {
			state := T("Online")
			if !st.Online {
				state = T("Offline")
			}
			rows = append(rows, kv("State", state), kv("Last heard", st.LastSeen.Local().Format("2006-01-02 15:04:05")+" ("+p.c.ago(st.LastSeen)+")"),
				kv("Messages", strconv.FormatInt(st.Messages, 10)))
			if st.ClockOff() {
				rows = append(rows, kv("Device clock", T("Off by {{.Skew}}: its messages are timed by when Watchpost received them; set the device's clock (NTP)",
					map[string]any{"Skew": signedDuration(st.ClockSkew.D())})))
			}
			if st.Gaps > 0 {
				rows = append(rows, kv("Messages lost", T("{{.N}} never arrived, the latest gap at {{.When}}: check the broker's settings (docs/devices.md) and the device's link",
					map[string]any{"N": st.Gaps, "When": st.LastGap.Local().Format("2006-01-02 15:04:05")})))
			}
			for _, k := range readingKeys(st.Values) { // reading_values.go
				if k == "status" {
					continue // online/offline: the State row above says it
				}
				rows = append(rows, kvRow{Key: readingLabel(k), Value: widget.NewLabel(readingValue(k, st.Values[k]))})
			}
		} else {
			rows = append(rows, kv("State", T("Never heard")))
		}
	}
	body := container.NewVBox(container.NewHBox(widget.NewIcon(kindSymbol(d.Kind)), heading(d.Display(en))), p.maintenanceButtons(site, d),
		widget.NewSeparator(), details(rows))
	if hist, err := p.c.core.Desk.DeviceHistory(context.Background(), d.ID, 15); err == nil && len(hist) > 0 {
		body.Add(heading(T("Latest messages")))
		for i := len(hist) - 1; i >= 0; i-- {
			e := hist[i]
			var r app.Reading
			text := e.Time.Local().Format("15:04:05") + "  " + string(e.Kind)
			if held, ok := suppressedText(&e); ok {
				text = e.Time.Local().Format("15:04:05") + "  " + held
			} else if gap, ok := gapText(&e); ok {
				text = e.Time.Local().Format("15:04:05") + "  " + gap
			} else if e.Decode(&r) == nil {
				text = e.Time.Local().Format("15:04:05") + "  " + readingSummary(&r)
				if note := readingClockNote(&r); note != "" {
					text += " · " + note
				}
			}
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			body.Add(l)
		}
	}
	p.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	p.detail.Refresh()
}

func (p *devicePanel) setUnregRow(i int, box *fyne.Container) {
	if i >= len(p.unreg) {
		return
	}
	u := p.unreg[i]
	box.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s — %s, %s %s · %s: %s",
		u.DeviceID, T("{{.N}} messages", map[string]any{"N": u.Messages}), T("last"), p.c.ago(u.LastSeen), T("fields"), strings.Join(u.Fields, ", ")))
	btn := box.Objects[1].(*widget.Button)
	btn.OnTapped = func() { p.adopt(u) }
	if op := p.c.Operator(); op == nil || !op.Role.Can(app.ActEditSite) {
		btn.Disable()
	} else {
		btn.Enable()
	}
}

// adopt registers an unregistered device: the administrator says what it is and where.
func (p *devicePanel) adopt(u app.Unregistered) {
	labels := make([]string, len(app.DeviceKinds))
	for i, k := range app.DeviceKinds {
		labels[i] = T(k.Label())
	}
	kind := widget.NewSelect(labels, nil)
	for i, k := range app.DeviceKinds { // guess the kind from its fields
		for f := range schemaFields(k) {
			if contains(u.Fields, f) && kind.Selected == "" {
				kind.SetSelected(labels[i])
			}
		}
	}
	name := widget.NewEntry()
	name.SetText(u.DeviceID)
	site := p.c.core.Inventory.Site()
	building := newBuildingPicker(site, "")
	loc := widget.NewEntry()
	x, y := widget.NewEntry(), widget.NewEntry()
	x.SetPlaceHolder(T("the building's middle, or 0"))
	y.SetPlaceHolder(T("the building's middle, or 0"))
	// The dialog stays open until the device is registered, and with the reason when the
	// core refuses it.
	newWriteForm(p.c, T("Adopt {{.ID}}", map[string]any{"ID": u.DeviceID}), T("Adopt"), []*widget.FormItem{
		widget.NewFormItem(T("Type"), kind), widget.NewFormItem(T("Name"), name), widget.NewFormItem(T("Building"), building.Select),
		widget.NewFormItem(T("Location"), loc), widget.NewFormItem(T("Position x (m)"), x), widget.NewFormItem(T("Position y (m)"), y),
	}, func() (write, error) {
		k := app.DeviceKind("")
		for i, l := range labels {
			if l == kind.Selected {
				k = app.DeviceKinds[i]
			}
		}
		px, _ := strconv.ParseFloat(app.PlainASCII(x.Text), 64)
		py, _ := strconv.ParseFloat(app.PlainASCII(y.Text), 64)
		d := app.Device{ID: u.DeviceID, Kind: k, Names: app.Names{Name: name.Text}, Location: loc.Text, Position: app.Point{X: px, Y: py}}
		if b, ok := building.Building(site); ok {
			d.BuildingID = b.ID
			if app.PlainASCII(x.Text) == "" && app.PlainASCII(y.Text) == "" {
				d.Position = b.Footprint.Centroid() // its grid follows from there
			}
		}
		if k == app.KindBracelet {
			d.Person = &app.Person{Name: name.Text}
		}
		var secret app.DeviceSecret
		return write{
			run: func(ctx context.Context, op *app.Operator) (err error) {
				secret, err = p.c.core.Credentials.AddDevice(ctx, op, d, true) // with its own broker credentials
				return err
			},
			done: func() {
				if mon := p.monitor(); mon != nil {
					mon.Adopted(u.DeviceID)
				}
				p.filter()
				p.Tick()
				p.c.showDeviceCredentials([]app.DeviceSecret{secret})
			},
		}, nil
	}).Show(fyne.NewSize(520, 0))
}

// schemaFields lists the fields a kind's messages carry (to guess an unknown device's kind).
func schemaFields(k app.DeviceKind) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(map[app.DeviceKind]string{
		app.KindSmoke: "smoke tamper", app.KindManhole: "tilt displacement water_level", app.KindStreetlight: "on fault power",
		app.KindCallButton: "pressed", app.KindBracelet: "sos fall heart_rate", app.KindDoor: "method person forced held_open",
		app.KindPlateCamera: "plate direction lane", app.KindCharger: "overheat",
	}[k]) {
		m[f] = true
	}
	return m
}
