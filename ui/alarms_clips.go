package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The clips of the selected alarm on the alarm desk: the cameras that saw it, from some
// seconds before it was raised to some after. While they are being recorded the section
// says so; each appears when its file is complete (its video.clip entry). Play plays it in
// the console (clip_player.go; the core journals who looked at it); the path is shown to
// copy, for a player of one's own or to hand the file on.

// clipsSection returns the section for alarm a, kept in p.clips to refresh in place.
func (p *alarmPanel) clipsSection(a app.Alarm) fyne.CanvasObject {
	p.clips = container.NewVBox()
	p.clipsAlarm = a.ID
	p.fillClips()
	return p.clips
}

// fillClips (re)builds the section's content.
func (p *alarmPanel) fillClips() {
	rec := p.c.core.Recording
	if p.clips == nil || rec == nil {
		return
	}
	clips := rec.Clips(app.ClipQuery{AlarmID: p.clipsAlarm})
	pending := rec.Pending(p.clipsAlarm)
	p.clips.RemoveAll()
	if len(clips) == 0 && pending == 0 {
		p.clips.Refresh()
		return
	}
	p.clips.Add(heading(T("Clips")))
	if pending > 0 {
		p.clips.Add(muted(T("Recording {{.N}} clips…", map[string]any{"N": pending})))
	}
	site := p.c.core.Inventory.Site()
	for _, c := range clips {
		name := c.CameraID
		if site != nil {
			if cam, ok := site.Camera(c.CameraID); ok {
				name = cam.Display(english())
			}
		}
		what := T("{{.Camera}}, from {{.From}}, {{.Seconds}} s", map[string]any{
			"Camera": name, "From": c.From.Local().Format("15:04:05"), "Seconds": fmt.Sprintf("%.0f", c.Duration().Seconds())})
		path := widget.NewLabel(c.File)
		path.Selectable = true
		path.Truncation = fyne.TextTruncateEllipsis
		play := widget.NewButtonWithIcon(T("Play"), theme.MediaPlayIcon(), func() { p.c.playClip(c.ID, 0) })
		p.clips.Add(container.NewBorder(nil, nil, play, nil, container.NewVBox(widget.NewLabel(what), path)))
	}
	p.clips.Refresh()
}

// clipEntry refreshes the section when a clip of the shown alarm is complete.
func (p *alarmPanel) clipEntry(e app.Entry) {
	if e.Kind != app.KindClip || p.clips == nil {
		return
	}
	var c app.Clip
	if e.Decode(&c) == nil && c.AlarmID == p.clipsAlarm {
		p.fillClips()
	}
}
