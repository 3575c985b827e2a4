package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"time"

	"watchpost/app"
)

// The devices' broker credentials (app/device_credentials.go): a keyed hash per device,
// written with its journal entry in one transaction, never the password.

// credentialPurpose names the key the hashes are made under (Keys.Derive).
const credentialPurpose = "device-credentials"

// DevicePasswordHash is HMAC-SHA256, under the site key's device-credentials key, of the
// device's ID and password: a hash copied onto another device's row does not verify there.
func (s *Store) DevicePasswordHash(deviceID, password string) []byte {
	m := hmac.New(sha256.New, s.keys.Derive(credentialPurpose))
	m.Write([]byte(deviceID))
	m.Write([]byte{0})
	m.Write([]byte(password))
	return m.Sum(nil)
}

// SaveDeviceCredentials replaces the hashes of these devices and journals e, in one
// transaction.
func (s *Store) SaveDeviceCredentials(ctx context.Context, creds []app.DeviceCredential, e app.Entry) (app.Entry, error) {
	return s.withEntry(ctx, e, func(ctx context.Context, tx execer) error {
		for _, c := range creds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO device_credentials (device_id, hash, set_at, set_by) VALUES (?, ?, ?, ?)
				ON CONFLICT (device_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at, set_by = excluded.set_by`,
				c.DeviceID, c.Hash, c.SetAt.UnixNano(), c.SetBy); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeviceCredentials returns every device's hash.
func (s *Store) DeviceCredentials(ctx context.Context) ([]app.DeviceCredential, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT device_id, hash, set_at, set_by FROM device_credentials ORDER BY device_id")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The device credentials cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.DeviceCredential
	for rows.Next() {
		var c app.DeviceCredential
		var at int64
		if err := rows.Scan(&c.DeviceID, &c.Hash, &at, &c.SetBy); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The device credentials cannot be read").Wrap(err)
		}
		c.SetAt = time.Unix(0, at)
		out = append(out, c)
	}
	return out, rows.Err()
}
