package app

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// BackupFolder is the folder the daily backups are written to (the store's side).
type BackupFolder interface {
	// Take writes a backup as name (a plain file name) in the folder.
	Take(ctx context.Context, name, reason string) (BackupInfo, error)
	// List returns the files in the folder (none when it does not exist yet).
	List() ([]BackupFile, error)
	// Remove deletes a file of the folder.
	Remove(name string) error
}

// BackupFile is a file in the backup folder.
type BackupFile struct {
	Name string
	Size int64
}

// Names of the daily backups: the time they were taken is in the name, so the folder alone
// says which is the newest, and nothing but these files is ever deleted by the daily part
// (a backup taken by hand or before an upgrade is kept until someone deletes it).
const (
	dailyPrefix = "watchpost-daily-"
	dailySuffix = ".tar.gz"
	dailyStamp  = "20060102T150405"
)

// DailyBackupName is the file name of a daily backup taken at t.
func DailyBackupName(t time.Time) string { return dailyPrefix + t.Format(dailyStamp) + dailySuffix }

// dailyBackupTime reads the time back from a daily backup's name.
func dailyBackupTime(name string, loc *time.Location) (time.Time, bool) {
	if !strings.HasPrefix(name, dailyPrefix) || !strings.HasSuffix(name, dailySuffix) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(dailyStamp, strings.TrimSuffix(strings.TrimPrefix(name, dailyPrefix), dailySuffix), loc)
	return t, err == nil
}

// BackupRetryAfter is how long the daily backup waits after a failure before it tries
// again (a full disk would otherwise be tried every few seconds).
const BackupRetryAfter = 10 * time.Minute

// DailyBackup is the running part that takes the daily backup: at the configured time each
// day (in the machine's time zone), not when the console starts; a day missed while the
// console was stopped is taken at the next start when the newest daily backup is older
// than a day. It keeps the configured number of daily backups and deletes older ones. A
// failure shows on the status bar (Health "backup") and is tried again later: it never
// stops the console.
type DailyBackup struct {
	folder BackupFolder
	cfg    BackupConfig
	rec    *Recorder
	health *Health
	clock  Clock
	log    *slog.Logger
	// Every is how often the clock is looked at (default 30 s; tests shorten it).
	Every time.Duration

	mu      sync.Mutex
	started time.Time
	retryAt time.Time
}

// NewDailyBackup builds the part; health may be nil.
func NewDailyBackup(folder BackupFolder, cfg BackupConfig, rec *Recorder, health *Health, clock Clock, log *slog.Logger) *DailyBackup {
	if log == nil {
		log = slog.Default()
	}
	return &DailyBackup{folder: folder, cfg: cfg, rec: rec, health: health, clock: clock, log: log, Every: 30 * time.Second}
}

// Run looks at the clock until ctx ends.
func (d *DailyBackup) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.started.IsZero() {
		d.started = d.clock.Now()
	}
	d.mu.Unlock()
	if d.cfg.Off() {
		<-ctx.Done()
		return nil
	}
	tick := time.NewTicker(d.Every)
	defer tick.Stop()
	for {
		_ = d.Check(ctx) // a failure is on the status bar and in the log
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Check takes the daily backup when it is due, and deletes those beyond the number kept.
func (d *DailyBackup) Check(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now()
	if d.started.IsZero() {
		d.started = now
	}
	if d.cfg.Off() || now.Before(d.retryAt) {
		return nil
	}
	daily, err := d.dailies(now.Location())
	if err != nil {
		return d.failed(now, err)
	}
	var last time.Time
	if len(daily) > 0 {
		last = daily[len(daily)-1].at
	}
	slot := d.slot(now)
	if !last.Before(slot) {
		return nil // taken since the time of the day came
	}
	if slot.Before(d.started) && (last.IsZero() || now.Sub(last) < 24*time.Hour) {
		// The time came while the console was stopped: a day is made up for only when the
		// newest backup is more than a day old (not at every start of a new console).
		return nil
	}
	name := DailyBackupName(now)
	info, err := d.folder.Take(ctx, name, BackupDaily)
	if err != nil {
		return d.failed(now, Errorf(CodeUnavailable, "The daily backup {{.File}} could not be written", "File", name).Wrap(err))
	}
	if _, err := d.rec.Record(ctx, NewEntry(KindBackupTaken, SubjectBackup(name), SystemActor, info)); err != nil {
		return d.failed(now, err)
	}
	d.log.Info("daily backup taken", "file", name, "size", info.Size, "entries", info.Entries)
	if err := d.prune(now.Location()); err != nil {
		return d.failed(now, err)
	}
	d.retryAt = time.Time{}
	d.report(ComponentStatus{State: StateOK, Detail: name})
	return nil
}

// slot is the newest time of the daily backup at or before now.
func (d *DailyBackup) slot(now time.Time) time.Time {
	h, m := d.cfg.At()
	s := time.Date(now.Year(), now.Month(), now.Day(), h, m, 0, 0, now.Location())
	if s.After(now) {
		s = s.AddDate(0, 0, -1)
	}
	return s
}

type dailyFile struct {
	name string
	at   time.Time
}

// dailies are the daily backups in the folder, oldest first.
func (d *DailyBackup) dailies(loc *time.Location) ([]dailyFile, error) {
	files, err := d.folder.List()
	if err != nil {
		return nil, Errorf(CodeUnavailable, "The backup folder cannot be read").Wrap(err)
	}
	var out []dailyFile
	for _, f := range files {
		if at, ok := dailyBackupTime(f.Name, loc); ok {
			out = append(out, dailyFile{f.Name, at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}

// prune deletes the oldest daily backups beyond the number kept.
func (d *DailyBackup) prune(loc *time.Location) error {
	daily, err := d.dailies(loc)
	if err != nil {
		return err
	}
	for len(daily) > d.cfg.KeepN() {
		if err := d.folder.Remove(daily[0].name); err != nil {
			return Errorf(CodeUnavailable, "The old backup {{.File}} cannot be deleted", "File", daily[0].name).Wrap(err)
		}
		d.log.Info("old daily backup deleted", "file", daily[0].name)
		daily = daily[1:]
	}
	return nil
}

func (d *DailyBackup) failed(now time.Time, err error) error {
	d.log.Warn("daily backup", "err", err)
	d.retryAt = now.Add(BackupRetryAfter)
	cs := ComponentStatus{State: StateDegraded}
	cs.SetError(err)
	d.report(cs)
	return err
}

func (d *DailyBackup) report(cs ComponentStatus) {
	if d.health == nil {
		return
	}
	cs.Name, cs.Label, cs.Internal = "backup", "Backup", true
	d.health.Set(cs)
}

// SubjectBackup is the journal subject of a backup file.
func SubjectBackup(file string) string { return "backup:" + file }
