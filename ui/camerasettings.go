package ui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The camera settings dialog: a camera's stream addresses, with "test connection" for each
// (the same check as `watchpost probe`), and saving them (administrators; journaled with
// the passwords hidden).

// showCameraSettings opens the dialog for a camera of the site.
func (c *Console) showCameraSettings(cam app.Camera) {
	op := c.Operator()
	canEdit := op != nil && op.Role.Can(app.ActEditSite)
	name := widget.NewEntry()
	name.SetText(cam.Name)
	mainURL := widget.NewEntry()
	mainURL.SetText(cam.MainURL)
	subURL := widget.NewEntry()
	subURL.SetText(cam.SubURL)
	subURL.SetPlaceHolder(T("(the main stream serves tiles too)"))
	direction := widget.NewEntry()
	direction.SetText(strconv.FormatFloat(cam.Direction, 'f', 0, 64))
	if !canEdit {
		// Operators may test the cameras but not see their passwords or change them.
		mainURL.SetText(app.RedactURL(cam.MainURL))
		subURL.SetText(app.RedactURL(cam.SubURL))
		for _, e := range []*widget.Entry{name, mainURL, subURL, direction} {
			e.Disable()
		}
	}
	result := widget.NewLabel("")
	result.Wrapping = fyne.TextWrapWord
	testing := widget.NewActivity()
	testing.Hide()

	test := func(which string, url string) {
		if c.deps.Probe == nil {
			return
		}
		if !canEdit { // the entries hold redacted addresses: test the real ones
			url = cam.MainURL
			if which == "sub" {
				url = cam.StreamFor(false)
			}
		}
		result.SetText(T("Testing the connection…"))
		testing.Show()
		testing.Start()
		go func() {
			r := c.deps.Probe(context.Background(), url)
			c.onUI(func() {
				testing.Stop()
				testing.Hide()
				result.SetText(probeText(r))
			})
		}()
	}
	testMain := widget.NewButtonWithIcon(T("Test main stream"), theme.MediaPlayIcon(), func() { test("main", mainURL.Text) })
	testSub := widget.NewButtonWithIcon(T("Test sub stream"), theme.MediaPlayIcon(), func() { test("sub", subURL.Text) })

	form := widget.NewForm(
		widget.NewFormItem(T("Name"), name),
		widget.NewFormItem(T("Main stream"), mainURL),
		widget.NewFormItem(T("Sub stream"), subURL),
		widget.NewFormItem(T("Looks towards"), direction),
	)
	body := container.NewVBox(form, container.NewHBox(testMain, testSub, testing), result)
	var d dialog.Dialog
	save := func() {
		next := cam
		next.Name, next.MainURL, next.SubURL = name.Text, mainURL.Text, subURL.Text
		if v, err := strconv.ParseFloat(direction.Text, 64); err == nil {
			next.Direction = v
		}
		if err := c.deps.Inventory.UpdateCamera(context.Background(), op, next); err != nil {
			result.SetText(ErrText(err))
			return
		}
		d.Hide()
	}
	if canEdit {
		d = dialog.NewCustomConfirm(T("Camera settings")+" — "+cam.Display(english()), T("Save"), T("Close"), body, func(ok bool) {
			if ok {
				save()
			}
		}, c.win)
	} else {
		d = dialog.NewCustom(T("Camera settings")+" — "+cam.Display(english()), T("Close"), body, c.win)
	}
	d.Resize(fyne.NewSize(720, 420))
	d.Show()
}

// probeText says what a connection test found, in the operator's language.
func probeText(r app.ProbeResult) string {
	if !r.OK() {
		s := T("Failed: {{.Reason}}", map[string]any{"Reason": T(r.Reason)})
		if r.Detail != "" {
			s += "\n" + r.Detail
		}
		return s
	}
	s := T("Connected: {{.Codec}} {{.W}}×{{.H}}, {{.FPS}} fps, {{.Kbps}} kbit/s, a key frame every {{.Key}} s, first picture after {{.First}} ms",
		map[string]any{"Codec": r.Codec, "W": r.Width, "H": r.Height, "FPS": fmt.Sprintf("%.1f", r.FPS), "Kbps": fmt.Sprintf("%.0f", r.BitrateKbps),
			"Key": fmt.Sprintf("%.1f", r.KeyInterval.Seconds()), "First": r.FirstFrame.Milliseconds()})
	if r.LatencyP95 > 0 {
		s += "\n" + T("Latency p95 {{.Ms}} ms", map[string]any{"Ms": fmt.Sprintf("%.1f", float64(r.LatencyP95)/float64(time.Millisecond))})
	}
	return s
}
