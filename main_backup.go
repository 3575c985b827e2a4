package main

import (
	"log/slog"
	"path/filepath"

	"watchpost/app"
	"watchpost/store"
)

// backupPart is the daily backup (app.DailyBackup) into the configuration's folder
// (<data dir>/backups by default; a relative folder is in the data directory).
func backupPart(core *app.Core, st *store.Store, dir, configFile string, log *slog.Logger) app.Part {
	cfg := core.Settings.Get().Backup
	folder := store.BackupDir{Store: st, Dir: backupFolder(dir, cfg),
		Opt: store.BackupOptions{DataDir: dir, ConfigFile: configFile, WithClips: cfg.WithClips, Version: version}}
	return app.Part{Name: "backup", Label: "Daily backup",
		Runner: app.NewDailyBackup(folder, cfg, core.Recorder, core.Health, core.Clock, log)}
}

// backupFolder is the folder of the daily backups for cfg.
func backupFolder(dataDir string, cfg app.BackupConfig) string {
	if d := cfg.DirOr(); filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(dataDir, cfg.DirOr())
}
