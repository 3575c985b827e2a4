package store_test

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
	"watchpost/store"
)

func TestWallViewsAndSnapshots(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	acc := app.NewAccounts(s, rec, app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	for _, u := range []string{"duty", "duty2"} {
		_, err := acc.Create(ctx, nil, app.Operator{Username: u, Name: u, Role: app.RoleOperator}, "sunshine-views")
		require.NoError(t, err)
	}
	duty, _ := acc.SignIn(ctx, "duty", "sunshine-views")
	duty2, _ := acc.SignIn(ctx, "duty2", "sunshine-views")
	dir := t.TempDir()
	wall := app.NewWall(s, store.Files{Dir: filepath.Join(dir, "snapshots")}, rec, app.SystemClock{})

	v := app.WallView{Name: "夜班 Night", Layout: app.Layout4, Cameras: []string{"a", "", "c", "", ""}}
	require.NoError(t, wall.SaveView(ctx, duty, v))
	v.Layout = app.Layout9
	require.NoError(t, wall.SaveView(ctx, duty, v), "saving again replaces")
	views, err := wall.Views(ctx, duty)
	require.NoError(t, err)
	require.Len(t, views, 1)
	assert.Equal(t, app.Layout9, views[0].Layout)
	assert.Equal(t, []string{"a", "", "c"}, views[0].Cameras, "trailing empty tiles are dropped")
	others, err := wall.Views(ctx, duty2)
	require.NoError(t, err)
	assert.Empty(t, others, "views belong to their operator")
	assert.True(t, app.IsCode(wall.DeleteView(ctx, duty2, "夜班 Night"), app.CodeNotFound))
	require.NoError(t, wall.DeleteView(ctx, duty, "夜班 Night"))

	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	img.Set(3, 3, color.RGBA{255, 0, 0, 255})
	cam := &app.Camera{ID: "cam-gate-n"}
	path, err := wall.Snapshot(ctx, duty, cam, img)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "snapshots"), filepath.Dir(path))
	f, err := os.Open(path)
	require.NoError(t, err)
	back, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, img.Bounds(), back.Bounds())

	entries, err := s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindViewSaved, app.KindViewDeleted, app.KindSnapshot}})
	require.NoError(t, err)
	require.Len(t, entries, 4)
	assert.Equal(t, "duty", entries[3].Operator)
	assert.Equal(t, "camera:cam-gate-n", entries[3].Subject)
}
