package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"watchpost/app"
)

// Site edits from the map (app.SiteEditor): each changes its table and journals its entry
// in one transaction.

// BackgroundDir is the folder of the data directory that keeps background pictures.
const BackgroundDir = "backgrounds"

// SaveGrid adds a grid (after the others) or replaces the one with the same ID.
func (s *Store) SaveGrid(ctx context.Context, g app.Grid, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, g)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO grids (id, site_id, pos, name, data)
			SELECT ?, id, (SELECT coalesce(max(pos), -1) + 1 FROM grids), ?, ? FROM sites WHERE true LIMIT 1
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data`, g.ID, g.Name, data)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeUnavailable, "No site is set up yet")
		}
		return nil
	})
}

// UpdateDevice replaces one device (its position, its grid).
func (s *Store) UpdateDevice(ctx context.Context, d app.Device, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, d)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE devices SET kind = ?, grid_id = ?, name = ?, data = ? WHERE id = ?",
			string(d.Kind), nullable(d.GridID), d.Name, data, d.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no device {{.ID}}", "ID", d.ID)
		}
		return nil
	})
}

func (s *Store) backgroundPath(file string) (string, error) {
	if file == "" || filepath.Base(file) != file || strings.HasPrefix(file, ".") {
		return "", app.Errorf(app.CodeInvalid, "The background needs a picture file")
	}
	return filepath.Join(filepath.Dir(s.path), BackgroundDir, file), nil
}

// SetBackground keeps the picture (when given) as backgrounds/<bg.File> in the data
// directory and records the background in the site's record; bg nil removes it from the
// site. Pictures are never deleted: the journal refers to them.
func (s *Store) SetBackground(ctx context.Context, bg *app.Background, image []byte, e app.Entry) (app.Entry, error) {
	if s.writer == nil {
		return e, app.Errorf(app.CodeUnavailable, "The database is open read-only")
	}
	if bg != nil && image != nil {
		dst, err := s.backgroundPath(bg.File)
		if err != nil {
			return e, err
		}
		if err := writeFileAtomic(dst, image); err != nil {
			return e, app.Errorf(app.CodeUnavailable, "The background picture cannot be saved in {{.Path}}", "Path", filepath.Dir(dst)).Wrap(err)
		}
	}
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		var err error
		if bg == nil {
			_, err = tx.ExecContext(ctx, "UPDATE sites SET data = json_remove(data, '$.background')")
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE sites SET data = json_set(data, '$.background', json(?))", mustJSON(bg))
		}
		return err
	})
}

// BackgroundImage reads a kept background picture.
func (s *Store) BackgroundImage(_ context.Context, file string) ([]byte, error) {
	p, err := s.backgroundPath(file)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, app.Errorf(app.CodeNotFound, "The background picture {{.Path}} cannot be read", "Path", p).Wrap(err)
	}
	return b, nil
}

// writeFileAtomic writes through a temporary file and a rename: no half-written picture.
func writeFileAtomic(dst string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), DirMode); err != nil {
		return err
	}
	if b, err := os.ReadFile(dst); err == nil && string(b) == string(data) {
		return nil // named by its content: already there
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".background-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
