package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Every device has broker credentials of its own (issue 15): the core makes them when the
// device is added or adopted, or when an administrator regenerates them, and hands them
// back once. This dialog is that once: the user name, client ID and password of each, to
// copy or export (CSV, 0600) for the installer. Closed, they are gone: Watchpost keeps only
// a keyed hash, and a lost password is regenerated.

// credentialsDialog is the dialog's state (kept for its tests).
type credentialsDialog struct {
	c       *Console
	d       dialog.Dialog
	secrets []app.DeviceSecret
	status  *widget.Label
}

// showDeviceCredentials shows devices' new credentials, this once.
func (c *Console) showDeviceCredentials(secrets []app.DeviceSecret) *credentialsDialog {
	cd := &credentialsDialog{c: c, secrets: secrets, status: widget.NewLabel("")}
	note := widget.NewLabel(T("Shown this once: Watchpost keeps only a hash of each password and cannot show it again. Give them to the installer now (copy, or export a file); a lost password is regenerated."))
	note.Wrapping = fyne.TextWrapWord
	rows := container.NewVBox()
	for _, s := range secrets {
		value := func(text string) *widget.Label {
			l := widget.NewLabel(text)
			l.Selectable = true
			l.TextStyle.Monospace = true
			return l
		}
		rows.Add(widget.NewForm(
			widget.NewFormItem(T("Device"), value(s.DeviceID)),
			widget.NewFormItem(T("User name"), value(s.Username)),
			widget.NewFormItem(T("Client ID"), value(s.DeviceID)),
			widget.NewFormItem(T("Password"), value(s.Password)),
		))
	}
	copyBtn := widget.NewButton(T("Copy"), cd.copy)
	exportBtn := widget.NewButton(T("Export CSV…"), cd.export)
	var list fyne.CanvasObject = rows
	size := fyne.NewSize(640, 0) // as tall as its content
	if len(secrets) > 2 {
		list = container.NewVScroll(rows) // an import's or a whole site's: scrolled
		size.Height = 640
	}
	body := container.NewBorder(container.NewVBox(note, muted(T("Topics: watchpost/<site>/<device ID>/…; client ID: the device ID, or <device ID>/…"))),
		container.NewVBox(container.NewHBox(copyBtn, exportBtn), cd.status), nil, nil, list)
	cd.d = dialog.NewCustom(T("Broker credentials"), T("Close"), body, c.win)
	cd.d.Resize(size)
	cd.d.Show()
	return cd
}

// text is the credentials as the installer's CSV (id,username,password).
func (cd *credentialsDialog) text() string { return string(app.CredentialsCSV(cd.secrets)) }

func (cd *credentialsDialog) copy() {
	fyne.CurrentApp().Clipboard().SetContent(cd.text())
	cd.status.SetText(T("Copied: id,username,password"))
}

func (cd *credentialsDialog) export() {
	name := "watchpost-credentials.csv"
	if len(cd.secrets) == 1 {
		name = fmt.Sprintf("watchpost-credentials-%s.csv", cd.secrets[0].DeviceID)
	}
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		if err := writePrivate(wc, []byte(cd.text())); err != nil {
			cd.status.SetText(ErrText(err))
			return
		}
		cd.status.SetText(T("Written: {{.Path}}", map[string]any{"Path": wc.URI().Path()}))
	}, cd.c.win)
	fd.SetFileName(name)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

// credentialsRow is the device dialog's line about a saved device's credentials: when they
// were made and by whom, and Regenerate (after a confirmation).
func (c *Console) credentialsRow(deviceID string) fyne.CanvasObject {
	info := widget.NewLabel("")
	info.Wrapping = fyne.TextWrapWord
	show := func() {
		if cr, ok := c.core.Credentials.Info(deviceID); ok {
			info.SetText(T("Made {{.When}} by {{.Who}}", map[string]any{"When": cr.SetAt.Local().Format("2006-01-02 15:04"), "Who": cr.SetBy}))
		} else if s := c.core.Inventory.Site(); s != nil && s.Demo {
			info.SetText(T("The demo's published password (demo-<device ID>)"))
		} else {
			info.SetText(T("None yet: the device cannot connect until they are made"))
		}
	}
	show()
	var regen *widget.Button
	regen = widget.NewButton(T("Regenerate…"), func() {
		c.confirmRegenerate(deviceID, regen, show)
	})
	if op := c.Operator(); op == nil || !op.Role.Can(app.ActEditSite) {
		regen.Disable()
	}
	return container.NewBorder(nil, nil, nil, regen, info)
}

// confirmRegenerate asks, then makes new credentials for a device and shows them once.
func (c *Console) confirmRegenerate(deviceID string, btn *widget.Button, after func()) {
	showConfirm(T("Regenerate credentials…"),
		T("From now on {{.ID}} is refused with its current password until it is set up with the new one. Regenerate its credentials?", map[string]any{"ID": deviceID}),
		func(ok bool) {
			if !ok {
				return
			}
			var secrets []app.DeviceSecret
			c.write(write{
				lock: []fyne.Disableable{btn},
				run: func(ctx context.Context, op *app.Operator) (err error) {
					secrets, err = c.core.Credentials.Generate(ctx, op, app.CredentialsRegenerated, deviceID)
					return err
				},
				done: func() {
					after()
					c.showDeviceCredentials(secrets)
				},
			})
		}, c.win)
}
