package testkit

import (
	"context"

	"watchpost/app"
)

// The devices' broker credentials (app.CredentialStore), written behind the gate like the
// others.
func (s gatedStore) SaveDeviceCredentials(ctx context.Context, creds []app.DeviceCredential, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveDeviceCredentials(ctx, creds, e)
}
