package ui

import (
	"context"
	"errors"
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

// The camera settings dialog: a camera's names, stream addresses and direction, with "test
// connection" for each address (the same check as `watchpost probe`), and saving them
// (administrators; journaled with the passwords hidden). A new address is tested before it
// is saved: one that does not answer is saved only when the administrator insists, and the
// dialog says why. Once saved, every stream of the camera in use (wall tiles, desk
// previews, recording, analytics) moves to the new address (main_cameras.go).

// currentCamera returns the camera as the site has it now: a panel may hand over the copy
// it drew, from before the latest edit.
func (c *Console) currentCamera(cam app.Camera) app.Camera {
	if site := c.core.Inventory.Site(); site != nil {
		if cur, ok := site.Camera(cam.ID); ok {
			return *cur
		}
	}
	return cam
}

// showCameraSettings opens the dialog for a camera of the site.
func (c *Console) showCameraSettings(cam app.Camera) {
	cam = c.currentCamera(cam)
	op := c.Operator()
	canEdit := op != nil && op.Role.Can(app.ActEditSite)
	name := widget.NewEntry()
	name.SetText(cam.Name)
	nameEn := widget.NewEntry()
	nameEn.SetText(cam.NameEn)
	mainURL := widget.NewEntry()
	mainURL.SetText(cam.MainURL)
	subURL := widget.NewEntry()
	subURL.SetText(cam.SubURL)
	subURL.SetPlaceHolder(T("(the main stream serves tiles too)"))
	direction := widget.NewEntry()
	direction.SetText(strconv.FormatFloat(cam.Direction, 'f', -1, 64))
	if !canEdit {
		// Operators may test the cameras but not see their passwords or change them.
		mainURL.SetText(app.RedactURL(cam.MainURL))
		subURL.SetText(app.RedactURL(cam.SubURL))
		for _, e := range []*widget.Entry{name, nameEn, mainURL, subURL, direction} {
			e.Disable()
		}
	}
	// The connection tests' results and the save's progress and outcome show here.
	status := newWriteStatus()

	test := func(which string, url string) {
		if c.x.Probe == nil {
			return
		}
		if !canEdit { // the entries hold redacted addresses: test the real ones
			url = cam.MainURL
			if which == "sub" {
				url = cam.StreamFor(false)
			}
		}
		status.busy(T("Testing the connection…"))
		go func() {
			r := c.x.Probe(context.Background(), app.PlainASCII(url))
			c.onUI(func() {
				status.say(probeText(r)) // the test is over once the activity is hidden
			})
		}()
	}
	testMain := widget.NewButtonWithIcon(T("Test main stream"), theme.MediaPlayIcon(), func() { test("main", mainURL.Text) })
	testSub := widget.NewButtonWithIcon(T("Test sub stream"), theme.MediaPlayIcon(), func() { test("sub", subURL.Text) })

	form := widget.NewForm(
		widget.NewFormItem(T("Name"), name),
		widget.NewFormItem(T("Name in English"), nameEn),
		widget.NewFormItem(T("Main stream"), mainURL),
		widget.NewFormItem(T("Sub stream"), subURL),
		widget.NewFormItem(T("Looks towards"), direction),
	)
	body := container.NewVBox(form, container.NewHBox(testMain, testSub), status.content)
	title := T("Camera settings") + " — " + cam.Display(english())
	var d dialog.Dialog
	closeBtn := widget.NewButtonWithIcon(T("Close"), theme.CancelIcon(), func() { d.Hide() })
	buttons := container.NewHBox(closeBtn)
	if canEdit {
		e := &cameraSettingsSave{c: c, id: cam.ID, status: status}
		e.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), func() {
			deg, err := strconv.ParseFloat(app.PlainASCII(direction.Text), 64)
			if err != nil {
				status.fail(app.Errorf(app.CodeInvalid, "{{.Value}} is not a direction: give degrees clockwise from north, 0 to 359", "Value", direction.Text))
				return
			}
			e.run(app.CameraSettings{Name: name.Text, NameEn: nameEn.Text, MainURL: mainURL.Text, SubURL: subURL.Text, Direction: deg}, d)
		})
		e.save.Importance = widget.HighImportance
		// A changed address is tested again before it is saved.
		for _, en := range []*widget.Entry{mainURL, subURL} {
			en.OnChanged = func(string) { e.insist(false) }
		}
		buttons.Add(e.save)
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewCenter(buttons), nil, nil, body), c.win)
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

// cameraSettingsSave saves the dialog: it tests a new address first, then writes, and
// keeps the dialog open with the reason when either fails.
type cameraSettingsSave struct {
	c      *Console
	id     string
	status *writeStatus
	save   *widget.Button
	anyway bool // the administrator saves an address that did not answer
}

// insist switches the button between Save and "Save anyway".
func (e *cameraSettingsSave) insist(on bool) {
	e.anyway = on
	if on {
		e.save.SetText(T("Save anyway"))
		e.save.Importance = widget.DangerImportance
	} else {
		e.save.SetText(T("Save"))
		e.save.Importance = widget.HighImportance
	}
	e.save.Refresh()
}

// newAddresses lists the stream addresses that set changes, main first (a camera without a
// sub stream serves its tiles from the main one: one address to test).
func (e *cameraSettingsSave) newAddresses(set app.CameraSettings) (labels, urls []string) {
	cur := e.c.currentCamera(app.Camera{ID: e.id})
	next := cur
	next.MainURL, next.SubURL = app.PlainASCII(set.MainURL), app.PlainASCII(set.SubURL) // as the core saves them
	if next.MainURL != cur.MainURL {
		labels, urls = append(labels, T("main stream")), append(urls, next.MainURL)
	}
	if sub := next.StreamFor(false); sub != cur.StreamFor(false) && sub != next.MainURL {
		labels, urls = append(labels, T("sub stream")), append(urls, sub)
	}
	return labels, urls
}

// errNotAnswering: a new address did not answer its test; the camera is not saved.
var errNotAnswering = errors.New("a new address does not answer")

func (e *cameraSettingsSave) run(set app.CameraSettings, d dialog.Dialog) {
	labels, urls := e.newAddresses(set)
	test := e.c.x.Probe != nil && len(urls) > 0 && !e.anyway
	busy := ""
	if test {
		busy = T("Testing the new address before saving…")
	}
	e.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			if test {
				for i, u := range urls {
					if r := e.c.x.Probe(ctx, u); !r.OK() {
						return app.Errorf(app.CodeUnavailable, "Not saved: the new {{.Stream}} address does not answer ({{.Reason}}). Correct it, or press “Save anyway” to keep it: the wall then shows the camera as unreachable.",
							"Stream", labels[i], "Reason", T(r.Reason)).Wrap(errNotAnswering)
					}
				}
			}
			return e.c.core.Inventory.SetCameraSettings(ctx, op, e.id, set)
		},
		status: e.status, busy: busy, lock: []fyne.Disableable{e.save},
		done:           d.Hide,
		nothingChanged: func() { d.Hide(); e.c.showNothingChanged() },
		failed: func(err error) {
			if errors.Is(err, errNotAnswering) {
				e.insist(true)
			}
		},
	})
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
