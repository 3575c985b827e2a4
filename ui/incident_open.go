package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// incidentButton is the alarm desk's way into incident command: "Open incident…" for an
// alarm no incident handles yet (commanders), or the incident that handles it. Once that
// incident is closed the desk links to it; it offers a new incident only for an alarm left
// open whose cause came back after the close (its repeats fold into the same alarm).
func (c *Console) incidentButton(a app.Alarm) fyne.CanvasObject {
	if c.core.Incidents == nil || c.core.Plans == nil {
		return layout.NewSpacer()
	}
	in, ok, err := c.core.Incidents.OfAlarm(context.Background(), a.ID)
	if err != nil {
		c.core.Log.Warn("the incident of an alarm", "alarm", a.ID, "err", err)
	}
	if ok && in.State == app.IncidentOpen {
		return widget.NewButtonWithIcon(T("Incident #{{.ID}}", map[string]any{"ID": in.ID}), theme.NavigateNextIcon(), func() { c.ShowIncident(in.ID) })
	}
	var closed *widget.Button
	if ok {
		id := in.ID
		closed = widget.NewButtonWithIcon(T("Incident #{{.ID}} (closed)", map[string]any{"ID": id}), theme.NavigateNextIcon(), func() { c.ShowIncident(id) })
		if !a.State.Open() || !a.LastAt.After(in.ClosedAt) {
			return closed
		}
	}
	b := widget.NewButtonWithIcon(T("Open incident…"), theme.WarningIcon(), func() { c.openIncidentDialog(&a) })
	if closed != nil {
		b.SetText(T("Open a new incident…"))
	}
	b.Importance = widget.DangerImportance
	// Maintenance notices (a device offline, a supply expired) are not emergencies.
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActOpenIncident) || !a.State.Open() || a.Fault {
		b.Disable()
	}
	if closed != nil {
		return container.NewHBox(closed, b)
	}
	return b
}

// planChoice lists plans for a select: those the alarm kind suggests first, marked.
func (c *Console) planChoice(kind string) (labels []string, ids map[string]string) {
	sug, others := c.core.Plans.Suggest(kind)
	ids = map[string]string{}
	en := english()
	for _, p := range sug {
		l := "★ " + p.Display(en)
		labels = append(labels, l)
		ids[l] = p.ID
	}
	for _, p := range others {
		l := p.Display(en)
		labels = append(labels, l)
		ids[l] = p.ID
	}
	return labels, ids
}

// openIncidentDialog asks what incident to open: from an alarm (the plan its kind suggests
// is chosen, the alarm is linked) or by hand.
func (c *Console) openIncidentDialog(a *app.Alarm) {
	en := english()
	kind := ""
	if a != nil {
		kind = a.Kind
	}
	labels, ids := c.planChoice(kind)
	if len(labels) == 0 {
		dialog.ShowInformation(T("Open incident"), T("There are no plans yet: an administrator or a trainer adds them under Plans and resources."), c.win)
		return
	}
	title := widget.NewEntry()
	levels := make([]string, len(app.Levels))
	for i, l := range app.Levels {
		levels[i] = T(l.Label())
	}
	level := widget.NewSelect(levels, nil)
	meaning := wrapLabel("")
	meaning.Importance = widget.LowImportance
	plan := widget.NewSelect(labels, nil)
	setLevel := func(l app.Level) {
		for i, x := range app.Levels {
			if x == l {
				level.SetSelectedIndex(i)
			}
		}
	}
	showMeaning := func() {
		pl, ok := c.core.Plans.Get(ids[plan.Selected])
		if !ok {
			return
		}
		for i, x := range app.Levels {
			if levels[i] == level.Selected {
				meaning.SetText(pl.LevelText(x, en))
			}
		}
	}
	plan.OnChanged = func(v string) {
		if pl, ok := c.core.Plans.Get(ids[v]); ok {
			setLevel(pl.StartLevel())
			if a == nil && (title.Text == "" || isPlanName(c, title.Text)) {
				title.SetText(pl.Display(en))
			}
		}
		showMeaning()
	}
	level.OnChanged = func(string) { showMeaning() }
	drill := widget.NewCheck(T("This is a drill"), nil)
	items := []*widget.FormItem{}
	if a != nil {
		site := c.core.Inventory.Site()
		where := alarmPlace(a, site)
		if site != nil {
			if d, ok := site.Device(a.DeviceID); ok && d.DisplayLocation(en) != "" {
				where = d.DisplayLocation(en)
			}
		}
		title.SetText(T(app.AlarmKindLabel(a.Kind)) + " · " + where)
		drill.SetChecked(a.Drill)
		items = append(items, widget.NewFormItem(T("Alarm"), wrapLabel(fmt.Sprintf("#%d %s %s · %s", a.ID, a.Priority, T(app.AlarmKindLabel(a.Kind)), where))))
	}
	plan.SetSelectedIndex(0)
	items = append(items,
		widget.NewFormItem(T("Plan"), plan),
		widget.NewFormItem(T("Level"), level),
		widget.NewFormItem("", meaning),
		widget.NewFormItem(T("Title"), title),
		widget.NewFormItem("", drill),
	)
	newWriteForm(c, T("Open incident"), T("Open incident"), items, func() (write, error) {
		req := app.OpenRequest{Title: title.Text, PlanID: ids[plan.Selected], Drill: drill.Checked}
		for i, l := range app.Levels {
			if levels[i] == level.Selected {
				req.Level = l
			}
		}
		if a != nil {
			req.AlarmID = a.ID
		}
		var in app.Incident
		return write{
			run: func(ctx context.Context, op *app.Operator) (err error) {
				in, err = c.core.Incidents.Open(ctx, op, req)
				return err
			},
			done: func() { c.ShowIncident(in.ID) },
		}, nil
	}).Show(fyne.NewSize(640, 420))
}

func isPlanName(c *Console, s string) bool {
	for _, p := range c.core.Plans.List() {
		if strings.EqualFold(p.Name, s) || strings.EqualFold(p.NameEn, s) {
			return true
		}
	}
	return false
}
