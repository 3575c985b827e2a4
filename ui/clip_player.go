package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The clip player: a recorded clip plays inside the console, in a dialog with the picture,
// play/pause, a position slider and the time. The video side decodes (Deps.ClipPlayer);
// one goroutine per dialog owns the opened clip (it is not safe for concurrent use) and
// takes the controls' commands; closing the dialog ends it and closes the clip. A clip
// that cannot be read says so, with its file's path.

type playerCmdKind int

const (
	cmdPlay playerCmdKind = iota
	cmdPause
	cmdSeek
	cmdClose
)

type playerCmd struct {
	kind playerCmdKind
	at   time.Duration
}

type clipPlayer struct {
	c     *Console
	clip  app.Clip
	video app.ClipVideo
	info  app.ClipVideoInfo

	img    *canvas.Image
	slider *widget.Slider
	clock  *canvas.Text
	play   *widget.Button
	dlg    dialog.Dialog

	cmds    chan playerCmd
	done    chan struct{}
	closing atomic.Bool
	latest  atomic.Pointer[app.VideoFrame] // the picture to show next
	queued  atomic.Bool                    // an update waits for the UI thread
	// What is on screen (tests wait for it).
	index   atomic.Int64
	at      atomic.Int64 // time.Duration
	playing atomic.Bool
}

// playClip journals that the operator opens a clip and plays it in the console, from
// start into it (the alarm desk and the replay).
func (c *Console) playClip(id string, start time.Duration) {
	if c.core.Recording == nil {
		c.showError(app.Errorf(app.CodeUnavailable, "Recording is not running"))
		return
	}
	var clip app.Clip
	c.write(write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			clip, err = c.core.Recording.Open(ctx, op, id) // journals that the operator watched it
			return err
		},
		done: func() { c.showClip(clip, start) },
	})
}

// showClip opens the clip off the UI thread (reading the file and decoding its first
// picture), then shows the player.
func (c *Console) showClip(clip app.Clip, start time.Duration) {
	if c.x.ClipPlayer == nil {
		c.showClipTrouble(clip, app.Errorf(app.CodeUnavailable, "This console cannot play clips"))
		return
	}
	go func() {
		v, err := c.x.ClipPlayer.OpenClip(clip.File)
		var first app.VideoFrame
		if err == nil {
			if start > 0 {
				first, err = v.Seek(start)
			} else {
				first, err = v.Next()
			}
			if err != nil {
				v.Close()
			}
		}
		c.onUI(func() {
			if err != nil {
				c.showClipTrouble(clip, err)
				return
			}
			c.newClipPlayer(clip, v, first)
		})
	}()
}

// clipTitle names a clip: its camera and when it starts.
func (c *Console) clipTitle(clip app.Clip) string {
	name := clip.CameraID
	if site := c.core.Inventory.Site(); site != nil {
		if cam, ok := site.Camera(clip.CameraID); ok {
			name = cam.Display(english())
		}
	}
	return name + " · " + clip.From.Local().Format("2006-01-02 15:04:05")
}

// showClipTrouble says why a clip cannot be played, where its file is, and offers the
// desktop's own player.
func (c *Console) showClipTrouble(clip app.Clip, err error) {
	c.core.Log.Warn("clip cannot be played", "clip", clip.ID, "file", clip.File, "err", err)
	why := wrapLabel(T("The clip cannot be played here: {{.Why}}", map[string]any{"Why": ErrText(err)}))
	why.Importance = widget.DangerImportance
	content := container.NewVBox(why, c.clipFileRow(clip))
	d := dialog.NewCustom(c.clipTitle(clip), T("Close"), content, c.win)
	d.Resize(fyne.NewSize(640, 220))
	d.Show()
}

// clipFileRow is the clip's path (to copy) and a way to open it with the desktop's player.
func (c *Console) clipFileRow(clip app.Clip) fyne.CanvasObject {
	path := widget.NewLabel(clip.File)
	path.Selectable = true
	path.Truncation = fyne.TextTruncateEllipsis
	external := widget.NewButtonWithIcon(T("Open in another player"), theme.FileVideoIcon(), func() {
		open := c.x.OpenURL
		if open == nil {
			open = c.desktopOpen
		}
		u := &url.URL{Scheme: "file", Path: filepath.ToSlash(clip.File)}
		go func() {
			if err := open(u); err != nil {
				c.onUI(func() {
					c.showError(app.Errorf(app.CodeUnavailable, "No video player could be opened ({{.Why}}). The clip is {{.Path}}",
						"Why", err.Error(), "Path", clip.File))
				})
			}
		}()
	})
	return container.NewBorder(nil, nil, nil, external, path)
}

// newClipPlayer shows the player dialog for an opened clip, its first picture shown.
func (c *Console) newClipPlayer(clip app.Clip, v app.ClipVideo, first app.VideoFrame) *clipPlayer {
	pl := &clipPlayer{c: c, clip: clip, video: v, info: v.Info(), cmds: make(chan playerCmd, 8), done: make(chan struct{})}
	pl.img = canvas.NewImageFromImage(first.Image)
	pl.img.FillMode = canvas.ImageFillContain
	pl.img.ScaleMode = canvas.ImageScaleFastest
	w, h := float32(pl.info.Width), float32(pl.info.Height)
	if w <= 0 || h <= 0 {
		w, h = 640, 360
	}
	scale := min(960/w, 540/h, 1.5)
	pl.img.SetMinSize(fyne.NewSize(w*scale, h*scale))
	pl.slider = widget.NewSlider(0, max(pl.info.Duration.Seconds(), 0.1))
	pl.slider.Step = 0.05
	pl.slider.OnChangeEnded = func(v float64) { pl.send(playerCmd{kind: cmdSeek, at: time.Duration(v * float64(time.Second))}) }
	pl.clock = canvas.NewText("", themeColor(theme.ColorNameForeground))
	pl.clock.TextStyle.Monospace = true // digits only
	pl.play = widget.NewButtonWithIcon(T("Play"), theme.MediaPlayIcon(), pl.toggle)
	pl.play.Importance = widget.HighImportance
	pl.showFrame(first)

	controls := container.NewBorder(nil, nil, pl.play, container.NewCenter(pl.clock), pl.slider)
	content := container.NewBorder(nil, container.NewVBox(controls, c.clipFileRow(clip)), nil, nil, pl.img)
	pl.dlg = dialog.NewCustom(c.clipTitle(clip), T("Close"), content, c.win)
	pl.dlg.SetOnClosed(pl.close)
	pl.dlg.Show()
	c.player.Store(pl)
	go pl.run(first)
	return pl
}

// toggle plays or pauses.
func (pl *clipPlayer) toggle() {
	if pl.playing.Load() {
		pl.send(playerCmd{kind: cmdPause})
	} else {
		pl.send(playerCmd{kind: cmdPlay})
	}
}

// send hands a command to the player's goroutine (dropped once it has ended).
func (pl *clipPlayer) send(cmd playerCmd) {
	select {
	case pl.cmds <- cmd:
	case <-pl.done:
	}
}

// close ends the player (the dialog was closed) and waits until the clip is closed.
func (pl *clipPlayer) close() {
	if pl.closing.Swap(true) {
		return
	}
	pl.send(playerCmd{kind: cmdClose})
	<-pl.done
}

// run is the player's goroutine: it shows each picture at its time while playing.
func (pl *clipPlayer) run(cur app.VideoFrame) {
	defer close(pl.done)
	defer pl.video.Close()
	playing := false
	var pending *app.VideoFrame // decoded, shown when its time comes
	var base time.Time          // the wall time at which the picture at baseAt was shown
	var baseAt time.Duration
	setPlaying := func(on bool) {
		playing = on
		pl.playing.Store(on)
		pl.c.onUI(func() {
			if on {
				pl.play.SetText(T("Pause"))
				pl.play.SetIcon(theme.MediaPauseIcon())
			} else {
				pl.play.SetText(T("Play"))
				pl.play.SetIcon(theme.MediaPlayIcon())
			}
		})
	}
	seek := func(at time.Duration) bool {
		fr, err := pl.video.Seek(at)
		if err != nil {
			pl.trouble(err)
			return false
		}
		cur, pending = fr, nil
		pl.showFrame(fr)
		return true
	}
	// handle applies a command; false: the player ends.
	handle := func(cmd playerCmd) bool {
		switch cmd.kind {
		case cmdClose:
			return false
		case cmdPause:
			setPlaying(false)
		case cmdPlay:
			if cur.Index >= pl.info.Frames-1 && pending == nil && !seek(0) { // at the end: from the start
				return true
			}
			base, baseAt = time.Now(), cur.At
			setPlaying(true)
		case cmdSeek:
			if seek(cmd.at) {
				base, baseAt = time.Now(), cur.At
			}
		}
		return true
	}
	for {
		if !playing {
			if !handle(<-pl.cmds) {
				return
			}
			continue
		}
		if pending == nil {
			fr, err := pl.video.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					pl.trouble(err)
				}
				setPlaying(false)
				continue
			}
			pending = &fr
		}
		timer := time.NewTimer(max(time.Until(base.Add(pending.At-baseAt)), 0))
		select {
		case cmd := <-pl.cmds:
			timer.Stop()
			if !handle(cmd) {
				return
			}
		case <-timer.C:
			cur, pending = *pending, nil
			pl.showFrame(cur)
		}
	}
}

// showFrame puts a picture on screen with its position and time. The updates are
// coalesced: while one waits for the UI thread, a newer picture replaces its picture
// instead of queueing behind it, so a window that draws slower than the clip's rate
// shows fewer pictures but keeps the clip's time.
func (pl *clipPlayer) showFrame(fr app.VideoFrame) {
	pl.index.Store(int64(fr.Index))
	pl.at.Store(int64(fr.At))
	pl.latest.Store(&fr)
	if !pl.queued.CompareAndSwap(false, true) {
		return
	}
	pl.c.onUI(func() {
		pl.queued.Store(false)
		fr := pl.latest.Load()
		pl.img.Image = fr.Image
		pl.img.Refresh()
		pl.slider.Value = fr.At.Seconds()
		pl.slider.Refresh()
		pl.clock.Text = playerTime(fr.At) + " / " + playerTime(pl.info.Duration)
		pl.clock.Refresh()
	})
}

// trouble says that the clip stopped playing, and why.
func (pl *clipPlayer) trouble(err error) {
	pl.c.onUI(func() {
		pl.c.showError(app.Errorf(app.CodeUnavailable, "The clip cannot be played here: {{.Why}}", "Why", ErrText(err)).Wrap(err))
	})
}

// playerTime writes a position in a clip to the tenth of a second: 00:07.4.
func playerTime(d time.Duration) string {
	return fmt.Sprintf("%s.%d", clockDuration(d), d/(100*time.Millisecond)%10)
}
