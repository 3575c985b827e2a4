package ui

import (
	"strings"

	"watchpost/app"
)

// How an alarm reads on every panel (the desk, the pop-up, the map, the replay, reports):
// its title, its place and its cause, in the operator's language. Panels use these and
// never build an alarm's text themselves.

// alarmTitle is the alarm's kind, translated ("Fire alarm" / "火警").
func alarmTitle(a *app.Alarm) string { return T(app.AlarmKindLabel(a.Kind)) }

// alarmPlace names where the alarm is: its device and the device's location, or its
// camera; the cause as recorded when neither is known to the site.
func alarmPlace(a *app.Alarm, site *app.Site) string {
	en := english()
	if site != nil {
		if d, ok := site.Device(a.DeviceID); ok {
			place := d.Display(en)
			if loc := d.DisplayLocation(en); loc != "" && !strings.Contains(place, loc) {
				place += " · " + loc
			}
			return place
		}
		if c, ok := site.Camera(a.CameraID); ok {
			return c.Display(en)
		}
	}
	return a.Cause
}

// alarmCause is the alarm's cause as a sentence in the operator's language.
func alarmCause(a *app.Alarm, site *app.Site) string { return a.Cause }
