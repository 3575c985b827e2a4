package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func absPos(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

func openFireIncident(t *testing.T, c *Console) (*incidentPanel, app.Incident) {
	t.Helper()
	commander := signInAs(t, c, "commander")
	a := raise(t, c, app.Alarm{Kind: app.AlarmFire, Priority: app.P1, Cause: "Fire alarm: 3号楼2单元12层", DeviceID: "smoke-b03-u2-12", GridID: "g1", Building: "b03"})
	in, err := c.core.Incidents.Open(context.Background(), commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: a.ID})
	require.NoError(t, err)
	p := incidentPanelOf(t, c)
	c.ShowIncident(in.ID)
	shown(t, p, "the incident", func(x *app.Incident) bool { return x.ID == in.ID })
	return p, in
}

// A pending step shows no box that looks like something to tick (Done and Skip… are
// its controls), and its countdown has the room it needs above the buttons, also once
// it turns into a longer "overdue" text.
func TestChecklistRowsHaveNoDecoyBoxAndTheirTimersFit(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			c := newTestConsole(t, app.Config{Language: lang})
			p, _ := openFireIncident(t, c)
			p.mu.Lock() // the checklist as one rendering: the console's goroutine draws it under the lock
			defer p.mu.Unlock()
			checkBox := theme.CheckButtonIcon().Name()
			require.NotEmpty(t, p.rows)
			for _, r := range p.rows {
				walk(r.box, func(o fyne.CanvasObject) {
					if ic, ok := o.(*widget.Icon); ok && ic.Resource != nil {
						assert.NotEqual(t, checkBox, ic.Resource.Name(), "step %s shows a check box that does nothing", r.item.Step.ID)
					}
				})
			}
			// The Latin monospace face has no hanzi: "已超时" in it is drawn by a fallback
			// font whose glyphs reach above the line and are cut off.
			r := p.rows[0]
			assert.False(t, r.timer.TextStyle.Monospace, "the countdown is drawn in a face that covers its words")

			fits := func(when string) {
				t.Helper()
				require.NotEmpty(t, r.timer.Text)
				need, has := r.timer.MinSize(), r.timer.Size()
				assert.GreaterOrEqual(t, has.Width+0.5, need.Width, "%s: %q is not cut", when, r.timer.Text)
				assert.GreaterOrEqual(t, has.Height+0.5, need.Height, "%s: %q is not cut", when, r.timer.Text)
				tp, dp := absPos(r.timer), absPos(r.done)
				assert.LessOrEqual(t, tp.Y+has.Height, dp.Y+0.5, "%s: the countdown is above the Done button, not under it", when)
				rowRight := absPos(r.box).X + r.box.Size().Width
				assert.LessOrEqual(t, tp.X+has.Width, rowRight+0.5, "%s: the countdown stays inside its row", when)
			}
			fits("due")
			r.update(time.Now().Add(75 * time.Minute))
			require.Equal(t, app.UrgencyOverdue, r.urgency(time.Now().Add(75*time.Minute)))
			fits("overdue")
		})
	}
}

// The incident log shows several entries without scrolling past the contacts.
func TestTheIncidentLogShowsSeveralEntries(t *testing.T) {
	c := newTestConsole(t, enConfig())
	p, in := openFireIncident(t, c)
	op := c.Operator()
	for i := 1; i <= 5; i++ {
		_, err := c.core.Incidents.AddNote(context.Background(), op, in.ID, fmt.Sprintf("note %d", i))
		require.NoError(t, err)
	}
	shown(t, p, "the notes", func(x *app.Incident) bool { return len(x.Notes) == 5 })
	p.mu.Lock()
	defer p.mu.Unlock()
	require.GreaterOrEqual(t, len(p.logBox.Objects), 4)
	winH := c.win.Canvas().Size().Height
	for i, o := range p.logBox.Objects[:4] {
		pos := absPos(o)
		assert.Positive(t, o.Size().Height)
		assert.LessOrEqual(t, pos.Y+o.Size().Height, winH, "log entry %d is on screen without scrolling", i)
	}
}
