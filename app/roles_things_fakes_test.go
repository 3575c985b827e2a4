package app_test

import (
	"context"

	"watchpost/app"
)

// app.ThingStore for the role table: the store journals; the inventory reads back the site
// the memory store keeps (the things' writes are not kept there: a refusal must journal
// nothing, an allowed call must journal the operator's entry).
func (m *roleStore) AddCamera(ctx context.Context, _ app.Camera, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) DeleteCamera(ctx context.Context, _ string, _ []app.Device, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) DeleteDevice(ctx context.Context, _ string, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) SaveBuilding(ctx context.Context, _ app.Building, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
func (m *roleStore) DeleteBuilding(ctx context.Context, _ string, _ []app.Camera, _ []app.Device, e app.Entry) (app.Entry, error) {
	return m.one(ctx, e)
}
