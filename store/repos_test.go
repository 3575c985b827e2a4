package store_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

func demoSite(t testing.TB) *app.Site {
	b, err := os.ReadFile("../assets/demo/site.json")
	require.NoError(t, err)
	var s app.Site
	require.NoError(t, json.Unmarshal(b, &s))
	return &s
}

func TestSiteIsProjectedFromTheJournal(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	assert.True(t, app.IsCode(inv.Load(ctx), app.CodeNotFound))
	want := demoSite(t)
	require.NoError(t, inv.Seed(ctx, want))

	got, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the site reads back exactly as seeded")

	var n int
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM devices WHERE kind = 'bracelet'").Scan(&n))
	assert.Equal(t, len(want.DevicesByKind()[app.KindBracelet]), n)
	entries, err := s.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindSiteSeeded}})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "site:demo", entries[0].Subject)

	require.NoError(t, s.Close())
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	got, err = s2.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, want.Counts(), got.Counts())
}

func TestAlarmDeskOnTheRealStore(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	bus := app.NewBus()
	desk := app.NewAlarmDesk(app.NewRecorder(s, bus), s, app.SystemClock{})
	require.NoError(t, desk.Load(ctx))
	sub := bus.Subscribe(10, nil)

	raised, err := desk.Raise(ctx, nil, app.Alarm{Kind: "smoke", Priority: app.P1, Cause: "5号楼 烟感", DeviceID: "smoke-b05-u1-03", GridID: "g2"})
	require.NoError(t, err)
	// What subscribers see is already on disk: a second, read-only connection finds it.
	e := <-sub.C()
	assert.Equal(t, raised.ID, e.Seq)
	stored, err := s.Alarm(ctx, e.Seq)
	require.NoError(t, err)
	assert.Equal(t, app.AlarmNew, stored.State)
	assert.Equal(t, raised.ID, stored.ID)

	op := &app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}
	_, err = desk.Acknowledge(ctx, op, raised.ID, "")
	require.NoError(t, err)
	other, err := desk.Raise(ctx, nil, app.Alarm{Kind: "sos", Priority: app.P1, Cause: "一键报警", DeviceID: "sos-playground"})
	require.NoError(t, err)
	_, err = desk.Acknowledge(ctx, op, other.ID, "")
	require.NoError(t, err)
	_, err = desk.Resolve(ctx, op, other.ID, app.OutcomeFalse, "小孩误按")
	require.NoError(t, err)

	open, err := s.Alarms(ctx, app.AlarmQuery{OpenOnly: true})
	require.NoError(t, err)
	require.Len(t, open, 1)
	assert.Equal(t, app.AlarmAcknowledged, open[0].State)
	assert.Equal(t, "duty", open[0].Ack.By)
	all, err := s.Alarms(ctx, app.AlarmQuery{Since: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	assert.Len(t, all, 2)
	_, err = s.Alarm(ctx, 12345)
	assert.True(t, app.IsCode(err, app.CodeNotFound), "%v", err)

	// After a restart the desk finds the open alarm where it was.
	require.NoError(t, s.Close())
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	desk2 := app.NewAlarmDesk(app.NewRecorder(s2, app.NewBus()), s2, app.SystemClock{})
	require.NoError(t, desk2.Load(ctx))
	require.Len(t, desk2.Open(), 1)
	assert.Equal(t, raised.ID, desk2.Open()[0].ID)
	_, err = desk2.Resolve(ctx, op, other.ID, app.OutcomeFalse, "")
	assert.True(t, app.IsCode(err, app.CodeConflict), "a resolved alarm stays resolved: %v", err)

	history, err := s2.Query(ctx, app.JournalQuery{Subject: raised.Subject()})
	require.NoError(t, err)
	require.Len(t, history, 2)
	assert.Equal(t, []app.EntryKind{app.KindAlarmRaised, app.KindAlarmAcknowledged}, []app.EntryKind{history[0].Kind, history[1].Kind})
	assert.Equal(t, "duty", history[1].Operator)
}

func TestOperatorAccounts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	acc := app.NewAccounts(s, app.NewRecorder(s, app.NewBus()), app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	_, err := acc.Create(ctx, nil, app.Operator{Username: "admin", Name: "管理员", Role: app.RoleAdmin}, "sunshine-admin")
	require.NoError(t, err)
	admin, err := acc.SignIn(ctx, "admin", "sunshine-admin")
	require.NoError(t, err)
	_, err = acc.Create(ctx, admin, app.Operator{Username: "duty", Name: "值班员", Role: app.RoleOperator}, "sunshine-duty")
	require.NoError(t, err)
	ops, err := acc.List(ctx, admin)
	require.NoError(t, err)
	assert.Len(t, ops, 2)
	_, err = s.CreateOperator(ctx, app.Operator{Username: "duty", Name: "x", Role: app.RoleOperator}, []byte("h"),
		app.NewEntry(app.KindOperatorCreated, "operator:duty", "admin", nil))
	assert.True(t, app.IsCode(err, app.CodeConflict), "%v", err)
	require.NoError(t, acc.ChangePassword(ctx, admin, "duty", "", "changed-password"))
	_, err = acc.SignIn(ctx, "duty", "sunshine-duty")
	assert.Error(t, err)
	_, err = acc.SignIn(ctx, "duty", "changed-password")
	assert.NoError(t, err)

	entries, err := s.Query(ctx, app.JournalQuery{Subject: "operator:duty"})
	require.NoError(t, err)
	kinds := []app.EntryKind{}
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
		assert.NotContains(t, string(e.Data), "$2a$", "no password hash in the journal")
	}
	assert.Equal(t, []app.EntryKind{app.KindOperatorCreated, app.KindPasswordChanged, app.KindSignInFailed, app.KindSignedIn}, kinds)
	assert.Equal(t, "admin", entries[1].Operator, "the journal says who changed it")
}

func TestAddedDeviceIsInTheInventoryAfterARestart(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	require.NoError(t, inv.Seed(ctx, demoSite(t)))
	admin := &app.Operator{Username: "admin", Name: "a", Role: app.RoleAdmin}
	d := app.Device{ID: "smoke-new", Kind: app.KindSmoke, Names: app.Names{Name: "新装烟感"}, Position: app.Point{X: 50, Y: 30}}
	require.NoError(t, inv.AddDevice(ctx, admin, d))
	require.NoError(t, s.Close())
	s2, err := openAt(path)
	require.NoError(t, err)
	defer s2.Close()
	site, err := s2.LoadSite(ctx)
	require.NoError(t, err)
	got, ok := site.Device("smoke-new")
	require.True(t, ok)
	assert.Equal(t, "g1", got.GridID)
	assert.Equal(t, "smoke-new", site.Devices[len(site.Devices)-1].ID, "added at the end")
	assert.NotEmpty(t, site.Contacts, "the demo's contacts are kept")
}

func TestCameraPasswordsStayOutOfTheJournal(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	site := demoSite(t)
	site.Cameras[0].MainURL = "rtsp://admin:Secr3t-pw@10.0.0.21:554/Streaming/Channels/101"
	require.NoError(t, inv.Seed(ctx, site))
	admin := &app.Operator{Username: "admin", Name: "a", Role: app.RoleAdmin}
	cam := site.Cameras[1]
	cam.SubURL = "rtsp://viewer:An0ther-pw@10.0.0.22:554/Streaming/Channels/102"
	require.NoError(t, inv.UpdateCamera(ctx, admin, cam))

	all, err := s.Query(ctx, app.JournalQuery{})
	require.NoError(t, err)
	for _, e := range all {
		assert.NotContains(t, string(e.Data), "Secr3t-pw", e.Kind)
		assert.NotContains(t, string(e.Data), "An0ther-pw", e.Kind)
	}
	back, err := s.LoadSite(ctx)
	require.NoError(t, err)
	assert.Equal(t, site.Cameras[0].MainURL, back.Cameras[0].MainURL, "the store keeps the credentials to connect")
	assert.Equal(t, cam.SubURL, back.Cameras[1].SubURL)
	assert.True(t, app.IsCode(inv.UpdateCamera(ctx, &app.Operator{Username: "duty", Name: "d", Role: app.RoleOperator}, cam), app.CodeForbidden))
}
