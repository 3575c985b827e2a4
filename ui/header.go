package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/assets"
)

// header is the top bar: who we are, the time, the open alarms by priority, who is on duty.
type header struct {
	c        *Console
	content  fyne.CanvasObject
	clock    *canvas.Text
	counters *alarmCounters
	orders   *orderCounter // overdue work orders (order_counter.go)
}

func newHeader(c *Console) *header {
	h := &header{c: c}
	fg := themeColor(theme.ColorNameForeground)

	logo := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(30, 30))
	name := canvas.NewText(T("Watchpost"), fg)
	name.TextStyle.Bold = true
	name.TextSize = 18
	site := ""
	if s := c.core.Inventory.Site(); s != nil {
		site = s.Display(english())
	}
	siteText := canvas.NewText(site, themeColor(colorMuted))
	siteText.TextSize = 16
	left := container.NewHBox(logo, name, widget.NewSeparator(), siteText)

	h.clock = canvas.NewText(formatClock(c.core.Clock.Now()), fg)
	h.clock.TextSize = 16
	h.clock.TextStyle.Monospace = true

	h.counters = newAlarmCounters(c, c.ShowAlarmsOf)
	h.orders = newOrderCounter(c)
	counts := container.NewHBox(muted(T("Open alarms")), h.counters.content, h.orders.content)

	right := container.NewHBox(counts, widget.NewSeparator())
	if op := c.Operator(); op != nil {
		who := canvas.NewText(op.Name, fg)
		who.TextStyle.Bold = true
		right.Add(container.NewVBox(who, muted(T(op.Role.Label()))))
	}
	if s := c.core.Inventory.Site(); s != nil && s.Demo {
		right.Add(container.NewCenter(newBadge(T("DEMO"), themeColor(colorDemo))))
		if c.canSetUp() { // setup_window.go: from the demo to one's own community
			setup := widget.NewButtonWithIcon(T("Set up your own community…"), theme.HomeIcon(), func() { c.showSetUp() })
			setup.Importance = widget.LowImportance
			right.Add(setup)
		}
	}
	if b := c.handoverButton(); b != nil { // handover.go
		right.Add(b)
	}
	out := widget.NewButtonWithIcon(T("Sign out"), theme.LogoutIcon(), c.askSignOut) // signout.go
	out.Importance = widget.LowImportance
	right.Add(out)

	bar := container.NewBorder(nil, nil, left, right, container.NewCenter(h.clock))
	bg := canvas.NewRectangle(themeColor(colorHeader))
	h.content = container.NewStack(bg, container.NewPadded(bar))
	return h
}

func (h *header) tick() {
	h.counters.refresh() // catches up when an entry came before the desk held its alarm
	h.orders.refresh()   // an order falls due with no entry
	h.clock.Text = formatClock(h.c.core.Clock.Now())
	h.clock.Refresh()
}
