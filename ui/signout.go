package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// askSignOut is the header's Sign out: while alarms are open or incidents run, signing out
// leaves nobody at this console to handle them, so it asks first and offers the handover.
// Maintenance notices (a device offline, a supply expired) alone do not ask: they stay open
// for days, and a question asked every time is a question nobody reads.
func (c *Console) askSignOut() {
	alarms, incidents := c.openBeforeSignOut()
	if len(alarms) == 0 && incidents == 0 {
		c.SignOut()
		return
	}
	counts := app.AlarmCounts{}
	for _, a := range alarms {
		counts[a.Priority]++
	}
	var lines []fyne.CanvasObject
	if len(alarms) > 0 {
		lines = append(lines, boldLabel(T("Open alarms: {{.N}}", map[string]any{"N": len(alarms)})+"  "+countsText(counts)))
	}
	if incidents > 0 {
		lines = append(lines, boldLabel(T("Running incidents: {{.N}}", map[string]any{"N": incidents})))
	}
	lines = append(lines, wrapLabel(T("Once you sign out, nobody at this console is signed in to handle them. Hand the shift over to the operator who takes over, or sign out anyway.")))

	var d dialog.Dialog
	cancel := widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() { d.Hide() })
	out := widget.NewButtonWithIcon(T("Sign out anyway"), theme.LogoutIcon(), func() {
		d.Hide()
		c.SignOut()
	})
	buttons := container.NewHBox(cancel, out)
	if c.canHandOver() {
		hand := widget.NewButtonWithIcon(T("Hand over shift…"), theme.AccountIcon(), func() {
			d.Hide()
			c.showHandover()
		})
		hand.Importance = widget.HighImportance
		buttons.Add(hand)
	}
	content := container.NewBorder(nil, container.NewCenter(buttons), nil, nil, container.NewVBox(lines...))
	d = dialog.NewCustomWithoutButtons(T("Sign out"), content, c.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// openBeforeSignOut returns the open alarms that are not maintenance notices and how many
// incidents run.
func (c *Console) openBeforeSignOut() ([]app.Alarm, int) {
	var alarms []app.Alarm
	for _, a := range c.core.Desk.Open() {
		if !a.Fault {
			alarms = append(alarms, a)
		}
	}
	incidents := 0
	if c.core.Incidents != nil {
		incidents = len(c.core.Incidents.Running())
	}
	return alarms, incidents
}
