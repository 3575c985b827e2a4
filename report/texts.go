package report

import (
	"fmt"
	"time"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The small texts of the core's records that the documents and the console's panels
// share: a timer, who did something, what a journal entry records.

// ClockDuration renders a timer: 04:05, or 1:02:03 past an hour.
func ClockDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// OperatorName shows who did something: the name recorded, else the user name (the
// system in words).
func OperatorName(tr i18n.Translator, username, name string) string {
	if name != "" {
		return name
	}
	if username == app.SystemActor {
		return tr.T("system")
	}
	return username
}

// EntryLabel names what an alarm's journal entry records ("Acknowledged").
func EntryLabel(tr i18n.Translator, k app.EntryKind) string {
	switch k {
	case app.KindAlarmRaised:
		return tr.T("Alarm raised")
	case app.KindAlarmRepeated:
		return tr.T("Repeated")
	case app.KindAlarmAcknowledged:
		return tr.T("Acknowledged")
	case app.KindAlarmDispatched:
		return tr.T("Dispatched")
	case app.KindAlarmResolved:
		return tr.T("Resolved")
	case app.KindClipMissing:
		return tr.T("No clip")
	}
	return string(k)
}
