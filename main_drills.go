package main

import (
	"context"
	"log/slog"
	"path/filepath"

	"watchpost/app"
	"watchpost/assets"
	"watchpost/store"
)

// startDrills wires drills: the scenarios from the journal, the default ones the journal
// has not seen yet, and the scheduler that injects a running drill's events through the
// device path (ingest) and the analytics path (a Vision of its own: injected detections
// are marked drill, the cameras' own detections stay real). A drill that cannot start
// its service leaves the console running without drills (nil), logged. The stop added to
// stops ends a running drill before the console journals its own stop.
func startDrills(ctx context.Context, rec *app.Recorder, inv *app.Inventory, plans *app.Plans, desk *app.AlarmDesk,
	ingest *app.Ingest, dir string, log *slog.Logger, stops *[]func()) *app.Drills {
	clock := app.SystemClock{}
	vision := app.NewVision(inv, desk, rec, store.Files{Dir: filepath.Join(dir, "detections")}, clock, log, nil)
	d := app.NewDrills(app.DrillDeps{Recorder: rec, Inventory: inv, Plans: plans, Desk: desk, Ingest: ingest, Vision: vision, Clock: clock, Log: log})
	if err := d.Load(ctx); err != nil {
		log.Error("drills not available", "err", err)
		return nil
	}
	defaults, err := assets.DefaultDrills()
	if err == nil {
		var n int
		if n, err = d.Seed(ctx, defaults); n > 0 {
			log.Info("default drill scenarios added", "scenarios", n)
		}
	}
	if err != nil {
		log.Error("default drill scenarios not added", "err", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	go d.Run(runCtx)
	*stops = append(*stops, func() {
		d.Close()
		cancel()
	})
	return d
}
