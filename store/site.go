package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"watchpost/app"
)

// LoadSite reads the site and its inventory (CodeNotFound when none was set up).
func (s *Store) LoadSite(ctx context.Context) (*app.Site, error) {
	ring, err := s.preloadedRing(ctx) // personal.go: every key read before the transaction
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The database cannot be read").Wrap(err)
	}
	defer tx.Rollback() // a read transaction: one consistent snapshot of all tables

	site := &app.Site{}
	var head string
	err = tx.QueryRowContext(ctx, "SELECT id, demo, data FROM sites LIMIT 1").Scan(&site.ID, &site.Demo, &head)
	if err != nil {
		return nil, notFound(err, "No site is set up yet")
	}
	openedHead, err := ring.openJSON(ctx, []byte(head))
	if err != nil {
		return nil, err
	}
	var h siteHeader
	if err := json.Unmarshal(openedHead, &h); err != nil {
		return nil, app.Errorf(app.CodeCorrupt, "The site's record cannot be read").Wrap(err)
	}
	site.Names, site.Address, site.Boundary, site.Features = h.Names, h.Address, h.Boundary, h.Features
	site.TimeZone = h.TimeZone
	site.Vehicles, site.Contacts, site.Origin, site.Background = h.Vehicles, h.Contacts, h.Origin, h.Background
	if err := loadRows(ctx, tx, ring, "grids", site.ID, &site.Grids); err != nil {
		return nil, err
	}
	if err := loadRows(ctx, tx, ring, "buildings", site.ID, &site.Buildings); err != nil {
		return nil, err
	}
	if err := loadRows(ctx, tx, ring, "cameras", site.ID, &site.Cameras); err != nil {
		return nil, err
	}
	if err := loadRows(ctx, tx, ring, "devices", site.ID, &site.Devices); err != nil {
		return nil, err
	}
	return site, nil
}

// loadRows reads the JSON of every row of an inventory table, in site-file order.
func loadRows[T any](ctx context.Context, tx *sql.Tx, ring *keyRing, table, siteID string, out *[]T) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, data FROM "+table+" WHERE site_id = ? ORDER BY pos", siteID)
	if err != nil {
		return app.Errorf(app.CodeUnavailable, "The database cannot be read").Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return app.Errorf(app.CodeCorrupt, "The {{.Table}} table cannot be read", "Table", table).Wrap(err)
		}
		opened, err := ring.openJSON(ctx, []byte(data)) // personal.go
		if err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal(opened, &v); err != nil {
			return app.Errorf(app.CodeCorrupt, "The record {{.ID}} in {{.Table}} cannot be read", "ID", id, "Table", table).Wrap(err)
		}
		*out = append(*out, v)
	}
	return rows.Err()
}

// ReplaceSite sets up the site (replacing any) and journals e in the same transaction.
func (s *Store) ReplaceSite(ctx context.Context, site *app.Site, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		return replaceSite(ctx, tx, s.personal, site)
	})
}

// UpdateCamera changes one camera and journals e in the same transaction.
func (s *Store) UpdateCamera(ctx context.Context, c app.Camera, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		data, err := s.personal.sealedJSON(ctx, tx, c)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE cameras SET name = ?, grid_id = ?, data = ? WHERE id = ?", c.Name, nullable(c.GridID), data, c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return app.Errorf(app.CodeNotFound, "There is no camera {{.ID}}", "ID", c.ID)
		}
		return nil
	})
}
