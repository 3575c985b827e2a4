package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"watchpost/app"
)

// livePreview is a small live picture of one camera, e.g. next to an alarm's details. It
// opens the camera's sub stream at its own size and shows the newest frame at most at the
// stream's rate; closing it closes the viewer.
type livePreview struct {
	camID   string
	content fyne.CanvasObject
	img     *canvas.Image
	label   *canvas.Text
	state   *canvas.Text
	viewer  app.Viewer
	stop    chan struct{}
	once    sync.Once
	cur     *app.Frame
}

const previewW, previewH = 320, 180

func newLivePreview(feeds app.CameraFeeds, cam *app.Camera) *livePreview {
	p := &livePreview{camID: cam.ID, stop: make(chan struct{})}
	p.img = &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleFastest}
	bg := canvas.NewRectangle(themeColor(colorHeader))
	p.label = canvas.NewText(cam.Display(english()), themeColor(theme.ColorNameForeground))
	p.label.TextSize = theme.CaptionTextSize()
	p.state = canvas.NewText(T("Connecting…"), themeColor(colorMuted))
	p.state.TextSize = theme.CaptionTextSize()
	band := canvas.NewRectangle(withAlpha(themeColor(colorHeader), 0xb0))
	top := container.NewStack(band, container.NewPadded(p.label))
	pic := container.NewStack(bg, container.NewCenter(p.state), p.img, container.NewBorder(top, nil, nil, nil))
	p.content = container.NewGridWrap(fyne.NewSize(previewW, previewH), pic)
	if feeds == nil {
		return p
	}
	v, err := feeds.Watch(cam.ID, false, previewW, previewH)
	if err != nil {
		p.state.Text = ErrText(err)
		return p
	}
	p.viewer = v
	go p.pump()
	return p
}

// pump shows the newest frame about 15 times a second and the state when there is none.
func (p *livePreview) pump() {
	tick := time.NewTicker(time.Second / 15)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
		var f *app.Frame
	drain:
		for {
			select {
			case nf := <-p.viewer.Frames():
				if f != nil {
					f.Release()
				}
				f = nf
			default:
				break drain
			}
		}
		n++
		st := p.viewer.Status()
		if f == nil && n%15 != 0 {
			continue
		}
		uiDo(func() {
			select {
			case <-p.stop:
				if f != nil {
					f.Release()
				}
				return
			default:
			}
			if st.State != app.StreamPlaying {
				p.state.Text = streamStateText(st)
				p.state.Refresh()
				p.img.Image = nil
				p.img.Refresh()
			}
			if f != nil {
				old := p.cur
				p.cur = f
				p.img.Image = f.Image
				p.img.Refresh()
				old.Release()
			}
		})
	}
}

// Close stops the preview and its stream.
func (p *livePreview) Close() {
	first := false
	p.once.Do(func() {
		first = true
		close(p.stop)
		if p.viewer != nil {
			p.viewer.Close()
		}
	})
	// Outside the Once: a second Close on the UI thread would wait for the Once while the
	// first waited for the UI thread (a deadlock seen under the test driver's turn-taking).
	if first {
		uiDo(func() {
			p.cur.Release()
			p.cur = nil
		})
	}
}

// streamStateText says what a stream is doing, for the operator.
func streamStateText(st app.StreamStatus) string {
	switch st.State {
	case app.StreamFailed:
		return T("Offline") + " — " + T(st.Reason)
	case app.StreamPlaying:
		return ""
	}
	return T("Connecting…")
}
