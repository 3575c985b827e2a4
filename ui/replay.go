package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Replay (trainers and administrators): pick a drill run or a closed incident, and the
// console's state at any instant of it is shown read-only — its alarms as they stood,
// the checklist, the map, the camera clips — from a fold of the journal (app.ReplaySession).
// The playhead moves by dragging the timeline, stepping from event to event, or playing
// at 0.5× to 16×. Frames are folded off the UI thread; while one is being folded the
// playhead keeps moving and only the latest instant asked for is folded next, so a drag
// or a fast play never queues work behind the window.

// replaySpeeds are the playing speeds offered.
var replaySpeeds = []struct {
	label string
	x     float64
}{{"0.5×", 0.5}, {"1×", 1}, {"2×", 2}, {"4×", 4}, {"8×", 8}, {"16×", 16}}

// replayTick is how often the playhead moves while playing (in wall time).
const replayTick = 150 * time.Millisecond

type replayPanel struct {
	c       *Console
	content fyne.CanvasObject

	// mu serializes the panel's entry points: in the window they all run on the UI thread,
	// but Fyne's test driver runs fyne.Do on the calling goroutine (the player's ticker,
	// the frames' folding). Widget callbacks that come back into the panel while it holds
	// mu are told apart by quiet.
	mu    sync.Mutex
	quiet bool

	// The picker.
	targets []app.ReplayTarget
	list    *widget.List
	pickMsg *widget.Label
	picker  *fyne.Container

	// The session.
	sess      *app.ReplaySession
	gen       int // counts the sessions opened: late frames of an older one are dropped
	eventText []string
	curEvent  int
	at        time.Time
	frame     app.ReplayFrame
	hasFrame  bool
	busy      bool // a frame is being folded
	dirty     bool // the playhead moved since: fold again when it is done
	playing   bool
	speed     float64
	lastTick  time.Time
	stopPlay  chan struct{}
	sigs      [3]string // what the alarms, checklist and clips last showed (to skip rebuilding them)

	right      *fyne.Container // the session's view, or a message
	session    fyne.CanvasObject
	banner     *widget.Label
	timeline   *replayTimeline
	timeLabel  *canvas.Text
	playBtn    *widget.Button
	speedSel   *widget.Select
	events     *widget.List
	alarmsBox  *fyne.Container
	checkTitle *fyne.Container
	checkBox   *fyne.Container
	clipsBox   *fyne.Container
	relayout   [3]func() // the alarms', the checklist's and the clips' panes
	siteMap    *siteMap
	mapNote    *canvas.Text
}

func newReplayPanel(c *Console) panelView {
	p := &replayPanel{c: c, speed: 1, curEvent: -1}
	if c.core.Replays == nil {
		p.content = container.NewCenter(widget.NewLabel(T("Replay is not available")))
		return p
	}
	p.list = widget.NewList(
		func() int { return len(p.targets) },
		newReplayTargetRow,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.targets) {
				setReplayTargetRow(o, &p.targets[i])
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		if p.quiet || i >= len(p.targets) {
			return
		}
		p.open(p.targets[i].Kind, p.targets[i].ID)
	}
	p.pickMsg = widget.NewLabel(T("Loading…"))
	p.pickMsg.Wrapping = fyne.TextWrapWord
	p.picker = container.NewBorder(container.NewVBox(heading(T("Replay")), p.pickMsg), nil, nil, nil, p.list)

	p.events = widget.NewList(
		func() int {
			if p.sess == nil {
				return 0
			}
			return len(p.sess.Events)
		},
		newReplayEventRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { p.setEventRow(i, o) })
	p.events.OnSelected = func(i widget.ListItemID) {
		if p.quiet {
			return
		}
		p.jumpToEvent(i)
		p.events.UnselectAll() // a second tap on the same event jumps again
	}
	events := container.NewBorder(heading(T("Events")), nil, nil, nil, p.events)
	left := container.NewVSplit(p.picker, events)
	left.Offset = 0.4

	p.session = p.buildSession()
	p.right = container.NewStack(container.NewCenter(widget.NewLabel(T("Pick a drill run or a closed incident to replay it."))))
	split := container.NewHSplit(left, p.right)
	split.Offset = 0.2
	p.content = split
	p.loadTargets()
	return p
}

// buildSession lays out the replay of a target: the banner, the timeline and its
// controls, then the console's views at the playhead.
func (p *replayPanel) buildSession() fyne.CanvasObject {
	p.banner = widget.NewLabel("")
	p.banner.TextStyle.Bold = true
	p.banner.Wrapping = fyne.TextWrapWord
	bannerBG := canvas.NewRectangle(withAlpha(themeColor(colorDemo), 0x60))
	bannerBG.CornerRadius = 4
	banner := container.NewStack(bannerBG, container.NewBorder(nil, nil,
		container.NewCenter(newBadge(T("REPLAY · READ-ONLY"), themeColor(colorDemo))), nil, p.banner))

	p.timeline = newReplayTimeline(func(t time.Time) { p.seek(t) })
	p.timeLabel = canvas.NewText("", themeColor(theme.ColorNameForeground))
	p.timeLabel.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	first := widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), func() { p.jumpToEnd(false) })
	prev := widget.NewButtonWithIcon(T("Previous event"), theme.MediaFastRewindIcon(), func() { p.stepEvent(-1) })
	p.playBtn = widget.NewButtonWithIcon(T("Play"), theme.MediaPlayIcon(), p.togglePlay)
	p.playBtn.Importance = widget.HighImportance
	next := widget.NewButtonWithIcon(T("Next event"), theme.MediaFastForwardIcon(), func() { p.stepEvent(1) })
	last := widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), func() { p.jumpToEnd(true) })
	var labels []string
	for _, s := range replaySpeeds {
		labels = append(labels, s.label)
	}
	p.speedSel = widget.NewSelect(labels, nil)
	p.speedSel.SetSelected("1×")
	p.speedSel.OnChanged = p.setSpeed
	// The clock takes the room left, aligned right: its text changes without the row
	// being laid out again.
	p.timeLabel.Alignment = fyne.TextAlignTrailing
	controls := container.NewBorder(nil, nil, container.NewHBox(first, prev, p.playBtn, next, last, widget.NewSeparator(),
		widget.NewLabel(T("Speed")), p.speedSel), nil, p.timeLabel)
	top := container.NewVBox(banner, p.timeline, controls, replayLegend(), widget.NewSeparator())

	p.alarmsBox = container.NewVBox()
	p.checkTitle = container.NewVBox()
	p.checkBox = container.NewVBox()
	p.clipsBox = container.NewVBox()
	alarms, relayoutAlarms := replayPane(heading(T("Alarm desk")), p.alarmsBox)
	check, relayoutCheck := replayPane(p.checkTitle, p.checkBox)
	clips, relayoutClips := replayPane(heading(T("Camera clips")), p.clipsBox)
	p.relayout = [3]func(){relayoutAlarms, relayoutCheck, relayoutClips}
	var mapView fyne.CanvasObject = container.NewCenter(widget.NewLabel(T("No site is set up yet")))
	if site := p.c.core.Inventory.Site(); site != nil {
		p.siteMap = newSiteMap(site)
		p.mapNote = muted("")
		mapView = container.NewBorder(p.mapNote, nil, nil, nil, p.siteMap)
	}
	leftCol := container.NewVSplit(alarms, clips)
	leftCol.Offset = 0.68
	rightCol := container.NewVSplit(mapView, check)
	rightCol.Offset = 0.42
	views := container.NewHSplit(leftCol, rightCol)
	views.Offset = 0.48
	return container.NewBorder(top, nil, nil, nil, views)
}

func (p *replayPanel) Object() fyne.CanvasObject { return p.content }

// Shown stops playing when the panel is left (its ticker must not outlive it) and lists
// the targets again when it comes back.
func (p *replayPanel) Shown(on bool) {
	if p.list == nil {
		return
	}
	if !on {
		p.mu.Lock()
		p.pause()
		p.mu.Unlock()
		return
	}
	p.loadTargets()
}

// OnEntry lists a drill run when it stops and an incident when it is closed.
func (p *replayPanel) OnEntry(e app.Entry) {
	if p.list != nil && (e.Kind == app.KindDrillStopped || e.Kind == app.KindIncidentClosed) {
		p.loadTargets()
	}
}

// TypedKey: space plays or pauses, the arrows step from event to event, Home and End jump.
func (p *replayPanel) TypedKey(ev *fyne.KeyEvent) {
	if p.list == nil || p.c.win.Canvas().Overlays().Top() != nil {
		return
	}
	switch ev.Name {
	case fyne.KeySpace:
		p.togglePlay()
	case fyne.KeyLeft:
		p.stepEvent(-1)
	case fyne.KeyRight:
		p.stepEvent(1)
	case fyne.KeyHome:
		p.jumpToEnd(false)
	case fyne.KeyEnd:
		p.jumpToEnd(true)
	}
}

// --- the picker ---------------------------------------------------------------------------

// loadTargets lists the drill runs and closed incidents (off the UI thread: it reads the
// journal).
func (p *replayPanel) loadTargets() {
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ts, err := p.c.core.Replays.Targets(ctx, op)
		p.c.onUI(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if err != nil {
				p.pickMsg.SetText(ErrText(err))
				return
			}
			p.targets = ts
			if len(ts) == 0 {
				p.pickMsg.SetText(T("Nothing to replay yet: drill runs are listed once they stop, incidents once they are closed."))
			} else {
				p.pickMsg.SetText(T("Drill runs and closed incidents, newest first."))
			}
			p.picker.Refresh() // the message may wrap to more lines than before
			p.list.Refresh()
			p.selectOpen()
		})
	}()
}

// selectOpen marks the open target in the list (without opening it again).
func (p *replayPanel) selectOpen() {
	if p.sess == nil {
		return
	}
	p.quiet = true
	defer func() { p.quiet = false }()
	for i, t := range p.targets {
		if t.Kind == p.sess.Target.Kind && t.ID == p.sess.Target.ID {
			p.list.Select(i)
			return
		}
	}
	p.list.UnselectAll()
}

// A target's row: its name with the DRILL mark, then what it is, when, how long, its
// score, on a line of its own (the list is narrow).
func newReplayTargetRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("High-rise fire drill, Building 3", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	drill := newBadge(T("DRILL"), themeColor(colorDemo))
	sub := widget.NewLabel("Drill run #24 · 2026-11-28 15:04 · 05:40")
	sub.SizeName = theme.SizeNameCaptionText
	sub.Importance = widget.LowImportance
	sub.Truncation = fyne.TextTruncateEllipsis
	return container.New(layout.NewCustomPaddedVBoxLayout(0),
		container.NewBorder(nil, nil, nil, container.NewCenter(drill), name), sub)
}

func setReplayTargetRow(o fyne.CanvasObject, t *app.ReplayTarget) {
	box := o.(*fyne.Container)
	line := box.Objects[0].(*fyne.Container)
	line.Objects[0].(*widget.Label).SetText(t.Names().Display(english()))
	line.Objects[1].(*fyne.Container).Objects[0].(*badge).Hidden = !t.Drill
	line.Refresh()
	what := T("Incident #{{.ID}}", map[string]any{"ID": t.ID})
	if t.Kind == app.ReplayOfDrill {
		what = T("Drill run #{{.ID}}", map[string]any{"ID": t.ID})
	}
	sub := what + " · " + t.Start.Local().Format("01-02 15:04") + " · " + clockDuration(t.End.Sub(t.Start))
	if t.Score != nil {
		sub += " · " + T("Score {{.P}}%", map[string]any{"P": t.Score.Percent})
	}
	box.Objects[1].(*widget.Label).SetText(sub)
}

// --- opening a target ---------------------------------------------------------------------

// open replays a target: the session is opened off the UI thread (it reads the journal),
// then the playhead stands at the timeline's beginning.
func (p *replayPanel) open(kind string, id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.list == nil {
		return
	}
	p.pause()
	p.gen++
	gen := p.gen
	op := p.c.Operator()
	p.right.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("Opening the replay…")))}
	p.right.Refresh()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		sess, err := p.c.core.Replays.Open(ctx, op, kind, id)
		var texts []string
		if err == nil {
			// Steps are named from the incident's plan: the incident as it ended has it.
			end, ferr := sess.Frame(ctx, sess.Target.To)
			if ferr != nil {
				err = ferr
			} else {
				for i := range sess.Events {
					texts = append(texts, describeReplayEvent(sess.EventEntry(i), end.Incident))
				}
			}
		}
		p.c.onUI(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if gen != p.gen {
				return
			}
			if err != nil {
				p.sess = nil
				p.right.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ErrText(err)))}
				p.right.Refresh()
				p.c.core.Log.Warn("replay not opened", "kind", kind, "id", id, "err", err)
				return
			}
			p.start(sess, texts)
		})
	}()
}

// start shows a session just opened.
func (p *replayPanel) start(sess *app.ReplaySession, texts []string) {
	p.sess, p.eventText = sess, texts
	p.busy, p.dirty, p.hasFrame, p.curEvent = false, false, false, -1
	p.sigs = [3]string{}
	p.timeline.set(sess.Target, sess.Events)
	p.events.Refresh()
	p.events.ScrollToTop()
	p.moveTo(sess.Target.From) // the banner's text first: the layout makes room for it
	p.right.Objects = []fyne.CanvasObject{p.session}
	p.right.Refresh()
	p.selectOpen()
}

// --- moving the playhead ------------------------------------------------------------------

// seek moves the playhead to an instant (the timeline's tap and drag).
func (p *replayPanel) seek(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.moveTo(t)
}

// jumpToEvent moves the playhead to an event of the list.
func (p *replayPanel) jumpToEvent(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess != nil && i >= 0 && i < len(p.sess.Events) {
		p.moveTo(p.sess.Events[i].At)
	}
}

// stepEvent moves to the next (dir > 0) or previous event.
func (p *replayPanel) stepEvent(dir int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess == nil {
		return
	}
	var t time.Time
	var ok bool
	if dir > 0 {
		t, ok = p.sess.Next(p.at)
	} else {
		t, ok = p.sess.Prev(p.at)
	}
	if ok {
		p.moveTo(t)
	}
}

// jumpToEnd moves to the end of the timeline, or to its beginning.
func (p *replayPanel) jumpToEnd(end bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess == nil {
		return
	}
	if end {
		p.pause()
		p.moveTo(p.sess.Target.To)
	} else {
		p.moveTo(p.sess.Target.From)
	}
}

// moveTo puts the playhead at t (within the timeline): the timeline and the clock follow
// at once, the views when the frame is folded.
func (p *replayPanel) moveTo(t time.Time) {
	tg := &p.sess.Target
	if t.Before(tg.From) {
		t = tg.From
	}
	if t.After(tg.To) {
		t = tg.To
	}
	p.at = t
	if !p.playing {
		p.showHead(t)
	}
	p.request()
}

// showHead moves the timeline's playhead, the clock and the banner to t. While playing
// they follow the frames shown (apply), so that what the views show and the instant they
// say always agree, even when the renderer is slower than the play.
func (p *replayPanel) showHead(t time.Time) {
	tg := &p.sess.Target
	cur := -1
	for i, ev := range p.sess.Events {
		if !ev.At.After(t) {
			cur = i
		}
	}
	p.timeline.setAt(t, cur)
	p.timeLabel.Text = fmt.Sprintf("%s  %s / %s", t.Local().Format("15:04:05"), signedClock(t.Sub(tg.Start)), clockDuration(tg.End.Sub(tg.Start)))
	p.timeLabel.Refresh()
	p.banner.SetText(T("Replay of {{.Target}} at {{.Time}} ({{.Offset}} from its start). Nothing here changes the live console.",
		map[string]any{"Target": tg.Names().Display(english()), "Time": t.Local().Format("2006-01-02 15:04:05"), "Offset": signedClock(t.Sub(tg.Start))}))
}

// request folds the frame at the playhead off the UI thread, unless one is being folded:
// then that one's end folds the latest instant (frames in between are dropped).
func (p *replayPanel) request() {
	if p.busy {
		p.dirty = true
		return
	}
	p.busy, p.dirty = true, false
	sess, t, gen := p.sess, p.at, p.gen
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		f, err := sess.Frame(ctx, t)
		cancel()
		p.c.onUI(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if gen != p.gen {
				return
			}
			p.busy = false
			if err != nil {
				p.pause()
				p.c.showError(err)
				return
			}
			p.apply(&f)
			if p.dirty {
				p.request()
			}
		})
	}()
}

// apply shows a folded frame.
func (p *replayPanel) apply(f *app.ReplayFrame) {
	p.frame, p.hasFrame = *f, true
	if p.playing {
		p.showHead(f.At)
	}
	if f.Event != p.curEvent {
		p.curEvent = f.Event
		p.events.Refresh()
		if f.Event >= 0 {
			p.events.ScrollTo(f.Event)
		}
	}
	// The views are rebuilt only when what they show changed: the journal moved on, or
	// (for the checklist's timers and the clips) the second.
	sec := f.At.Truncate(time.Second).UnixNano()
	clipSig := ""
	for _, c := range f.Clips {
		clipSig += c.ID + ";"
	}
	sigs := [3]string{fmt.Sprint(f.Seq), fmt.Sprint(f.Seq, sec), fmt.Sprint(f.Seq, sec, clipSig)}
	if sigs[0] != p.sigs[0] {
		p.fillAlarms(f)
	}
	if sigs[1] != p.sigs[1] {
		p.fillChecklist(f)
	}
	if sigs[2] != p.sigs[2] {
		p.fillClips(f)
	}
	p.sigs = sigs
	if p.siteMap != nil {
		frameLooks(p.siteMap, p.c.core.Inventory.Site(), f.View.Alarms, f.View.Offline)
		p.mapNote.Text = mapCaption(f)
		p.mapNote.Refresh()
	}
}

// --- playing ------------------------------------------------------------------------------

func (p *replayPanel) togglePlay() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.playing {
		p.pause()
	} else {
		p.play()
	}
}

// play advances the playhead by speed × the wall time passed, every replayTick.
func (p *replayPanel) play() {
	if p.sess == nil || p.playing {
		return
	}
	if !p.at.Before(p.sess.Target.To) {
		p.moveTo(p.sess.Target.From) // from the end: play it again
	}
	p.playing, p.lastTick = true, time.Now()
	stop := make(chan struct{})
	p.stopPlay = stop
	p.playBtn.SetText(T("Pause"))
	p.playBtn.SetIcon(theme.MediaPauseIcon())
	go func() {
		tick := time.NewTicker(replayTick)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				p.c.onUI(func() {
					p.mu.Lock()
					defer p.mu.Unlock()
					select {
					case <-stop:
					default:
						p.advance()
					}
				})
			}
		}
	}()
}

func (p *replayPanel) advance() {
	now := time.Now()
	next := p.at.Add(time.Duration(float64(now.Sub(p.lastTick)) * p.speed))
	p.lastTick = now
	if !next.Before(p.sess.Target.To) {
		next = p.sess.Target.To
		p.pause()
	}
	p.moveTo(next)
}

func (p *replayPanel) pause() {
	if !p.playing {
		return
	}
	p.playing = false
	close(p.stopPlay)
	p.stopPlay = nil
	p.playBtn.SetText(T("Play"))
	p.playBtn.SetIcon(theme.MediaPlayIcon())
}

func (p *replayPanel) setSpeed(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range replaySpeeds {
		if s.label == label {
			p.speed = s.x
		}
	}
}

// shown returns the frame on screen (tests).
func (p *replayPanel) shown() (app.ReplayFrame, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frame, p.hasFrame && !p.busy
}

// --- from other panels --------------------------------------------------------------------

// replayButton opens a replay of a drill run or an incident; nil where the operator may not
// replay or replay is not running.
func (c *Console) replayButton(kind string, id int64) *widget.Button {
	op := c.Operator()
	if c.core.Replays == nil || op == nil || !op.Role.Can(app.ActReplay) {
		return nil
	}
	return widget.NewButtonWithIcon(T("Replay"), theme.MediaReplayIcon(), func() { c.ShowReplay(kind, id) })
}
