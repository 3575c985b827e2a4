package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/mapdraw"
)

// A device's arming as the device panel shows it: armed or not now (and by which schedule),
// its maintenance or test mode with the reason, who and until when, and the buttons that
// start one (administrators and commanders: the core checks) and end it early. A
// maintenance ends by itself: the panel's tick shows it gone.

// maintenanceHours are the lengths the dialog offers.
var maintenanceHours = []int{1, 2, 4, 8, 12, 24, 48, 72}

// targetName names what a schedule or a maintenance covers, in the operator's language.
func targetName(site *app.Site, t app.ArmTarget) string {
	en := english()
	switch t.Scope {
	case app.ScopeDevice:
		if d, ok := site.Device(t.ID); ok {
			return d.Display(en)
		}
	case app.ScopeZone:
		if g, ok := site.Grid(t.ID); ok {
			return T("Grid {{.Name}}", map[string]any{"Name": g.Display(en)})
		}
	case app.ScopeKind:
		return T("All: {{.Kind}}", map[string]any{"Kind": T(app.DeviceKind(t.ID).Label())})
	}
	return t.ID
}

// siteTime shows an instant as the console's clock shows the time (the header's clock, the
// alarms' times: the computer's zone, the site's on a site's computer): the time alone
// today, else with the date. The schedules are read in the site's zone; the arming editor
// says which.
func siteTime(_ *app.Site, now, t time.Time) string {
	lt := t.Local()
	if lt.Format(time.DateOnly) == now.Local().Format(time.DateOnly) {
		return lt.Format("15:04")
	}
	return lt.Format("01-02 15:04")
}

// maintenanceText says what a maintenance is: its mode, until when, why and who.
func maintenanceText(site *app.Site, now time.Time, m app.Maintenance) string {
	return T("{{.Mode}} until {{.Until}} · {{.Reason}} · {{.By}}", map[string]any{
		"Mode": T(m.Mode.Label()), "Until": siteTime(site, now, m.Until), "Reason": m.Reason, "By": m.ByName})
}

// mutedLooks are the map's markers in maintenance or test mode now.
func mutedLooks(core *app.Core, site *app.Site) map[string]mapdraw.Look {
	if core.Arming == nil || site == nil {
		return nil
	}
	now := core.Clock.Now()
	if len(core.Arming.Maintenances(now)) == 0 {
		return nil
	}
	out := map[string]mapdraw.Look{}
	for i := range site.Devices {
		d := &site.Devices[i]
		if m, ok := core.Arming.MaintenanceOf(d, now); ok {
			out["device:"+d.ID] = mapdraw.LookMaintenance
			if m.Mode == app.ModeTest {
				out["device:"+d.ID] = mapdraw.LookTest
			}
		}
	}
	return out
}

// maintenanceBadge is the short mark of a device in maintenance or test mode for lists
// ("" when in neither).
func maintenanceBadge(core *app.Core, d *app.Device) string {
	if core.Arming == nil {
		return ""
	}
	m, ok := core.Arming.MaintenanceOf(d, core.Clock.Now())
	if !ok {
		return ""
	}
	if m.Mode == app.ModeTest {
		return T("TEST")
	}
	return T("MAINTENANCE")
}

// armingRows are the device's arming lines for its details.
func (p *devicePanel) armingRows(site *app.Site, d *app.Device) []kvRow {
	ar := p.c.core.Arming
	if ar == nil {
		return nil
	}
	now := p.c.core.Clock.Now()
	var rows []kvRow
	armed, s := ar.Armed(d, now)
	state := T("Armed always (no schedule)")
	if s != nil {
		by := targetName(site, s.Target)
		next, ok := ar.Timetable(s.Schedule).NextChange(now)
		switch {
		case armed && ok:
			state = T("Armed until {{.At}} (schedule: {{.By}})", map[string]any{"At": siteTime(site, now, next), "By": by})
		case armed:
			state = T("Armed (schedule: {{.By}})", map[string]any{"By": by})
		case ok:
			state = T("Disarmed until {{.At}} (schedule: {{.By}}); fire, calls for help and faults are always raised",
				map[string]any{"At": siteTime(site, now, next), "By": by})
		default:
			state = T("Disarmed (schedule: {{.By}}); fire, calls for help and faults are always raised", map[string]any{"By": by})
		}
	}
	rows = append(rows, kv("Arming", state))
	if m, ok := ar.MaintenanceOf(d, now); ok {
		text := maintenanceText(site, now, m)
		if m.Target.Scope != app.ScopeDevice {
			text += " · " + targetName(site, m.Target)
		}
		rows = append(rows, kv(m.Mode.Label(), text))
	}
	return rows
}

// maintenanceButtons start maintenance or test mode, or end the running one.
func (p *devicePanel) maintenanceButtons(site *app.Site, d *app.Device) fyne.CanvasObject {
	ar := p.c.core.Arming
	if ar == nil {
		return container.NewHBox()
	}
	maint := widget.NewButtonWithIcon(T("Maintenance…"), theme.SettingsIcon(), func() { p.maintenanceDialog(site, d, app.ModeMaintenance) })
	test := widget.NewButtonWithIcon(T("Test mode…"), theme.MediaRecordIcon(), func() { p.maintenanceDialog(site, d, app.ModeTest) })
	box := container.NewHBox(maint, test)
	if m, ok := ar.MaintenanceOf(d, p.c.core.Clock.Now()); ok {
		var end *widget.Button
		end = widget.NewButtonWithIcon(T("End now"), theme.MediaStopIcon(), func() {
			p.c.write(write{lock: []fyne.Disableable{end},
				run:  func(ctx context.Context, op *app.Operator) error { return ar.EndMaintenance(ctx, op, m.Target) },
				done: p.showDetail})
		})
		box.Add(end)
	}
	if op := p.c.Operator(); op == nil || !op.Role.Can(app.ActMaintenance) {
		for _, o := range box.Objects {
			o.(*widget.Button).Disable()
		}
	}
	return box
}

// maintenanceDialog asks for how long, why, and whether the device alone, its grid or its
// whole kind.
func (p *devicePanel) maintenanceDialog(site *app.Site, d *app.Device, mode app.MaintenanceMode) {
	targets := []app.ArmTarget{{Scope: app.ScopeDevice, ID: d.ID}}
	if d.GridID != "" {
		targets = append(targets, app.ArmTarget{Scope: app.ScopeZone, ID: d.GridID})
	}
	targets = append(targets, app.ArmTarget{Scope: app.ScopeKind, ID: string(d.Kind)})
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = targetName(site, t)
	}
	which := widget.NewSelect(labels, nil)
	which.SetSelectedIndex(0)
	hours := make([]string, len(maintenanceHours))
	for i, h := range maintenanceHours {
		hours[i] = formatDuration(time.Duration(h) * time.Hour)
	}
	length := widget.NewSelect(hours, nil)
	length.SetSelectedIndex(1) // 2 h
	reason := widget.NewMultiLineEntry()
	reason.SetMinRowsVisible(2)
	reason.SetPlaceHolder(T("What is being done, by whom (e.g. battery change, property technician Zhang)"))
	note := T("No alarms from it until the time is up; its messages are still journaled.")
	title := T("Maintenance")
	if mode == app.ModeTest {
		note = T("Its alarms reach the alarm desk marked TEST, without pop-up or sound, and count as no real alarm.")
		title = T("Test mode")
	}
	hint := widget.NewLabel(note)
	hint.Wrapping = fyne.TextWrapWord
	// The hint above the form: the dialog's message (a refusal) goes below it.
	form := widget.NewForm(widget.NewFormItem(T("For"), which), widget.NewFormItem(T("Duration"), length),
		widget.NewFormItem(T("Reason"), reason))
	newWriteDialog(p.c, title, T("Start"), container.NewVBox(hint, form), func() (write, error) {
		req := app.MaintenanceRequest{Target: targets[which.SelectedIndex()], Mode: mode,
			For: time.Duration(maintenanceHours[length.SelectedIndex()]) * time.Hour, Reason: strings.TrimSpace(reason.Text)}
		return write{
			run: func(ctx context.Context, op *app.Operator) error {
				_, err := p.c.core.Arming.StartMaintenance(ctx, op, req)
				return err
			},
			done: func() { p.list.Refresh(); p.showDetail() },
		}, nil
	}).Show(fyne.NewSize(560, 380)) // room for the message below the form: the dialog does not grow when it appears
}

// suppressedText says what a device.alarm_suppressed entry held back and why.
func suppressedText(e *app.Entry) (string, bool) {
	if e.Kind != app.KindAlarmSuppressed {
		return "", false
	}
	var s app.Suppressed
	if e.Decode(&s) != nil {
		return "", false
	}
	kinds := make([]string, len(s.Alarms))
	for i, a := range s.Alarms {
		kinds[i] = T(app.AlarmKindLabel(a.Kind))
	}
	if s.Reason == app.SuppressedMaintenance {
		return T("No alarm (in maintenance): {{.Alarms}}", map[string]any{"Alarms": strings.Join(kinds, T("; "))}), true
	}
	return T("No alarm (disarmed by its schedule): {{.Alarms}}", map[string]any{"Alarms": strings.Join(kinds, T("; "))}), true
}
