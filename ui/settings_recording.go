package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The recording section of the settings: how many cameras are recorded and receiving,
// how much video before an alarm each holds in memory now (the least of them: what the
// next alarm's clips get), the disk the clips use against the limit, and the latest
// trouble. The limits themselves are in the configuration file (recording.*). It is
// refreshed every second while the settings are open.

type recordingSettings struct {
	c       *Console
	cameras *widget.Label
	held    *widget.Label
	window  *widget.Label
	disk    *widget.Label
	used    *widget.ProgressBar
	clips   *widget.Label
	busy    *widget.Label
	trouble *canvas.Text
	obj     fyne.CanvasObject
}

func newRecordingSettings(c *Console) *recordingSettings {
	s := &recordingSettings{c: c}
	if c.core.Recording == nil {
		s.obj = section(T("Recording"), muted(T("Video recording is not running.")))
		return s
	}
	label := func() *widget.Label { l := widget.NewLabel(""); l.Wrapping = fyne.TextWrapWord; return l }
	s.cameras, s.held, s.window, s.disk, s.clips, s.busy = label(), label(), label(), label(), label(), label()
	s.used = widget.NewProgressBar()
	s.used.TextFormatter = func() string { return fmt.Sprintf("%.0f %%", s.used.Value*100) }
	s.trouble = canvas.NewText("", themeColor(colorP1))
	s.obj = section(T("Recording"),
		details([]kvRow{
			{"Cameras recorded", s.cameras},
			{"Held before an alarm", s.held},
			{"Clip of an alarm", s.window},
			{"Disk used", container.NewVBox(s.disk, s.used)},
			{"Clips kept", s.clips},
			{"Being recorded", s.busy},
		}),
		s.trouble,
		muted(T("Clips are written without re-encoding, as MP4 files in the clips folder of the data directory. The limits are set in the configuration file (recording.pre, recording.post, recording.stream, recording.max_age, recording.max_bytes).")))
	s.Tick()
	return s
}

// Tick refreshes the figures.
func (s *recordingSettings) Tick() {
	if s.cameras == nil {
		return
	}
	st := s.c.core.Recording.Status()
	stream := T("main stream")
	if st.Stream == "sub" {
		stream = T("sub stream")
	}
	s.cameras.SetText(T("{{.N}} cameras, {{.Playing}} receiving ({{.Stream}})", map[string]any{
		"N": st.Cameras, "Playing": st.Receiving, "Stream": stream}))
	s.held.SetText(T("{{.Held}} s (asked {{.Pre}} s); {{.MB}} MB of memory", map[string]any{
		"Held": fmt.Sprintf("%.1f", st.Held.Seconds()), "Pre": fmt.Sprintf("%.0f", st.Pre.Seconds()),
		"MB": fmt.Sprintf("%.0f", float64(st.RingBytes)/1e6)}))
	s.window.SetText(T("from {{.Pre}} s before to {{.Post}} s after, of up to 3 cameras that see it", map[string]any{
		"Pre": fmt.Sprintf("%.0f", st.Pre.Seconds()), "Post": fmt.Sprintf("%.0f", st.Post.Seconds())}))
	s.disk.SetText(T("{{.Used}} of {{.Max}}; clips older than {{.Days}} days are deleted", map[string]any{
		"Used": gigabytes(st.Bytes), "Max": gigabytes(st.MaxBytes), "Days": fmt.Sprintf("%.0f", st.MaxAge.Hours()/24)}))
	if st.MaxBytes > 0 {
		s.used.SetValue(min(float64(st.Bytes)/float64(st.MaxBytes), 1))
	}
	oldest := "—"
	if !st.Oldest.IsZero() {
		oldest = st.Oldest.Local().Format("2006-01-02 15:04")
	}
	s.clips.SetText(T("{{.N}}, the oldest from {{.Oldest}}", map[string]any{"N": st.Clips, "Oldest": oldest}))
	s.busy.SetText(T("{{.N}} clips, {{.Drills}} drills", map[string]any{"N": st.Pending, "Drills": st.Drills}))
	text := ""
	if st.LastError != nil && time.Since(st.ErrorAt) < time.Hour {
		text = T("{{.When}}: {{.What}}", map[string]any{"When": st.ErrorAt.Local().Format("15:04:05"), "What": ErrText(st.LastError)})
	}
	if s.trouble.Text != text {
		s.trouble.Text = text
		s.trouble.Refresh()
	}
}

// gigabytes writes a size for people: "1.2 GB", "350 MB".
func gigabytes(n int64) string {
	if n >= 1e9 {
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
	return fmt.Sprintf("%.0f MB", float64(n)/1e6)
}
