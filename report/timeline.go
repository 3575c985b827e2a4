package report

import (
	"fmt"
	"sort"
	"strings"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// What the entries of an incident's or a drill's timeline record, as the documents, the
// incident's log and the replay say it.

// IncidentEntry says what an incident's (or its alarm's) journal entry records; in gives
// its steps' titles.
func IncidentEntry(tr i18n.Translator, e app.Entry, in *app.Incident) string {
	en := tr.English()
	stepTitle := func(id string) string {
		if in != nil && in.Plan != nil {
			if s, ok := in.Plan.Step(id); ok {
				return s.DisplayTitle(en)
			}
		}
		return id
	}
	if e.Kind.IsAlarm() {
		var a app.Alarm
		_ = e.Decode(&a)
		t := EntryLabel(tr, e.Kind) + ": " + tr.AlarmTitle(&a) + fmt.Sprintf(" (#%d)", a.ID)
		if e.Kind == app.KindAlarmRaised {
			t = EntryLabel(tr, e.Kind) + ": " + tr.AlarmTitle(&a) + fmt.Sprintf(" (#%d) ", e.Seq) + tr.AlarmCause(&a, nil)
		}
		return t
	}
	if e.Kind == app.KindDeviceGap {
		var g app.SeqGap
		_ = e.Decode(&g)
		return tr.T("Messages {{.From}}–{{.To}} of {{.Device}} never arrived ({{.N}})",
			map[string]any{"From": g.From, "To": g.To, "Device": g.Device, "N": g.Missing})
	}
	if e.Kind == app.KindIncidentOpened {
		var o app.Incident
		_ = e.Decode(&o)
		name := o.PlanID
		if o.Plan != nil {
			name = o.Plan.Display(en)
		}
		return tr.T("Incident opened with plan {{.Plan}} at {{.Level}}", map[string]any{"Plan": name, "Level": tr.T(o.Level.Label())})
	}
	var ch app.IncidentChange
	if e.Decode(&ch) != nil {
		return string(e.Kind)
	}
	switch e.Kind {
	case app.KindIncidentStepDone:
		t := tr.T("Step done") + ": " + stepTitle(ch.Step)
		if ch.Note != "" {
			t += " — " + ch.Note
		}
		return t
	case app.KindIncidentStepSkipped:
		return tr.T("Step skipped") + ": " + stepTitle(ch.Step) + " — " + ch.Reason
	case app.KindIncidentLevelChanged:
		if ch.Level == nil {
			return tr.T("Level changed")
		}
		t := tr.T("Level changed") + ": " + tr.T(ch.Level.To.Label())
		if ch.Level.Reason != "" {
			t += " — " + ch.Level.Reason
		}
		return t
	case app.KindIncidentCallLogged:
		if ch.Call == nil {
			return tr.T("Call")
		}
		return tr.T("Call") + ": " + ch.Call.Name + " " + ch.Call.Phone + " — " + tr.T(ch.Call.Result.Label())
	case app.KindIncidentNoteAdded:
		return tr.T("Note") + ": " + ch.Note
	case app.KindIncidentAlarmLinked:
		return tr.T("Alarm linked") + fmt.Sprintf(": #%d", ch.Alarm)
	case app.KindIncidentClosed:
		t := tr.T("Incident closed") + ": "
		if ch.Outcome != "" {
			t += tr.T(ch.Outcome.Label()) + " — "
		}
		t += ch.Summary
		if len(ch.Resolved) > 0 {
			t += " — " + tr.T("alarms resolved with it: {{.IDs}}", map[string]any{"IDs": alarmIDs(ch.Resolved)})
		}
		if len(ch.LeftOpen) > 0 {
			t += " — " + tr.T("alarms left open: {{.IDs}}", map[string]any{"IDs": alarmIDs(ch.LeftOpen)})
		}
		return t
	}
	return string(e.Kind)
}

// alarmIDs writes alarm numbers as "#12 #15".
func alarmIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(parts, " ")
}

// DrillEntry says what an entry of a drill's timeline records; inc is the drill's
// incident (for its steps' titles), its zero value where none was opened.
func DrillEntry(tr i18n.Translator, e app.Entry, inc *app.Incident) string {
	en := tr.English()
	switch e.Kind {
	case app.KindDrillStarted:
		r, _ := app.DrillRunOf(&e)
		return tr.T("Drill started") + ": " + r.Names().Display(en)
	case app.KindDrillStopped:
		r, _ := app.DrillRunOf(&e)
		t := tr.T("Drill stopped")
		if r.Score != nil {
			t += " — " + tr.T("Score {{.P}}%", map[string]any{"P": r.Score.Percent})
		}
		return t
	case app.KindDrillInjected:
		var in app.DrillInjection
		_ = e.Decode(&in)
		switch in.What {
		case app.InjectNote:
			return tr.T("Scenario note") + ": " + in.DisplayNote(en)
		case app.InjectDetection:
			return tr.T("Injected") + ": " + tr.T("detection on {{.Camera}}", map[string]any{"Camera": in.Camera})
		}
		t := tr.T("Injected") + ": " + tr.T("message of {{.Device}}", map[string]any{"Device": in.Device})
		if in.Error != "" {
			t += " — " + recordedText(tr, in.Error)
		}
		return t
	}
	return IncidentEntry(tr, e, inc)
}

// recordedText is a text the journal holds as English (why an injection failed): shown
// translated where it is one of our texts (an error without fields), else as recorded.
func recordedText(tr i18n.Translator, s string) string {
	if i18n.Known(s) {
		return tr.T(s)
	}
	return s
}

// Injection says what a scenario's injection does.
func Injection(tr i18n.Translator, in *app.DrillInject, site *app.Site) string {
	en := tr.English()
	switch in.What() {
	case app.InjectDevice:
		name := in.Device
		if site != nil {
			if d, ok := site.Device(in.Device); ok {
				name = d.Display(en)
			}
		}
		parts := []string{name}
		if in.Event != "" {
			parts = append(parts, in.Event)
		}
		if v := valuesText(in.Values); v != "" {
			parts = append(parts, v)
		}
		return strings.Join(parts, " · ")
	case app.InjectDetection:
		name := in.Camera
		if site != nil {
			if c, ok := site.Camera(in.Camera); ok {
				name = c.Display(en)
			}
		}
		parts := []string{name, tr.T(in.Detector.Label())}
		if in.Count > 0 {
			parts = append(parts, tr.T("{{.N}} people", map[string]any{"N": in.Count}))
		}
		if in.Detail != "" {
			parts = append(parts, in.Detail)
		}
		return strings.Join(parts, " · ")
	case app.InjectNote:
		return tr.T("Scenario note") + ": " + in.DisplayNote(en)
	}
	return ""
}

// valuesText writes a message's fields as key=value, in a stable order.
func valuesText(v map[string]any) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, v[k])
	}
	return strings.Join(parts, " ")
}
