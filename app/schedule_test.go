package app

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tod(t *testing.T, s string) TimeOfDay {
	v, err := ParseTimeOfDay(s)
	require.NoError(t, err)
	return v
}

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// nightsAndWeekends: working nights 22:00–06:00, and the whole weekend day.
func nightsAndWeekends(t *testing.T) WeeklySchedule {
	return WeeklySchedule{Windows: []Window{
		{Days: weekdays, Start: tod(t, "22:00"), End: tod(t, "06:00")},
		{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: tod(t, "00:00"), End: tod(t, "00:00")},
	}}
}

func TestTimeOfDayParsing(t *testing.T) {
	for _, s := range []string{"22:00", "6:30", "00:00", "24:00", "23:59"} {
		_, err := ParseTimeOfDay(s)
		assert.NoError(t, err, s)
	}
	for _, s := range []string{"", "22", "25:00", "12:60", "24:01", "ab:cd", "1:2", "-1:00"} {
		_, err := ParseTimeOfDay(s)
		assert.Error(t, err, s)
	}
	b, err := json.Marshal(Window{Days: []time.Weekday{time.Monday}, Start: tod(t, "22:00"), End: tod(t, "6:00")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"days":[1],"start":"22:00","end":"06:00"}`, string(b))
	var w Window
	require.NoError(t, json.Unmarshal(b, &w))
	assert.Equal(t, TimeOfDay(22*60), w.Start)
	assert.Error(t, json.Unmarshal([]byte(`{"days":[1],"start":"26:00","end":"06:00"}`), &w))
}

func TestScheduleActiveTable(t *testing.T) {
	sh := DefaultLocation()
	cal := &HolidayCalendar{Days: []CalendarDay{
		{Date: "2025-10-01", Kind: DayHoliday, Name: "国庆节"},  // a Wednesday
		{Date: "2025-09-28", Kind: DayWorkday, Name: "国庆调休"}, // a Sunday worked
		{Date: "2025-10-11", Kind: DayWorkday, Name: "国庆调休"}, // a Saturday worked
	}}
	night := WeeklySchedule{Windows: []Window{{Days: weekdays, Start: tod(t, "22:00"), End: tod(t, "06:00")}}}
	office := WeeklySchedule{Windows: []Window{{Days: weekdays, Start: tod(t, "08:00"), End: tod(t, "18:00")}}}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		require.NoError(t, err)
		return v
	}
	cases := []struct {
		name  string
		sched WeeklySchedule
		at    string
		want  bool
	}{
		{"Monday afternoon, night schedule", night, "2025-09-22 14:00", false},
		{"Monday late evening", night, "2025-09-22 23:00", true},
		{"crossing midnight into Tuesday", night, "2025-09-23 05:59", true},
		{"its end is not in it", night, "2025-09-23 06:00", false},
		{"Friday's night runs into Saturday", night, "2025-09-27 03:00", true},
		{"Saturday night: no window starts on Saturday", night, "2025-09-27 23:00", false},
		{"Sunday's night ends Monday morning only if Sunday has one", night, "2025-09-22 03:00", false},
		{"a 调休 Sunday follows the working day", office, "2025-09-28 10:00", true},
		{"and its night too", night, "2025-09-28 23:00", true},
		{"a 调休 Saturday follows the working day", office, "2025-10-11 09:00", true},
		{"a holiday Wednesday follows the weekend", office, "2025-10-01 10:00", false},
		{"the night before the holiday belongs to Tuesday", night, "2025-10-01 02:00", true},
		{"the holiday's own night is not armed", night, "2025-10-01 23:00", false},
		{"nights and weekends: Saturday noon", nightsAndWeekends(t), "2025-09-27 12:00", true},
		{"nights and weekends: holiday noon", nightsAndWeekends(t), "2025-10-01 12:00", true},
		{"nights and weekends: 调休 Saturday noon", nightsAndWeekends(t), "2025-10-11 12:00", false},
		{"empty schedule", WeeklySchedule{}, "2025-09-22 12:00", false},
	}
	for _, c := range cases {
		tt := Timetable{Schedule: c.sched, Loc: sh, Calendar: cal}
		assert.Equal(t, c.want, tt.Active(at(c.at)), c.name)
		// The same instant seen from another zone is the same answer: the site's zone decides.
		assert.Equal(t, c.want, tt.Active(at(c.at).UTC()), c.name+" (UTC)")
	}
}

func TestScheduleNextChange(t *testing.T) {
	sh := DefaultLocation()
	night := Timetable{Schedule: WeeklySchedule{Windows: []Window{{Days: weekdays, Start: tod(t, "22:00"), End: tod(t, "06:00")}}}, Loc: sh}
	mon := time.Date(2025, 9, 22, 14, 0, 0, 0, sh)
	next, ok := night.NextChange(mon)
	require.True(t, ok)
	assert.Equal(t, time.Date(2025, 9, 22, 22, 0, 0, 0, sh), next)
	next, ok = night.NextChange(next)
	require.True(t, ok)
	assert.Equal(t, time.Date(2025, 9, 23, 6, 0, 0, 0, sh), next)
	// Friday's night ends on Saturday, and the next begins on Monday.
	next, ok = night.NextChange(time.Date(2025, 9, 27, 6, 0, 0, 0, sh))
	require.True(t, ok)
	assert.Equal(t, time.Date(2025, 9, 29, 22, 0, 0, 0, sh), next)
	// Windows that touch are one stretch: from Friday 22:00 through the weekend to the end of
	// Sunday (Sunday has no night window of its own).
	nw := Timetable{Schedule: nightsAndWeekends(t), Loc: sh}
	next, ok = nw.NextChange(time.Date(2025, 9, 26, 23, 0, 0, 0, sh))
	require.True(t, ok)
	assert.Equal(t, time.Date(2025, 9, 29, 0, 0, 0, 0, sh), next)
	_, ok = Timetable{Loc: sh}.NextChange(mon)
	assert.False(t, ok, "a schedule never active never changes")
	always := Timetable{Schedule: WeeklySchedule{Windows: []Window{{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}}}, Loc: sh}
	assert.True(t, always.Active(mon))
	_, ok = always.NextChange(mon)
	assert.False(t, ok, "a schedule always active never changes")
}

// Property: Active is constant from t up to NextChange(t) and differs at it, for random
// schedules, holiday calendars and instants, in the site's zone (no daylight saving) and in
// one with daylight saving.
func TestScheduleNextChangeProperty(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	rng := rand.New(rand.NewSource(14))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		var s WeeklySchedule
		for n := rng.Intn(4); n > 0; n-- {
			w := Window{Start: TimeOfDay(rng.Intn(48) * 30), End: TimeOfDay(rng.Intn(48) * 30)}
			for d := time.Sunday; d <= time.Saturday; d++ {
				if rng.Intn(2) == 0 {
					w.Days = append(w.Days, d)
				}
			}
			s.Windows = append(s.Windows, w)
		}
		cal := &HolidayCalendar{}
		for n := rng.Intn(5); n > 0; n-- {
			kind := DayHoliday
			if rng.Intn(2) == 0 {
				kind = DayWorkday
			}
			cal.Days = append(cal.Days, CalendarDay{Date: base.AddDate(0, 0, rng.Intn(365)).Format(time.DateOnly), Kind: kind})
		}
		loc := DefaultLocation()
		if i%2 == 1 {
			loc = ny
		}
		tt := Timetable{Schedule: s, Loc: loc, Calendar: cal}
		t0 := base.Add(time.Duration(rng.Int63n(int64(365 * 24 * time.Hour))))
		now := tt.Active(t0)
		next, ok := tt.NextChange(t0)
		limit := t0.Add(9 * 24 * time.Hour)
		if ok {
			require.True(t, next.After(t0))
			require.NotEqual(t, now, tt.Active(next), "case %d: no change at %v", i, next)
			limit = next
		}
		for probe := t0; probe.Before(limit); probe = probe.Add(17 * time.Minute) {
			require.Equal(t, now, tt.Active(probe), "case %d: changed at %v before %v (%+v)", i, probe, next, s)
		}
	}
}

func TestHolidayCalendarValidate(t *testing.T) {
	ok := HolidayCalendar{Days: []CalendarDay{{Date: "2025-10-01", Kind: DayHoliday}, {Date: "2025-10-11", Kind: DayWorkday}}}
	assert.NoError(t, ok.Validate())
	for _, bad := range []HolidayCalendar{
		{Days: []CalendarDay{{Date: "2025-13-01", Kind: DayHoliday}}},
		{Days: []CalendarDay{{Date: "2025-10-01", Kind: "party"}}},
		{Days: []CalendarDay{{Date: "2025-10-01", Kind: DayHoliday}, {Date: "2025-10-01", Kind: DayWorkday}}},
	} {
		assert.Error(t, bad.Validate())
	}
	assert.Error(t, (&WeeklySchedule{Windows: []Window{{Start: 60, End: 120}}}).Validate(), "a window without days")
}

func TestSiteLocation(t *testing.T) {
	var s *Site
	assert.Equal(t, "Asia/Shanghai", s.Location().String())
	assert.Equal(t, "Asia/Shanghai", (&Site{}).Location().String())
	assert.Equal(t, "Asia/Urumqi", (&Site{TimeZone: "Asia/Urumqi"}).Location().String())
}
