package app_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/internal/runtest"
)

// fakeFolder is a backup folder in memory.
type fakeFolder struct {
	mu       sync.Mutex
	files    map[string]int64
	taken    []string
	failNext error
}

func newFakeFolder(names ...string) *fakeFolder {
	f := &fakeFolder{files: map[string]int64{}}
	for _, n := range names {
		f.files[n] = 1
	}
	return f
}

func (f *fakeFolder) Take(_ context.Context, name, reason string) (app.BackupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext != nil {
		err := f.failNext
		f.failNext = nil
		return app.BackupInfo{}, err
	}
	f.files[name] = 100
	f.taken = append(f.taken, name)
	return app.BackupInfo{File: name, Size: 100, Entries: 7, LastSeq: 7, Reason: reason}, nil
}

func (f *fakeFolder) List() ([]app.BackupFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []app.BackupFile
	for n, s := range f.files {
		out = append(out, app.BackupFile{Name: n, Size: s})
	}
	return out, nil
}

func (f *fakeFolder) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.files, name)
	return nil
}

func (f *fakeFolder) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for n := range f.files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (f *fakeFolder) takes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.taken)
}

// The daily part takes one backup a day at the configured time (none when the console
// starts), keeps the configured number (the oldest daily ones deleted, nothing else), journals
// each, and a failure shows on the status bar and is tried again later without stopping it.
func TestTheDailyBackupTakesOneADayAndKeepsN(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)}
	st := newMemStore()
	rec := app.NewRecorder(st, app.NewBus())
	health := app.NewHealth(nil, clock, nil)
	manual := "before-the-move.tar.gz"
	folder := newFakeFolder(manual)
	d := app.NewDailyBackup(folder, app.BackupConfig{DailyAt: "03:30", Keep: 3}, rec, health, clock, nil)
	d.Every = 5 * time.Millisecond
	runtest.Run(t, d)

	require.NoError(t, d.Check(ctx))
	assert.Equal(t, 0, folder.takes(), "nothing at start-up")
	clock.Add(90 * time.Minute) // 03:30
	require.Eventually(t, func() bool { return folder.takes() == 1 }, 15*time.Second, 5*time.Millisecond)
	assert.Equal(t, "watchpost-daily-20261207T033000.tar.gz", folder.taken[0])
	clock.Add(20 * time.Hour)
	require.NoError(t, d.Check(ctx))
	assert.Equal(t, 1, folder.takes(), "once a day")

	for day := 2; day <= 6; day++ {
		clock.Add(4 * time.Hour) // 03:30 the next day (then 20 h later again)
		require.Eventually(t, func() bool { return folder.takes() == day }, 15*time.Second, 5*time.Millisecond, "day %d", day)
		require.NoError(t, d.Check(ctx))
		clock.Add(20 * time.Hour)
	}
	assert.Equal(t, []string{manual, "watchpost-daily-20261210T033000.tar.gz", "watchpost-daily-20261211T033000.tar.gz",
		"watchpost-daily-20261212T033000.tar.gz"}, folder.names(), "three daily ones kept; the one taken by hand too")
	es, err := st.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindBackupTaken}})
	require.NoError(t, err)
	require.Len(t, es, 6)
	var info app.BackupInfo
	require.NoError(t, es[5].Decode(&info))
	assert.Equal(t, "watchpost-daily-20261212T033000.tar.gz", info.File)
	assert.Equal(t, int64(100), info.Size)
	assert.Equal(t, int64(7), info.Entries)
	assert.Equal(t, app.BackupDaily, info.Reason)

	// A failure (a full disk): on the status bar, tried again later, the part still runs.
	folder.mu.Lock()
	folder.failNext = errors.New("no space left on device")
	folder.mu.Unlock()
	clock.Add(4 * time.Hour)
	require.Eventually(t, func() bool {
		s, ok := health.Get("backup")
		return ok && s.State == app.StateDegraded
	}, 15*time.Second, 5*time.Millisecond)
	s, _ := health.Get("backup")
	assert.Equal(t, "The daily backup {{.File}} could not be written", s.Error)
	assert.Equal(t, 6, folder.takes())
	clock.Add(app.BackupRetryAfter)
	require.Eventually(t, func() bool { return folder.takes() == 7 }, 15*time.Second, 5*time.Millisecond, "tried again")
	require.Eventually(t, func() bool { s, _ := health.Get("backup"); return s.State == app.StateOK }, 15*time.Second, 5*time.Millisecond)
}

// A day missed while the console was stopped is taken when it starts, but only when the
// newest daily backup is more than a day old.
func TestAMissedDailyBackupIsTakenAtTheNextStart(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		files []string
		want  int
	}{
		{"the last is two days old", []string{"watchpost-daily-20261205T033000.tar.gz"}, 1},
		{"the last is less than a day old", []string{"watchpost-daily-20261206T120000.tar.gz"}, 0},
		{"none yet", nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
			folder := newFakeFolder(c.files...)
			d := app.NewDailyBackup(folder, app.BackupConfig{}, app.NewRecorder(newMemStore(), app.NewBus()), nil, clock, nil)
			require.NoError(t, d.Check(ctx))
			assert.Equal(t, c.want, folder.takes())
		})
	}
}

func TestTheBackupSectionIsValidated(t *testing.T) {
	for conf, want := range map[string]string{
		`{"backup": {"daily_at": "25:00"}}`:                           "must be HH:MM",
		`{"backup": {"keep": -1}}`:                                    "between 1 and",
		`{"backup": {"daily_at": "off"}}`:                             "",
		`{"backup": {"daily_at": "3:30", "keep": 14, "dir": "/mnt"}}`: "",
		`{"backup": {"every": "day"}}`:                                "Unknown setting",
	} {
		_, err := app.ParseConfig([]byte(conf))
		if want == "" {
			assert.NoError(t, err, conf)
		} else if assert.Error(t, err, conf) {
			assert.Contains(t, err.Error(), want, conf)
		}
	}
	c := app.BackupConfig{}
	h, m := c.At()
	assert.Equal(t, []int{3, 30}, []int{h, m})
	assert.Equal(t, 7, c.KeepN())
	assert.Equal(t, "backups", c.DirOr())
}
