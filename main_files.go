package main

import (
	"fmt"
	"io/fs"
	"log/slog"

	"watchpost/store"
)

// secureFiles makes the data directory and everything in it private (folders 0700, files
// 0600) before anything is read from it, whatever made them before: an older version, a
// copy, an administrator. Each change is logged; a path that cannot be changed (another
// account's) is logged as an error, and the start goes on.
func secureFiles(log *slog.Logger, dirs ...string) {
	for _, dir := range dirs {
		fixed, err := store.SecureDataDir(dir)
		for i, f := range fixed {
			if i == 50 {
				log.Warn("file modes made private", "more", len(fixed)-i)
				break
			}
			log.Warn("file mode made private", "path", f.Path, "was", modeText(f.From), "now", modeText(f.To))
		}
		if err != nil {
			log.Error("file modes cannot be made private", "dir", dir, "err", err)
		}
	}
}

func modeText(m fs.FileMode) string { return fmt.Sprintf("%04o", m.Perm()) }
