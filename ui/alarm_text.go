package ui

import (
	"time"

	"watchpost/app"
)

// How an alarm reads on every panel (the desk, the pop-up, the map, the replay): its
// title, its place and its cause, rendered from the facts the core stored in the
// operator's language by assets/i18n (the reports and, later, the phone pages and
// notifications render them the same way). Panels use these and never build an alarm's
// text themselves.

// message renders a message of the core in the operator's language (values that are our
// texts are translated too).
func message(m app.Message) string { return tr().Message(m) }

// alarmTitle is the alarm's kind, translated ("Fire alarm" / "火警").
func alarmTitle(a *app.Alarm) string { return tr().AlarmTitle(a) }

// alarmPlace names where the alarm is (i18n.Translator.AlarmPlace).
func alarmPlace(a *app.Alarm, site *app.Site) string { return tr().AlarmPlace(a, site) }

// alarmDetails are the facts of the cause beyond its kind and place ("61 °C", "3 people").
func alarmDetails(a *app.Alarm) string { return tr().AlarmDetails(a) }

// alarmCause is the alarm's whole cause as one line in the operator's language.
func alarmCause(a *app.Alarm, site *app.Site) string { return tr().AlarmCause(a, site) }

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// signedDuration says how far ahead (+) or behind (−) a clock is: "+8 min", "−2 h".
func signedDuration(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	return sign + message(app.DurationMessage(absDuration(d).Round(time.Second)))
}
