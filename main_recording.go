package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"watchpost/app"
	"watchpost/store"
	"watchpost/video"
)

// startRecording records video around alarms and drills (<data dir>/clips): the video side
// keeps the last seconds of every camera's compressed stream in memory (no decoding),
// app.Recording decides what becomes a clip and applies retention. The returned function
// stops it, finishing the clips being recorded.
func startRecording(st *store.Store, rec *app.Recorder, inv *app.Inventory, desk *app.AlarmDesk, incidents *app.Incidents,
	health *app.Health, settings *app.Settings, feeds *video.Feeds, demoSim bool, dir string, log *slog.Logger) (*app.Recording, func()) {
	clips := video.NewRecorder(feeds, video.RecorderConfig{Dir: filepath.Join(dir, "clips"), Log: log})
	r := app.NewRecording(app.RecordingDeps{Source: clips, Store: st, Recorder: rec, Inventory: inv, Desk: desk,
		Incidents: incidents, Health: health, Clock: app.SystemClock{}, Log: log}, recordingConfig(settings.Get(), demoSim))
	settings.Watch(func(c app.Config) { r.SetConfig(recordingConfig(c, demoSim)) })
	r.Start()
	stop := superviseRun("recording", r.Run, log)
	return r, func() {
		stop()
		r.Close()
		clips.Close()
	}
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

// superviseRun runs a component's Run until stopped, running it again with a growing pause
// (1 s to 30 s) when it fails. The returned function stops it and waits.
func superviseRun(name string, run func(context.Context) error, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.Second
		for {
			started := time.Now()
			err := run(ctx)
			if ctx.Err() != nil {
				return
			}
			if time.Since(started) > time.Minute {
				wait = time.Second // it ran a while: start the backoff afresh
			}
			log.Warn(name+" stopped; starting it again", "err", err, "in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, 30*time.Second)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
