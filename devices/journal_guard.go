package devices

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"watchpost/app"
)

// When the journal cannot be written (the disk is full), device messages are refused
// (not acknowledged, the connection closed: the device sends them again) and the operators
// must know at once: a P1 system alarm. An alarm is durable before it is shown, and a full
// disk takes nothing: so a small reserve file is kept beside the database, and released
// when the disk is found full, to make room for that alarm. The alarm is resolved, and the
// reserve made again, once the disk has room again.

// FaultDesk raises and clears the system's own fault alarms (app.AlarmDesk).
type FaultDesk interface {
	RaiseSystemFault(ctx context.Context, kind string, at time.Time, params map[string]string) (app.Alarm, error)
	ClearFault(ctx context.Context, kind, sourceID, note string) (app.Alarm, bool, error)
	HasOpen(kind string) bool
}

// ReserveFile is the room kept for the disk-full alarm in the data directory.
const ReserveFile = "journal.reserve"

// reserveBytes is its size: a few journal transactions.
const reserveBytes = 256 << 10

type journalGuard struct {
	dir    string // the data directory ("" when the journal is not on this machine)
	desk   FaultDesk
	health *app.Health
	watch  *app.BrokerWatch
	log    *slog.Logger

	mu      sync.Mutex // one failure or recovery at a time
	failing atomic.Bool
	full    bool // the failure was a full disk (under mu)
}

func (g *journalGuard) setHealth(st app.ComponentStatus) {
	if g.health != nil {
		g.health.Set(st)
	}
}

// diskFull tells a write that failed for lack of space (SQLite: "database or disk is full").
func diskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "disk is full") || strings.Contains(s, "disk full") || strings.Contains(s, "no space left")
}

// makeReserve writes the reserve file when it is missing (real bytes, not a sparse file).
func (g *journalGuard) makeReserve() error {
	if g.dir == "" {
		return nil
	}
	path := filepath.Join(g.dir, ReserveFile)
	if fi, err := os.Stat(path); err == nil && fi.Size() >= reserveBytes {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, reserveBytes))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// failed is told of a device message the journal refused (on the device's goroutine).
func (g *journalGuard) failed(topic string, err error) {
	full := diskFull(err)
	g.watch.Note(app.RefusedJournal, time.Now(), "The journal refused a message on {{.Topic}}: it is not acknowledged and the device sends it again", "Topic", topic)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.failing.Swap(true) {
		st := app.ComponentStatus{Name: "journal", Label: "Journal", State: app.StateDown, Detail: g.dir}
		if full {
			st.SetError(app.Errorf(app.CodeUnavailable, "The disk is full: device messages are refused until there is room").Wrap(err))
		} else {
			st.SetError(app.Errorf(app.CodeUnavailable, "The journal cannot be written: device messages are refused until it can").Wrap(err))
		}
		g.setHealth(st)
	}
	g.full = g.full || full
	if !full || g.desk == nil || g.desk.HasOpen(app.AlarmJournalFull) {
		return
	}
	if g.dir != "" {
		if rerr := os.Remove(filepath.Join(g.dir, ReserveFile)); rerr == nil {
			g.log.Warn("disk full: the journal's reserve is released for the alarm", "dir", g.dir)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, rerr := g.desk.RaiseSystemFault(ctx, app.AlarmJournalFull, time.Now(), map[string]string{"dir": g.dir}); rerr != nil {
		// Not durable, so not shown as an alarm: the status bar says it, and the alarm is
		// raised as soon as the journal takes anything.
		g.log.Error("the disk-full alarm cannot be journaled yet", "err", rerr)
	}
}

// written is told of a device message journaled: when the journal was failing, the
// disk-full alarm is made durable if it was not yet, and resolved once the reserve can be
// made again (the disk has room).
func (g *journalGuard) written() {
	if !g.failing.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.failing.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if g.full && g.desk != nil && !g.desk.HasOpen(app.AlarmJournalFull) {
		if _, err := g.desk.RaiseSystemFault(ctx, app.AlarmJournalFull, time.Now(), map[string]string{"dir": g.dir}); err != nil {
			return
		}
	}
	if err := g.makeReserve(); err != nil {
		return // still no room: the alarm stays open
	}
	g.failing.Store(false)
	g.full = false
	if g.desk != nil {
		if _, _, err := g.desk.ClearFault(ctx, app.AlarmJournalFull, "", "The journal is written again"); err != nil {
			g.log.Error("the disk-full alarm cannot be resolved", "err", err)
		}
	}
	g.setHealth(app.ComponentStatus{Name: "journal", Label: "Journal", State: app.StateOK, Detail: g.dir})
	g.log.Info("the journal is written again")
}
