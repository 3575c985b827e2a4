package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"watchpost/app"
)

// project applies a journal entry to the tables derived from the journal, in the same
// transaction as the entry itself. Kinds without a projection only live in the journal.
// sealed is the entry's data as the journal keeps it (personal fields sealed).
func project(ctx context.Context, tx *sql.Tx, st *writeStmts, e *app.Entry, sealed sql.NullString) error {
	switch {
	case e.Kind.IsAlarm():
		var a app.Alarm
		if err := e.Decode(&a); err != nil {
			return err
		}
		if e.Kind == app.KindAlarmRaised {
			a.ID = e.Seq
		}
		data, err := st.personal.sealedJSON(ctx, tx, a)
		if err != nil {
			return err
		}
		_, err = st.alarm.ExecContext(ctx, a.ID, a.Kind, int(a.Priority), string(a.State), a.DeviceID, a.CameraID, a.GridID, a.Drill,
			a.RaisedAt.UnixNano(), e.Seq, data)
		return err
	case e.Kind == app.KindDeviceReading && !e.Drill:
		// The hot path: no decoding. Any message means the device is there; a Last Will
		// is followed by a device.offline entry that marks it offline. A drill's injected
		// message is not the device speaking.
		device := strings.TrimPrefix(e.Subject, "device:")
		_, err := st.deviceState.ExecContext(ctx, device, e.Time.UnixNano(), string(e.Data))
		return err
	case e.Kind == app.KindDeviceAdded:
		var d app.Device
		if err := e.Decode(&d); err != nil {
			return err
		}
		var siteID string
		var pos int
		if err := tx.QueryRowContext(ctx, "SELECT id, (SELECT coalesce(max(pos), -1) + 1 FROM devices) FROM sites LIMIT 1").Scan(&siteID, &pos); err != nil {
			return err
		}
		data, err := st.personal.sealedJSON(ctx, tx, d)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO devices (id, site_id, pos, kind, grid_id, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			d.ID, siteID, pos, string(d.Kind), nullable(d.GridID), d.Name, data)
		return err
	case e.Kind.IsOrder():
		return projectOrder(ctx, tx, st, e, sealed) // orders.go
	case e.Kind == app.KindClip || e.Kind == app.KindClipDeleted:
		return projectClip(ctx, tx, e) // clips.go
	case e.Kind == app.KindDeviceGap:
		var g app.SeqGap
		if err := e.Decode(&g); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE device_state SET gaps = gaps + ?, last_gap = max(last_gap, ?) WHERE device = ?",
			int64(g.Missing), e.Time.UnixNano(), g.Device)
		return err
	case e.Kind == app.KindDeviceOffline || e.Kind == app.KindDeviceOnline:
		var d struct{ Device string }
		if err := e.Decode(&d); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE device_state SET online = ? WHERE device = ?", e.Kind == app.KindDeviceOnline, d.Device)
		return err
	}
	return nil
}

// siteHeader is what the sites row keeps besides the indexed columns.
type siteHeader struct {
	app.Names
	Address  string        `json:"address,omitempty"`
	TimeZone string        `json:"time_zone,omitempty"`
	Boundary app.Polygon   `json:"boundary"`
	Features []app.Feature `json:"features,omitempty"`
	Vehicles []app.Vehicle `json:"vehicles,omitempty"`
	Contacts []app.Contact `json:"contacts,omitempty"`
	// Origin and Background are optional (the site map: WGS-84 anchor, background picture).
	Origin     *app.GeoOrigin  `json:"origin,omitempty"`
	Background *app.Background `json:"background,omitempty"`
}

func replaceSite(ctx context.Context, tx execer, p *personal, s *app.Site) error {
	// One site per database: a new one replaces the old (cascading to its inventory).
	if _, err := tx.ExecContext(ctx, "DELETE FROM sites"); err != nil {
		return err
	}
	head, err := p.sealedJSON(ctx, tx, siteHeader{s.Names, s.Address, s.TimeZone, s.Boundary, s.Features, s.Vehicles, s.Contacts, s.Origin, s.Background})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO sites (id, name, demo, data) VALUES (?, ?, ?, ?)", s.ID, s.Name, s.Demo, head); err != nil {
		return err
	}
	for i, g := range s.Grids {
		data, err := p.sealedJSON(ctx, tx, g)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO grids (id, site_id, pos, name, data) VALUES (?, ?, ?, ?, ?)",
			g.ID, s.ID, i, g.Name, data); err != nil {
			return err
		}
	}
	for i, b := range s.Buildings {
		if _, err := tx.ExecContext(ctx, "INSERT INTO buildings (id, site_id, pos, grid_id, name, data) VALUES (?, ?, ?, ?, ?, ?)",
			b.ID, s.ID, i, nullable(b.GridID), b.Name, mustJSON(b)); err != nil {
			return err
		}
	}
	for i, c := range s.Cameras {
		data, err := p.sealedJSON(ctx, tx, c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO cameras (id, site_id, pos, grid_id, name, data) VALUES (?, ?, ?, ?, ?, ?)",
			c.ID, s.ID, i, nullable(c.GridID), c.Name, data); err != nil {
			return err
		}
	}
	for i, d := range s.Devices {
		data, err := p.sealedJSON(ctx, tx, d)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO devices (id, site_id, pos, kind, grid_id, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
			d.ID, s.ID, i, string(d.Kind), nullable(d.GridID), d.Name, data); err != nil {
			return err
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: cannot marshal: " + err.Error()) // our own types always marshal
	}
	return string(b)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
