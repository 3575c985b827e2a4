package main

import (
	"log/slog"
	"path/filepath"

	"watchpost/app"
	"watchpost/video"
)

// recordingParts record video around alarms and drills (<data dir>/clips): the video side
// keeps the last seconds of every camera's compressed stream in memory (no decoding),
// app.Recording decides what becomes a clip and applies retention. The video side's part
// (the recorder, a runner: it taps the cameras while it runs) comes first, so that it stops
// after the service (which finishes the clips being recorded).
func recordingParts(core *app.Core, feeds *video.Feeds, demoSim bool, dir string, log *slog.Logger) []app.Part {
	clips := video.NewRecorder(feeds, video.RecorderConfig{Dir: filepath.Join(dir, "clips"), Log: log})
	r := core.UseRecording(clips, recordingConfig(core.Settings.Get(), demoSim))
	core.Settings.Watch(func(c app.Config) { r.SetConfig(recordingConfig(c, demoSim)) })
	parts := core.Parts()
	return []app.Part{{Name: "clips", Label: "Recording", Runner: clips}, parts[len(parts)-1]}
}

// recordingConfig is the recording section to apply. On the demo whose cameras this
// process simulates, the sub stream is recorded unless the configuration says otherwise:
// recording every main stream would make the simulator encode thirteen 720p streams all
// the time (about one core of the demo's 1.5 here), a cost a real site's cameras bear.
func recordingConfig(c app.Config, demoSim bool) app.RecordingConfig {
	rc := c.Recording
	if demoSim && rc.Stream == "" {
		rc.Stream = "sub"
	}
	return rc
}
