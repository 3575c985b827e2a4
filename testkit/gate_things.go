package testkit

import (
	"context"

	"watchpost/app"
)

// The store's writes of the site's things (app.ThingStore), behind the gate like the others.

func (s gatedStore) AddCamera(ctx context.Context, c app.Camera, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.AddCamera(ctx, c, e)
}

func (s gatedStore) DeleteCamera(ctx context.Context, id string, devices []app.Device, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeleteCamera(ctx, id, devices, e)
}

func (s gatedStore) DeleteDevice(ctx context.Context, id string, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeleteDevice(ctx, id, e)
}

func (s gatedStore) SaveBuilding(ctx context.Context, b app.Building, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.SaveBuilding(ctx, b, e)
}

func (s gatedStore) DeleteBuilding(ctx context.Context, id string, cameras []app.Camera, devices []app.Device, e app.Entry) (app.Entry, error) {
	if err := s.before(ctx, &e); err != nil {
		return app.Entry{}, err
	}
	return s.Store.DeleteBuilding(ctx, id, cameras, devices, e)
}
