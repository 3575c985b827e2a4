package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The duty log (值班日志): what a shift left open to the next and what its operator wrote,
// read back from the journal's handovers. The handover dialog shows it beside the form, and
// the same view of what is open now.

// maxOpenLines is how many alarms (and steps) the view names one by one; the rest are counted.
const maxOpenLines = 6

// openView lists what is open: alarms by priority and the first few by name, running
// incidents, overdue checklist steps.
func openView(c *Console, o app.OpenAtHandover) fyne.CanvasObject {
	if o.Empty() {
		return widget.NewLabel(T("Nothing is open: no alarms, no incidents."))
	}
	site := c.core.Inventory.Site()
	en := english()
	box := container.New(layout.NewCustomPaddedVBoxLayout(2))
	if len(o.Alarms) > 0 {
		box.Add(boldLabel(T("Open alarms: {{.N}}", map[string]any{"N": len(o.Alarms)}) + "  " + countsText(o.Counts)))
		for i, a := range o.Alarms {
			if i == maxOpenLines {
				box.Add(wrapMuted(T("and {{.N}} more", map[string]any{"N": len(o.Alarms) - maxOpenLines})))
				break
			}
			box.Add(alarmLine(&a, site))
		}
	}
	if len(o.Incidents) > 0 {
		box.Add(boldLabel(T("Running incidents: {{.N}}", map[string]any{"N": len(o.Incidents)})))
		for _, in := range o.Incidents {
			box.Add(wrapLabel(incidentLine(in)))
		}
	}
	if len(o.Overdue) > 0 {
		box.Add(boldLabel(T("Overdue checklist steps: {{.N}}", map[string]any{"N": len(o.Overdue)})))
		for i, s := range o.Overdue {
			if i == maxOpenLines {
				box.Add(wrapMuted(T("and {{.N}} more", map[string]any{"N": len(o.Overdue) - maxOpenLines})))
				break
			}
			due := T("due {{.Time}}", map[string]any{"Time": s.Due.Local().Format("15:04")})
			box.Add(wrapLabel(fmt.Sprintf("#%d · %s · %s", s.Incident, s.DisplayTitle(en), due)))
		}
	}
	if len(o.Maintenance) > 0 { // devices that raise no alarm (or test alarms) for now
		box.Add(boldLabel(T("In maintenance or test mode: {{.N}}", map[string]any{"N": len(o.Maintenance)})))
		now := c.core.Clock.Now()
		for _, m := range o.Maintenance {
			box.Add(wrapLabel(targetName(site, m.Target) + " · " + maintenanceText(site, now, m)))
		}
	}
	return box
}

// alarmLine is one open alarm: its priority in its colour, number, title and place.
func alarmLine(a *app.Alarm, site *app.Site) fyne.CanvasObject {
	p := newBadge(a.Priority.String(), priorityColor(a.Priority))
	text := fmt.Sprintf("#%d %s · %s", a.ID, alarmTitle(a), alarmPlace(a, site))
	if a.Drill {
		text += " · " + T("DRILL")
	}
	return container.NewBorder(nil, nil, container.NewCenter(p), nil, wrapLabel(text))
}

func incidentLine(in app.HandoverIncident) string {
	s := fmt.Sprintf("#%d %s · %s", in.ID, in.Title, T(in.Level.Label()))
	if in.Drill {
		s += " · " + T("DRILL")
	}
	return s
}

// countsText is "P1 1 · P3 2 · P4 5": the priorities that have open alarms.
func countsText(c app.AlarmCounts) string {
	parts := make([]string, 0, len(app.Priorities))
	for _, p := range app.Priorities {
		if c[p] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p, c[p]))
		}
	}
	return strings.Join(parts, " · ")
}

// dutyLogView lists handovers, newest first: when, who to whom, what was open, the note.
func dutyLogView(c *Console, list []app.Handover) fyne.CanvasObject {
	if len(list) == 0 {
		return wrapMuted(T("No handovers yet. Each handover's duty log is kept here and in the journal (watchpost journal --subject shift:)."))
	}
	box := container.NewVBox()
	for i, h := range list {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		box.Add(handoverCard(c, h))
	}
	return box
}

// handoverCard is one handover of the duty log.
func handoverCard(c *Console, h app.Handover) fyne.CanvasObject {
	when := widget.NewLabelWithStyle(h.At.Local().Format("2006-01-02 15:04"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	when.Importance = widget.LowImportance
	who := boldLabel(T("{{.From}} → {{.To}}", map[string]any{
		"From": fmt.Sprintf("%s (%s)", h.OutgoingName, h.Outgoing), "To": fmt.Sprintf("%s (%s)", h.IncomingName, h.Incoming)}))
	box := container.New(layout.NewCustomPaddedVBoxLayout(0), container.NewHBox(when, who))
	box.Add(wrapMuted(openSummary(h.Open)))
	box.Add(wrapLabel(h.Note))
	return box
}

// openSummary says in one line what a shift left open, naming the alarms and incidents by number.
func openSummary(o app.OpenAtHandover) string {
	if o.Empty() {
		return T("Nothing was open.")
	}
	var parts []string
	if len(o.Alarms) > 0 {
		ids := make([]string, len(o.Alarms))
		for i, id := range o.AlarmIDs() {
			ids[i] = fmt.Sprintf("#%d", id)
		}
		parts = append(parts, T("Open alarms: {{.N}}", map[string]any{"N": len(o.Alarms)})+" ("+countsText(o.Counts)+"): "+strings.Join(ids, " "))
	}
	if len(o.Incidents) > 0 {
		ids := make([]string, len(o.Incidents))
		for i, in := range o.Incidents {
			ids[i] = fmt.Sprintf("#%d", in.ID)
		}
		parts = append(parts, T("Running incidents: {{.N}}", map[string]any{"N": len(o.Incidents)})+": "+strings.Join(ids, " "))
	}
	if len(o.Overdue) > 0 {
		parts = append(parts, T("Overdue checklist steps: {{.N}}", map[string]any{"N": len(o.Overdue)}))
	}
	if len(o.Maintenance) > 0 {
		parts = append(parts, T("In maintenance or test mode: {{.N}}", map[string]any{"N": len(o.Maintenance)}))
	}
	sep := "; "
	if Language() == "zh-CN" {
		sep = "；"
	}
	return strings.Join(parts, sep)
}
