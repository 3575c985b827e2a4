package store

import (
	"context"

	"watchpost/app"
)

// The site's things added and deleted in the console (app.ThingStore): each changes its
// tables and journals its entry in one transaction. A camera's row keeps its addresses
// whole (with their passwords); the entry carries them hidden.

// AddCamera adds a camera after the others.
func (s *Store) AddCamera(ctx context.Context, c app.Camera, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, c) // its addresses' passwords sealed
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cameras (id, site_id, pos, grid_id, name, data)
			SELECT ?, id, (SELECT coalesce(max(pos), -1) + 1 FROM cameras), ?, ?, ? FROM sites LIMIT 1`,
			c.ID, nullable(c.GridID), c.Name, data)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeUnavailable, "No site is set up yet")
		}
		return nil
	})
}

// DeleteCamera removes a camera and rewrites the devices that named it.
func (s *Store) DeleteCamera(ctx context.Context, id string, devices []app.Device, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		if err := deleteRow(ctx, tx, "cameras", id, app.Errorf(app.CodeNotFound, "There is no camera {{.ID}}", "ID", id)); err != nil {
			return err
		}
		return rewriteDevices(ctx, tx, s.personal, devices)
	})
}

// DeleteDevice removes a device and its last known state.
func (s *Store) DeleteDevice(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		if err := deleteRow(ctx, tx, "devices", id, app.Errorf(app.CodeNotFound, "There is no device {{.ID}}", "ID", id)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM device_credentials WHERE device_id = ?", id); err != nil {
			return err // a device added again later gets new credentials, never its old ones
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM device_state WHERE device = ?", id)
		return err
	})
}

// SaveBuilding adds a building (after the others) or replaces the one with the same ID.
func (s *Store) SaveBuilding(ctx context.Context, b app.Building, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO buildings (id, site_id, pos, grid_id, name, data)
			SELECT ?, id, (SELECT coalesce(max(pos), -1) + 1 FROM buildings), ?, ?, ? FROM sites WHERE true LIMIT 1
			ON CONFLICT (id) DO UPDATE SET grid_id = excluded.grid_id, name = excluded.name, data = excluded.data`,
			b.ID, nullable(b.GridID), b.Name, mustJSON(b))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeUnavailable, "No site is set up yet")
		}
		return nil
	})
}

// DeleteBuilding removes a building and rewrites the cameras and devices that stood in it.
func (s *Store) DeleteBuilding(ctx context.Context, id string, cameras []app.Camera, devices []app.Device, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		if err := deleteRow(ctx, tx, "buildings", id, app.Errorf(app.CodeNotFound, "There is no building {{.ID}}", "ID", id)); err != nil {
			return err
		}
		for _, c := range cameras {
			data, err := s.personal.sealedJSON(ctx, tx, c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE cameras SET grid_id = ?, name = ?, data = ? WHERE id = ?",
				nullable(c.GridID), c.Name, data, c.ID); err != nil {
				return err
			}
		}
		return rewriteDevices(ctx, tx, s.personal, devices)
	})
}

// deleteRow deletes one row of an inventory table; missing is the error when there is none.
func deleteRow(ctx context.Context, tx execer, table, id string, missing error) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing
	}
	return nil
}

func rewriteDevices(ctx context.Context, tx execer, p *personal, devices []app.Device) error {
	for _, d := range devices {
		data, err := p.sealedJSON(ctx, tx, d)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE devices SET kind = ?, grid_id = ?, name = ?, data = ? WHERE id = ?",
			string(d.Kind), nullable(d.GridID), d.Name, data, d.ID); err != nil {
			return err
		}
	}
	return nil
}
