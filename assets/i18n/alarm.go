package i18n

import (
	"strings"

	"watchpost/app"
)

// How an alarm reads wherever it is shown (the console's panels, the reports, and later
// the phone pages and notifications): its title, its place and its cause, rendered from
// the facts the core stored (kind, device or camera, parameters) in one language.

// AlarmTitle is the alarm's kind, translated ("Fire alarm" / "火警").
func (tr Translator) AlarmTitle(a *app.Alarm) string { return tr.T(app.AlarmKindLabel(a.Kind)) }

// AlarmPlace names where the alarm is: its device and the device's location, or its
// camera, or the place recorded with it; a cause recorded as a sentence by an earlier
// version when nothing else is known.
func (tr Translator) AlarmPlace(a *app.Alarm, site *app.Site) string {
	if place, ok := a.PlaceName(site, tr.English()); ok {
		return place
	}
	if a.Recorded() {
		return tr.AlarmCause(a, site)
	}
	return a.SourceID()
}

// AlarmDetails are the facts of the cause beyond its kind and place ("61 °C", "3 people"),
// joined; "" when there are none.
func (tr Translator) AlarmDetails(a *app.Alarm) string {
	var parts []string
	for _, m := range a.CauseDetails(tr.English()) {
		parts = append(parts, tr.Message(m))
	}
	sep := ", "
	if tr.Lang() == Chinese {
		sep = "，"
	}
	return strings.Join(parts, sep)
}

// AlarmCause is the alarm's whole cause as one line; a cause recorded as a sentence by an
// earlier version is shown as recorded, marked as such.
func (tr Translator) AlarmCause(a *app.Alarm, site *app.Site) string {
	if a.Recorded() {
		return a.Describe(site, tr.English(), tr.Translate)
	}
	colon, open, close := ": ", " (", ")"
	if tr.Lang() == Chinese {
		colon, open, close = "：", "（", "）"
	}
	s := tr.AlarmTitle(a)
	if place := tr.AlarmPlace(a, site); place != "" {
		s += colon + place
	}
	if d := tr.AlarmDetails(a); d != "" {
		s += open + d + close
	}
	return s
}

// AlarmStateLabel is the name of an alarm's state (an English key, translated where shown).
func AlarmStateLabel(s app.AlarmState) string {
	switch s {
	case app.AlarmNew:
		return "New"
	case app.AlarmAcknowledged:
		return "Acknowledged"
	case app.AlarmDispatched:
		return "Dispatched"
	case app.AlarmResolved:
		return "Resolved"
	}
	return string(s)
}
