package app

import (
	"strconv"
	"strings"
	"time"
)

// Backups: a backup is one archive (the store writes it) holding a consistent copy of the
// database, the configuration and the site's pictures (and, when asked, the recorded clips
// and snapshots), with a manifest. The console takes one every day at a set time and keeps
// a number of them (backup_daily.go); `watchpost backup` takes one while the console runs;
// an upgrade that migrates the database takes one first; `watchpost restore` brings one
// back. Each is journaled.

// Journal entries of backups.
const (
	KindBackupTaken    EntryKind = "backup.taken"    // Data: BackupInfo
	KindBackupRestored EntryKind = "backup.restored" // Data: BackupRestored
)

// Why a backup was taken (BackupInfo.Reason).
const (
	BackupManual       = "manual"        // watchpost backup
	BackupDaily        = "daily"         // the console's daily backup
	BackupPreMigration = "pre-migration" // before an upgrade changed the database
)

// BackupInfo describes a backup that was written: what the journal keeps of it, and what
// its manifest says.
type BackupInfo struct {
	File          string    `json:"file"` // the archive's file name (its folder is the configuration's)
	Path          string    `json:"path,omitempty"`
	Size          int64     `json:"size"`
	Entries       int64     `json:"entries"`  // journal entries in it
	LastSeq       int64     `json:"last_seq"` // the newest entry in it
	SchemaVersion int       `json:"schema_version"`
	SiteID        string    `json:"site_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	WithClips     bool      `json:"with_clips,omitempty"`
	Reason        string    `json:"reason"`
}

// BackupRestored is what a restore journals in the database it brought back.
type BackupRestored struct {
	File      string    `json:"file"`            // the archive restored
	CreatedAt time.Time `json:"created_at"`      // when that backup was taken
	LastSeq   int64     `json:"last_seq"`        // its newest entry (the entries after it are this restore's)
	SiteID    string    `json:"site_id"`         // the site it holds
	SetAside  []string  `json:"set_aside"`       // the files the restore moved aside (the replaced database, configuration)
	Added     int       `json:"added,omitempty"` // pictures and clips the restore put back
	Kept      int       `json:"kept,omitempty"`  // pictures and clips already there, left as they were
}

// BackupConfig is the "backup" section of the configuration: the daily backup.
type BackupConfig struct {
	// DailyAt is the local time of the daily backup ("03:30"), or "off".
	DailyAt string `json:"daily_at,omitempty"`
	// Keep is how many daily backups are kept (the oldest beyond it are deleted).
	Keep int `json:"keep,omitempty"`
	// Dir is the folder of the daily backups; relative to the data directory; default
	// "backups" in it.
	Dir string `json:"dir,omitempty"`
	// WithClips puts the recorded clips and snapshots into the daily backups too.
	WithClips bool `json:"with_clips,omitempty"`
}

// Defaults of the backup section (README).
const (
	DefaultBackupAt   = "03:30"
	DefaultBackupKeep = 7
	DefaultBackupDir  = "backups"
	maxBackupKeep     = 366
)

// Off reports whether the daily backup is switched off.
func (c BackupConfig) Off() bool { return strings.EqualFold(strings.TrimSpace(c.DailyAt), "off") }

// At returns the time of day of the daily backup (hours, minutes), with its default.
func (c BackupConfig) At() (int, int) {
	s := c.DailyAt
	if s == "" {
		s = DefaultBackupAt
	}
	h, m, _ := parseClock(s)
	return h, m
}

// KeepN returns how many daily backups are kept, with its default.
func (c BackupConfig) KeepN() int {
	if c.Keep > 0 {
		return c.Keep
	}
	return DefaultBackupKeep
}

// DirOr returns the backup folder, with its default.
func (c BackupConfig) DirOr() string {
	if c.Dir != "" {
		return c.Dir
	}
	return DefaultBackupDir
}

// Validate checks the section.
func (c BackupConfig) Validate() error {
	var p Problems
	if c.DailyAt != "" && !c.Off() {
		if _, _, ok := parseClock(c.DailyAt); !ok {
			p.Add("backup.daily_at", "The time of the daily backup {{.T}} must be HH:MM (03:30) or off", "T", c.DailyAt)
		}
	}
	if c.Keep < 0 || c.Keep > maxBackupKeep {
		p.Add("backup.keep", "The number of daily backups kept is between 1 and {{.N}}", "N", maxBackupKeep)
	}
	return p.Err()
}

// parseClock reads "HH:MM" (00:00–23:59).
func parseClock(s string) (int, int, bool) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(ms) != 2 || len(hs) < 1 || len(hs) > 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}
