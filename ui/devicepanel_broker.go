package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The device broker's part of the device panel's diagnostics: how devices reach it (the
// TLS certificate's fingerprint for installers to pin, a plain listener allowed beyond this
// machine as a warning) and what it refused to hold (oversized packets, expired sessions,
// connections without CONNECT, retained messages over the budget, unknown devices beyond
// those kept, messages the journal refused), each counted with its latest reason.

type brokerDiag struct {
	box         *fyne.Container
	fingerprint *widget.Label
	warning     *widget.Label
	refused     *widget.Label
}

func newBrokerDiag() *brokerDiag {
	d := &brokerDiag{fingerprint: widget.NewLabel(""), warning: widget.NewLabel(""), refused: widget.NewLabel("")}
	d.fingerprint.Wrapping = fyne.TextWrapWord
	d.fingerprint.Selectable = true
	d.warning.Wrapping = fyne.TextWrapWord
	d.warning.Importance = widget.DangerImportance
	d.refused.Wrapping = fyne.TextWrapWord
	d.box = container.NewVBox(heading(T("Device broker")), d.fingerprint, d.warning, d.refused)
	return d
}

// update shows the watch's state; nil (no embedded broker) hides the section.
func (d *brokerDiag) update(w *app.BrokerWatch) {
	fp, plainOn := w.Exposure()
	if fp == "" {
		d.fingerprint.SetText(T("No TLS listener: devices connect in clear (on this machine only unless allowed below)"))
	} else {
		d.fingerprint.SetText(T("TLS certificate fingerprint (SHA-256), for installers to pin: {{.FP}}", map[string]any{"FP": fp}))
	}
	if plainOn == "" {
		d.warning.Hide()
	} else {
		d.warning.SetText(T("Warning: the broker listens without encryption on {{.Address}} (allowed by allow_plain_on): passwords and messages cross the network in clear", map[string]any{"Address": plainOn}))
		d.warning.Show()
	}
	d.refused.SetText(refusalsText(w.Refusals()))
}

// refusalsText lists the refusals, one a line, with the latest reason of each.
func refusalsText(rs []app.Refusal) string {
	if len(rs) == 0 {
		return T("Nothing refused since the start")
	}
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += "\n"
		}
		s += T("{{.Kind}}: {{.N}} (latest {{.At}}: {{.Reason}})", map[string]any{
			"Kind": T(r.Kind.Label()), "N": r.Count, "At": r.Last.Local().Format("15:04:05"), "Reason": T(r.Reason, r.Args)})
	}
	return s
}
