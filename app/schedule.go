package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The one schedule type of the console: weekly windows (days of the week, a start and an end
// time) in the site's time zone, with the site's holiday calendar. Arming uses it now; patrols,
// visits, quiet hours and recording reuse it.
//
// A window whose end is not after its start crosses midnight: 22:00–06:00 on Monday is active
// from Monday 22:00 to Tuesday 06:00. It belongs to the day it starts, so the holiday calendar
// is asked about that day. A window from 00:00 to 00:00 is the whole day.
//
// The holiday calendar (节假日) turns dates into other days: a public holiday follows the
// weekend's schedule (Sunday's windows), a moved working day (调休, a Saturday or Sunday
// worked in exchange for a longer holiday) follows the working day's schedule (Monday's
// windows).

// TimeOfDay is a time of the day in minutes after midnight (0–1439); JSON "HH:MM".
type TimeOfDay int

// ParseTimeOfDay reads "HH:MM" (also "H:MM"; "24:00" is midnight at the end of the day,
// stored as 0).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	var h, m int
	s = strings.TrimSpace(s)
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) < 4 || s[len(s)-3] != ':' ||
		h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, Errorf(CodeInvalid, "{{.Time}} is not a time of day like 22:00", "Time", s)
	}
	return TimeOfDay((h*60 + m) % (24 * 60)), nil
}

// String is "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalJSON writes "HH:MM".
func (t TimeOfDay) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads "HH:MM".
func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseTimeOfDay(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Window is one weekly window: on each of Days, from Start to End (crossing midnight when End
// is not after Start).
type Window struct {
	Days  []time.Weekday `json:"days"`
	Start TimeOfDay      `json:"start"`
	End   TimeOfDay      `json:"end"`
}

// Crosses reports whether the window runs past midnight into the next day (a whole day,
// 00:00–00:00, ends at the next midnight too).
func (w Window) Crosses() bool { return w.End <= w.Start }

func (w Window) on(day time.Weekday) bool {
	for _, d := range w.Days {
		if d == day {
			return true
		}
	}
	return false
}

// WeeklySchedule is a set of weekly windows; it is active when any window is. (The analytics
// detectors' older Schedule, hours of every day, is to become one of these.)
type WeeklySchedule struct {
	Windows []Window `json:"windows"`
}

// Validate checks the windows.
func (s *WeeklySchedule) Validate() error {
	var p Problems
	for i, w := range s.Windows {
		if len(w.Days) == 0 {
			p.Add(fmt.Sprintf("windows.%d.days", i), "Window {{.N}} has no day of the week", "N", i+1)
		}
		for _, d := range w.Days {
			if d < time.Sunday || d > time.Saturday {
				p.Add(fmt.Sprintf("windows.%d.days", i), "Window {{.N}} has an unknown day", "N", i+1)
			}
		}
		if w.Start < 0 || w.Start >= 24*60 || w.End < 0 || w.End >= 24*60 {
			p.Add(fmt.Sprintf("windows.%d", i), "Window {{.N}} has a time outside the day", "N", i+1)
		}
	}
	return p.Err()
}

// CalendarDayKind says how the holiday calendar turns a date.
type CalendarDayKind string

const (
	DayHoliday CalendarDayKind = "holiday" // a public holiday: the weekend's schedule (Sunday's)
	DayWorkday CalendarDayKind = "workday" // 调休: a weekend day worked, the working day's schedule (Monday's)
)

// CalendarDay is one date of the holiday calendar.
type CalendarDay struct {
	Date string          `json:"date"` // YYYY-MM-DD in the site's time zone
	Kind CalendarDayKind `json:"kind"`
	Name string          `json:"name,omitempty"` // 国庆节, 春节调休…; shown as written
}

// HolidayCalendar is the site's public holidays and moved working days, which admins edit.
type HolidayCalendar struct {
	Days []CalendarDay `json:"days"`
}

// Validate checks the dates and kinds; a date appears at most once.
func (c *HolidayCalendar) Validate() error {
	var p Problems
	seen := map[string]bool{}
	for i, d := range c.Days {
		f := fmt.Sprintf("days.%d", i)
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			p.Add(f, "{{.Date}} is not a date like 2025-10-01", "Date", d.Date)
		} else if seen[d.Date] {
			p.Add(f, "{{.Date}} is in the calendar twice", "Date", d.Date)
		}
		seen[d.Date] = true
		if d.Kind != DayHoliday && d.Kind != DayWorkday {
			p.Add(f, "{{.Date}}: a day is a holiday or a moved working day", "Date", d.Date)
		}
		if len([]rune(d.Name)) > 40 {
			p.Add(f, "{{.Date}}: the name is too long (at most 40 characters)", "Date", d.Date)
		}
	}
	return p.Err()
}

// Sorted returns the days in date order.
func (c HolidayCalendar) Sorted() []CalendarDay {
	out := append([]CalendarDay(nil), c.Days...)
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// Day returns the calendar's entry for a date, if any.
func (c *HolidayCalendar) Day(date string) (CalendarDay, bool) {
	if c == nil {
		return CalendarDay{}, false
	}
	for _, d := range c.Days {
		if d.Date == date {
			return d, true
		}
	}
	return CalendarDay{}, false
}

// ScheduleDay is the weekday whose windows a date follows: its own, Sunday's on a holiday,
// Monday's on a moved working day.
func (c *HolidayCalendar) ScheduleDay(date time.Time) time.Weekday {
	if d, ok := c.Day(date.Format(time.DateOnly)); ok {
		switch d.Kind {
		case DayHoliday:
			return time.Sunday
		case DayWorkday:
			return time.Monday
		}
	}
	return date.Weekday()
}

// Timetable is a schedule read in a place: the site's time zone and holiday calendar.
type Timetable struct {
	Schedule WeeklySchedule
	Loc      *time.Location   // nil: the site's default (Asia/Shanghai)
	Calendar *HolidayCalendar // nil: no holidays
}

func (tt Timetable) loc() *time.Location {
	if tt.Loc == nil {
		return DefaultLocation()
	}
	return tt.Loc
}

// midnight returns the start of the day of y-m-d in loc.
func midnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// at returns the instant of a time of day on the day that starts at day (a DST change is
// handled by time.Date).
func at(day time.Time, t TimeOfDay) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), int(t)/60, int(t)%60, 0, 0, day.Location())
}

// spans returns the windows starting on the day that begins at day, as instants [from, to).
func (tt Timetable) spans(day time.Time) [][2]time.Time {
	wd := tt.Calendar.ScheduleDay(day)
	var out [][2]time.Time
	for _, w := range tt.Schedule.Windows {
		if !w.on(wd) {
			continue
		}
		from := at(day, w.Start)
		end := day
		if w.Crosses() {
			end = midnight(day.Year(), day.Month(), day.Day()+1, day.Location())
		}
		out = append(out, [2]time.Time{from, at(end, w.End)})
	}
	return out
}

// Active reports whether t falls in one of the windows (of its own day, or of the day before
// crossing midnight).
func (tt Timetable) Active(t time.Time) bool {
	lt := t.In(tt.loc())
	today := midnight(lt.Year(), lt.Month(), lt.Day(), lt.Location())
	for _, day := range []time.Time{midnight(lt.Year(), lt.Month(), lt.Day()-1, lt.Location()), today} {
		for _, s := range tt.spans(day) {
			if !t.Before(s[0]) && t.Before(s[1]) {
				return true
			}
		}
	}
	return false
}

// nextChangeHorizon is how far NextChange looks: past the longest run of holidays.
const nextChangeHorizon = 62

// NextChange returns the first instant after t at which Active changes, and false when it
// does not change in the next two months (a schedule always or never active).
func (tt Timetable) NextChange(t time.Time) (time.Time, bool) {
	lt := t.In(tt.loc())
	now := tt.Active(t)
	var edges []time.Time
	for i := -1; i <= nextChangeHorizon; i++ {
		day := midnight(lt.Year(), lt.Month(), lt.Day()+i, lt.Location())
		for _, s := range tt.spans(day) {
			edges = append(edges, s[0], s[1])
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].Before(edges[j]) })
	for _, e := range edges {
		if e.After(t) && tt.Active(e) != now {
			return e, true
		}
	}
	return time.Time{}, false
}

// DefaultTimeZone is the time zone of a site that names none.
const DefaultTimeZone = "Asia/Shanghai"

// DefaultLocation is Asia/Shanghai, or China Standard Time (UTC+8, no daylight saving) where
// the system has no time zone database.
func DefaultLocation() *time.Location {
	if loc, err := time.LoadLocation(DefaultTimeZone); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}
