package ui

import (
	"sort"
	"time"

	"watchpost/app"
)

// What the console does about urgent alarms whatever is on screen — a panel, a dialog or
// the sign-in screen: it chimes while a P1/P2 alarm waits for acknowledgement, asks the
// desktop for attention (the window's urgency hint) and keeps every alarm counter current.
// The shell adds the pop-up, the no-sound banner and the wall's turn to the alarm's
// cameras (alarm_popup.go, sound_banner.go, wall_follow.go).

// rechimeEvery is how often the chime repeats while an urgent alarm waits.
const rechimeEvery = 6 * time.Second

// urgentWaiting lists the open P1/P2 alarms nobody has acknowledged yet, in the order the
// pop-up queues them: real alarms before drill alarms, the more urgent first, then the one
// that has waited longest. A drill's alarms are in it too: a drill trains the real reaction.
func urgentWaiting(open []app.Alarm) []app.Alarm {
	var out []app.Alarm
	for _, a := range open {
		if a.State == app.AlarmNew && a.Priority <= app.P2 && !a.Test { // an installer's test: on the desk only
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Drill != b.Drill {
			return !a.Drill
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if !a.RaisedAt.Equal(b.RaisedAt) {
			return a.RaisedAt.Before(b.RaisedAt)
		}
		return a.ID < b.ID
	})
	return out
}

// alarmEntry follows a committed journal entry (on the UI thread, signed in or not).
func (c *Console) alarmEntry(e app.Entry) {
	if !e.Kind.IsAlarm() {
		return
	}
	var a app.Alarm
	// The entry itself says what was raised: the desk's list may not hold it yet.
	if e.Kind == app.KindAlarmRaised && e.Decode(&a) == nil && a.Priority <= app.P2 && !a.Test {
		c.sound.Play(a.Priority == app.P1)
		c.lastChime = time.Now()
		c.askAttention(true)
	} else {
		c.followAlarms()
	}
	if c.signIn != nil {
		c.signIn.counters.refresh()
	}
}

// alarmTick repeats the chime while an urgent alarm waits and catches up with the desk
// (an entry can arrive before the desk's list holds its alarm).
func (c *Console) alarmTick() {
	c.followAlarms()
	if c.signIn != nil {
		c.signIn.counters.refresh()
	}
	waiting := urgentWaiting(c.core.Desk.Open())
	if len(waiting) > 0 && time.Since(c.lastChime) > rechimeEvery {
		c.sound.Play(waiting[0].Priority == app.P1)
		c.lastChime = time.Now()
	}
}

// followAlarms keeps the window's urgency hint while an urgent alarm waits and clears it
// once none does.
func (c *Console) followAlarms() {
	waiting := len(urgentWaiting(c.core.Desk.Open())) > 0
	if waiting != c.attention {
		c.askAttention(waiting)
	}
}

// askAttention sets or clears the window's urgency hint. Setting it again on each new
// alarm matters: a window manager clears it once the window is focused.
func (c *Console) askAttention(on bool) {
	c.attention = on
	if c.attend != nil {
		c.attend(on)
	}
}
