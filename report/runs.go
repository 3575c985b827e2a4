package report

import (
	"fmt"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// The runs of a drill scenario compared, as the debrief and the console's runs table show
// them: one row a run, these columns.

// RunColumns are the columns of a comparison of runs (English keys, translated when shown).
var RunColumns = []string{"Drill run", "Started", "By", "Length", "Acknowledged (mean)", "Incident opened", "Steps in time", "Missed", "Not reached", "Score"}

// RunCell is one cell of a comparison of runs: the run's column col. names gives an
// operator's name by user name (nil: user names).
func RunCell(tr i18n.Translator, run *app.DrillRun, col int, names func(string) string) string {
	s := run.Score
	switch col {
	case 0:
		return fmt.Sprintf("#%d", run.ID)
	case 1:
		return run.StartedAt.Local().Format("2006-01-02 15:04")
	case 2:
		return Context{Tr: tr, Names: names}.who(run.By, "")
	case 3:
		if run.EndedAt == nil {
			return tr.T("In progress")
		}
		return ClockDuration(run.EndedAt.Sub(run.StartedAt))
	}
	if s == nil {
		return "—"
	}
	switch col {
	case 4:
		if d, ok := s.MeanAck(); ok {
			return ClockDuration(d)
		}
		return tr.T("None")
	case 5:
		if s.Incident.At == nil {
			return tr.T("Not opened")
		}
		return ClockDuration(s.Incident.Took.D()) + " " + checkMark(tr, s.Incident.State)
	case 6:
		met, total := s.StepsInTime()
		return fmt.Sprintf("%d / %d", met, total)
	case 7:
		return fmt.Sprint(s.Missed)
	case 8:
		return fmt.Sprint(s.NotReached)
	case 9:
		return fmt.Sprintf("%d%%", s.Percent)
	}
	return ""
}

// checkMark is a short mark of a check's state for tables.
func checkMark(tr i18n.Translator, s app.CheckState) string {
	switch s {
	case app.CheckMet:
		return "✓"
	case app.CheckLate:
		return "(" + tr.T("late") + ")"
	}
	return ""
}

// checkClass is how a row of an expected reaction is marked (see Row).
func checkClass(ck app.DrillCheck) string {
	switch ck.State {
	case app.CheckMet:
		if ck.Skipped {
			return "skipped"
		}
		return "done"
	case app.CheckLate:
		return "late"
	case app.CheckNotReached:
		return "notreached"
	}
	return "open"
}
