package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The arming editor (布防) of administrators: the arming schedules per device, grid or
// device kind with their weekly windows, the holiday calendar with its moved working days
// (调休), and what is in maintenance or test mode now. Every change is one journaled write
// checked in the core (ActEditArming); the panel shows the core's state after it.

type armingPanel struct {
	c       *Console
	content fyne.CanvasObject

	schedules []app.ArmingSchedule
	schedList *widget.List
	schedSel  int

	days    []app.CalendarDay
	dayList *widget.List
	daySel  int

	maint *fyne.Container
}

// weekOrder is the week as the guard room reads it: Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// dayShort is a weekday's short name (translated).
func dayShort(d time.Weekday) string {
	return T([]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}[d])
}

// daysText says which days a window is on: "Every day", "Working days", "Weekends", or the list.
func daysText(days []time.Weekday) string {
	on := map[time.Weekday]bool{}
	for _, d := range days {
		on[d] = true
	}
	work := on[1] && on[2] && on[3] && on[4] && on[5]
	switch {
	case len(on) == 7:
		return T("Every day")
	case len(on) == 5 && work:
		return T("Working days")
	case len(on) == 2 && on[0] && on[6]:
		return T("Weekends")
	}
	var names []string
	for _, d := range weekOrder {
		if on[d] {
			names = append(names, dayShort(d))
		}
	}
	return strings.Join(names, T(", "))
}

// windowText is "Working days 22:00–06:00 (next day)".
func windowText(w app.Window) string {
	span := w.Start.String() + "–" + w.End.String()
	if w.Start == w.End {
		span = T("all day")
	} else if w.Crosses() {
		span += " " + T("(next day)")
	}
	return daysText(w.Days) + " " + span
}

// scheduleText lists a schedule's windows.
func scheduleText(s app.WeeklySchedule) string {
	parts := make([]string, len(s.Windows))
	for i, w := range s.Windows {
		parts[i] = windowText(w)
	}
	return strings.Join(parts, T("; "))
}

// calendarKindLabel is the English name of a calendar day's kind (the translation key).
func calendarKindLabel(k app.CalendarDayKind) string {
	if k == app.DayWorkday {
		return "Moved working day (调休): working-day schedule"
	}
	return "Public holiday: weekend schedule"
}

func newArmingPanel(c *Console) panelView {
	p := &armingPanel{c: c, schedSel: -1, daySel: -1}
	site := c.core.Inventory.Site()

	p.schedList = widget.NewList(func() int { return len(p.schedules) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("schedule target template")
			title.TextStyle.Bold = true
			windows := widget.NewLabel("windows template")
			windows.Wrapping = fyne.TextWrapWord
			return container.NewVBox(title, windows)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.schedules) {
				return
			}
			s := p.schedules[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(T(s.Target.Scope.Label()) + " · " + targetName(site, s.Target))
			box.Objects[1].(*widget.Label).SetText(T("Armed: {{.Windows}}", map[string]any{"Windows": scheduleText(s.Schedule)}))
		})
	p.schedList.OnSelected = func(i widget.ListItemID) { p.schedSel = i }
	p.schedList.OnUnselected = func(widget.ListItemID) { p.schedSel = -1 }
	addSched := widget.NewButtonWithIcon(T("Add…"), theme.ContentAddIcon(), func() { p.editSchedule(nil) })
	editSched := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() {
		if p.schedSel >= 0 && p.schedSel < len(p.schedules) {
			s := p.schedules[p.schedSel]
			p.editSchedule(&s)
		}
	})
	delSched := widget.NewButtonWithIcon(T("Remove"), theme.DeleteIcon(), p.removeSchedule)
	schedHelp := wrapMuted(T("A device follows its own schedule, else its grid's, else its kind's; without any it is armed always. Outside its windows a device's intrusion alarms (door forced, door held, manhole…) are journaled but not raised; fire, calls for help and faults are always raised."))
	schedules := container.NewBorder(container.NewVBox(heading(T("Arming schedules")), schedHelp, container.NewHBox(addSched, editSched, delSched)),
		nil, nil, nil, p.schedList)

	p.dayList = widget.NewList(func() int { return len(p.days) },
		func() fyne.CanvasObject { return widget.NewLabel("2025-10-01 calendar day template") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.days) {
				return
			}
			d := p.days[i]
			text := fmt.Sprintf("%s %s · %s", d.Date, p.weekdayOf(d.Date), T(calendarKindLabel(d.Kind)))
			if d.Name != "" {
				text += " · " + d.Name
			}
			o.(*widget.Label).SetText(text)
		})
	p.dayList.OnSelected = func(i widget.ListItemID) { p.daySel = i }
	p.dayList.OnUnselected = func(widget.ListItemID) { p.daySel = -1 }
	addDay := widget.NewButtonWithIcon(T("Add…"), theme.ContentAddIcon(), p.addDay)
	delDay := widget.NewButtonWithIcon(T("Remove"), theme.DeleteIcon(), p.removeDay)
	calHelp := wrapMuted(T("Public holidays follow Sunday's windows; moved working days (调休) follow Monday's. Times are the site's ({{.Zone}}).",
		map[string]any{"Zone": site.Location().String()}))
	calendar := container.NewBorder(container.NewVBox(heading(T("Holidays and moved working days")), calHelp, container.NewHBox(addDay, delDay)),
		nil, nil, nil, p.dayList)

	p.maint = container.New(layout.NewCustomPaddedVBoxLayout(2))
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActEditArming) {
		for _, b := range []*widget.Button{addSched, editSched, delSched, addDay, delDay} {
			b.Disable()
		}
	}
	right := container.NewVSplit(container.NewPadded(calendar),
		container.NewPadded(container.NewBorder(heading(T("In maintenance or test mode now")), nil, nil, nil, container.NewVScroll(p.maint))))
	right.Offset = 0.6
	split := container.NewHSplit(container.NewPadded(schedules), right)
	split.Offset = 0.52
	p.content = split
	p.reload()
	return p
}

func (p *armingPanel) Object() fyne.CanvasObject { return p.content }

func (p *armingPanel) Shown(on bool) {
	if on {
		p.reload()
	}
}

// Tick shows a maintenance that ended by itself as gone.
func (p *armingPanel) Tick() { p.showMaintenance() }

func (p *armingPanel) weekdayOf(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return dayShort(t.Weekday())
}

// reload reads the core's state back.
func (p *armingPanel) reload() {
	ar := p.c.core.Arming
	if ar == nil {
		return
	}
	p.schedules = ar.Schedules()
	p.days = ar.Calendar().Sorted()
	p.schedList.UnselectAll()
	p.dayList.UnselectAll()
	p.schedList.Refresh()
	p.dayList.Refresh()
	p.showMaintenance()
}

func (p *armingPanel) showMaintenance() {
	ar := p.c.core.Arming
	if ar == nil {
		return
	}
	site := p.c.core.Inventory.Site()
	now := p.c.core.Clock.Now()
	list := ar.Maintenances(now)
	objs := make([]fyne.CanvasObject, 0, len(list))
	for _, m := range list {
		objs = append(objs, wrapLabel(targetName(site, m.Target)+" · "+maintenanceText(site, now, m)))
	}
	if len(objs) == 0 {
		objs = append(objs, wrapMuted(T("No device is in maintenance or test mode. The device panel starts one.")))
	}
	p.maint.Objects = objs
	p.maint.Refresh()
}

func (p *armingPanel) removeSchedule() {
	if p.schedSel < 0 || p.schedSel >= len(p.schedules) {
		return
	}
	t := p.schedules[p.schedSel].Target
	p.c.write(write{run: func(ctx context.Context, op *app.Operator) error { return p.c.core.Arming.ClearSchedule(ctx, op, t) }, done: p.reload})
}

// saveDays writes the whole calendar.
func (p *armingPanel) saveDays(days []app.CalendarDay, done func()) write {
	cal := app.HolidayCalendar{Days: days}
	return write{run: func(ctx context.Context, op *app.Operator) error { return p.c.core.Arming.SetCalendar(ctx, op, cal) },
		done: func() {
			p.reload()
			if done != nil {
				done()
			}
		}}
}

func (p *armingPanel) removeDay() {
	if p.daySel < 0 || p.daySel >= len(p.days) {
		return
	}
	days := append(append([]app.CalendarDay(nil), p.days[:p.daySel]...), p.days[p.daySel+1:]...)
	p.c.write(p.saveDays(days, nil))
}

// addDay asks for a date, whether it is a holiday or a moved working day, and its name.
func (p *armingPanel) addDay() {
	date := widget.NewEntry()
	date.SetPlaceHolder("2025-10-01")
	kinds := []app.CalendarDayKind{app.DayHoliday, app.DayWorkday}
	labels := []string{T(calendarKindLabel(app.DayHoliday)), T(calendarKindLabel(app.DayWorkday))}
	kind := widget.NewRadioGroup(labels, nil)
	kind.SetSelected(labels[0])
	name := widget.NewEntry()
	name.SetPlaceHolder(T("National Day, Spring Festival make-up day…"))
	newWriteForm(p.c, T("Add a day to the calendar"), T("Add"), []*widget.FormItem{
		widget.NewFormItem(T("Date"), date), widget.NewFormItem(T("Kind"), kind), widget.NewFormItem(T("Name"), name),
	}, func() (write, error) {
		d := app.CalendarDay{Date: strings.TrimSpace(app.PlainASCII(date.Text)), Kind: kinds[0], Name: name.Text}
		if kind.Selected == labels[1] {
			d.Kind = app.DayWorkday
		}
		return p.saveDays(append(append([]app.CalendarDay(nil), p.days...), d), nil), nil
	}).Show(fyne.NewSize(600, 360)) // room for the message below the form
}
