package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
	"watchpost/report"
)

// The phone pages section of the settings: the address grid workers', property staff's and
// residents' phones open, the certificate's fingerprint a phone's user compares before
// trusting it, whether the pages reach beyond this computer, and the configuration keys
// that change all this (edited in the file: an installer's work, at the next start). From
// here an administrator prints the residents' QR label sheet (report.LabelsPDF), saved with
// the reports and opened in the desktop's viewer. Every signed-in operator sees the address
// and the fingerprint: the guard room is where a grid worker asks for them.

// phonePagesSettings is the section.
type phonePagesSettings struct {
	c      *Console
	url    string
	status *writeStatus
	print  *widget.Button
	obj    fyne.CanvasObject
}

// newPhonePagesSettings builds the section; nil when this console serves no phone pages
// (Extras.PhonePages is nil: tests).
func newPhonePagesSettings(c *Console, op *app.Operator) *phonePagesSettings {
	if c.x.PhonePages == nil {
		return nil
	}
	address, fingerprint, remote := c.x.PhonePages()
	s := &phonePagesSettings{c: c, url: address, status: newWriteStatusInline()}
	cfg := c.core.Settings.Get().Web

	addr := widget.NewLabel(address)
	addr.Selectable = true
	addr.TextStyle.Monospace = true
	reach := wrapLabel(T("On the site's network: phones on it open the pages."))
	if !remote {
		reach = wrapLabel(T("On this computer only: phones cannot open the pages yet."))
		reach.Importance = widget.WarningImportance
	}
	fp := widget.NewLabel(fingerprintLines(fingerprint))
	fp.Selectable = true
	fp.TextStyle.Monospace = true
	trust := T("The first time a phone opens the pages, its browser warns that the certificate is not trusted. Compare the SHA-256 fingerprint the browser shows with this one, and go on only if they are the same.")
	if cfg.CertFile != "" {
		trust = T("The pages use the installer's certificate ({{.File}}): phones that trust its issuer open them without a warning; this is its SHA-256 fingerprint.", map[string]any{"File": cfg.CertFile})
	}

	s.print = widget.NewButtonWithIcon(T("Print QR labels for residents…"), theme.DocumentPrintIcon(), s.askLabels)
	body := []fyne.CanvasObject{
		details([]kvRow{
			{"Address", addr},
			{"Reachable from", reach},
			{"Certificate fingerprint", fp},
		}),
		wrapLabel(trust), // what the person at the phone must do: as plain as the address
		configKeys(c),
		container.NewHBox(s.print, s.status.content),
	}
	if c.x.QRLabels == nil || c.x.Reports == nil {
		s.print.Disable()
	} else if op == nil || !op.Role.Can(app.ActOrderSetup) {
		s.print.Disable()
		body = append(body, muted(T("Only those who set up the work orders print the labels (administrators).")))
	}
	s.obj = section(T("Phone pages"), body...)
	return s
}

// fingerprintLines breaks a fingerprint ("AB:CD:…", 32 bytes) into two lines of 16 bytes,
// as a person compares it with a phone's screen: a half at a time.
func fingerprintLines(fp string) string {
	parts := strings.Split(fp, ":")
	if len(parts) != 32 {
		return fp
	}
	return strings.Join(parts[:16], ":") + "\n" + strings.Join(parts[16:], ":")
}

// configKeys says how the pages are set: the configuration file's keys, each with what it
// does (the keys as they are written in the file, the rest translated).
func configKeys(c *Console) fyne.CanvasObject {
	file := c.x.Paths.ConfigFile
	if file == "" {
		file = "config.json"
	}
	rows := []struct{ key, what string }{
		{"web.listen", T("the address and port to serve on: 192.168.1.10:8443, or :8443 for every address of this computer")},
		{"web.allow_remote", T("true to serve beyond this computer (the site's network)")},
		{"web.hosts", T("the names and addresses phones use, written into the certificate the console makes")},
		{"web.base_url", T("the address on the labels and in the links sent out: https://192.168.1.10:8443")},
		{"web.cert_file, web.key_file", T("the installer's certificate and its key (PEM); without them the console makes its own")},
	}
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, r := range rows {
		k := canvas.NewText(r.key, themeColor(colorMuted))
		k.TextStyle.Monospace = true
		objs = append(objs, container.NewPadded(k), wrapMuted(r.what))
	}
	return container.NewVBox(
		wrapMuted(T("To change them, an installer edits the configuration file {{.File}} and restarts the console:", map[string]any{"File": file})),
		container.New(&keyValueLayout{}, objs...))
}

// askLabels asks how to print the labels (per building or per stairwell), with the address
// they will carry and, when phones cannot reach it, a warning; then prints them.
func (s *phonePagesSettings) askLabels() {
	c := s.c
	site := c.core.Inventory.Site()
	buildings, units := report.LabelCount(site, false), report.LabelCount(site, true)
	choice := widget.NewRadioGroup([]string{
		T("One label per building ({{.N}} labels)", map[string]any{"N": buildings}),
		T("One label per stairwell ({{.N}} labels)", map[string]any{"N": units}),
	}, nil)
	choice.SetSelected(choice.Options[0])
	choice.Required = true
	addr := widget.NewLabel(s.url) // on a line of its own: an address does not wrap among words
	addr.TextStyle.Monospace = true
	addr.Selectable = true
	content := []fyne.CanvasObject{
		wrapLabel(T("Each label carries the QR code of the page residents report a problem on, without an account, at this address:")),
		addr,
		wrapLabel(T("Four labels fill an A4 page; the PDF is saved with the reports and opened.")),
		choice,
	}
	if report.ThisMachineOnly(s.url) {
		warn := wrapLabel(T("Phones cannot reach this address: it is this computer's own. Set web.base_url (or web.listen with web.allow_remote) in the configuration and restart before printing labels to post."))
		warn.Importance = widget.DangerImportance
		content = append(content, warn)
	}
	d := dialog.NewCustomConfirm(T("Print QR labels for residents"), T("Print"), T("Cancel"), container.NewVBox(content...), func(ok bool) {
		if ok {
			s.printLabels(choice.Selected == choice.Options[1])
		}
	}, c.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// printLabels prints the sheet, saves it with the reports and opens it.
func (s *phonePagesSettings) printLabels(perUnit bool) {
	c := s.c
	var path string
	var n int
	c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			if err := app.Authorize(op, app.ActOrderSetup); err != nil {
				return err
			}
			// Starting a browser and printing takes longer than a write's bound on a busy
			// machine; the print has its own (report.PrintPDF).
			pdf, count, err := c.x.QRLabels(context.WithoutCancel(ctx), perUnit)
			if err != nil {
				return err
			}
			name := fmt.Sprintf("qr-labels-%s.pdf", c.core.Clock.Now().Format("20060102-150405"))
			if perUnit {
				name = fmt.Sprintf("qr-labels-units-%s.pdf", c.core.Clock.Now().Format("20060102-150405"))
			}
			if path, err = c.x.Reports.SaveReport(name, pdf); err != nil {
				return app.Errorf(app.CodeUnavailable, "The labels cannot be saved: {{.Why}}", "Why", err.Error()).Wrap(err)
			}
			n = count
			return nil
		},
		status: s.status, busy: T("Printing the labels…"), lock: []fyne.Disableable{s.print},
		done: func() {
			s.status.ok(T("{{.N}} labels saved: {{.File}}", map[string]any{"N": n, "File": filepath.Base(path)}))
			c.openPDF(path)
		},
	})
}

// openPDF opens a saved PDF with the desktop's viewer, off the UI thread; where none opens
// it, a dialog says where the file is (to print it from another computer).
func (c *Console) openPDF(path string) {
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	open := c.x.OpenURL
	if open == nil {
		open = c.desktopOpen
	}
	go func() {
		if err := open(u); err != nil {
			c.core.Log.Warn("no viewer opened the PDF", "file", path, "err", err) // the desktop's reason, for an installer
			c.onUI(func() {
				where := widget.NewLabel(path)
				where.Selectable = true
				msg := wrapLabel(T("No program on this computer opens PDF files. The labels are saved as:"))
				dialog.NewCustom(T("Print QR labels for residents"), T("Close"), container.NewVBox(msg, where), c.win).Show()
			})
		}
	}()
}
