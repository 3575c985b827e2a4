package store

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"

	"watchpost/app"
)

// fileLock keeps a second console from running on the same data directory: two writers
// would each believe they own the open alarms. The read-only CLI takes no lock.
type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The lock file {{.Path}} cannot be created", "Path", path).Wrap(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			pid = strings.TrimSpace(string(b))
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, app.Errorf(app.CodeConflict, "Another Watchpost (process {{.PID}}) is already running on this data directory", "PID", pid)
		}
		return nil, app.Errorf(app.CodeUnavailable, "The lock file {{.Path}} cannot be locked", "Path", path).Wrap(err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
