package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// The demo's residents: what must never be readable in the database file (security issue,
// point 9).
var residentSecrets = []string{
	"13912345601", "13912345611", // 赵桂兰's phone and her daughter's
	"赵桂兰", "王丽", "高血压", // her name, her daughter's, her health note
	"res-b07-0502", // her person ID
	"糖尿病，注射胰岛素",    // another resident's note
	"13800138001",  // a grid worker's phone
	"王先生",          // a vehicle's owner
	"s3cret",       // a camera password
	"13812345678",  // an operator's phone
}

// rawFiles is the database file and its WAL, as whoever copies them reads them.
func rawFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if !os.IsNotExist(err) {
			require.NoError(t, err)
		}
		all = append(all, b...)
	}
	return all
}

func assertNoSecrets(t *testing.T, raw []byte, secrets []string, when string) {
	t.Helper()
	for _, s := range secrets {
		assert.False(t, bytes.Contains(raw, []byte(s)), "%s: %q is in the database file in clear", when, s)
	}
}

func TestAttackReadsPhonesFromTheDatabaseFile(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	rec := app.NewRecorder(s, app.NewBus())
	acc := app.NewAccounts(s, rec, app.SystemClock{})
	acc.Cost = 4
	_, err := acc.Create(ctx, nil, app.Operator{Username: "admin", Name: "赵磊", Role: app.RoleAdmin, Phone: "13812345678"}, "first-admin-pw")
	require.NoError(t, err)
	assertNoSecrets(t, rawFiles(t, path), residentSecrets, "after seeding the demo")

	dp, ok := inv.Site().Device("bracelet-b07-0502")
	d := *dp
	require.True(t, ok)
	p := *d.Person
	p.Phone, p.Note = "13955550001", "新诊断：房颤 atrial fibrillation"
	d.Person = &p
	require.NoError(t, inv.UpdateDevice(ctx, admin, d))
	raw := rawFiles(t, path)
	assertNoSecrets(t, raw, append(residentSecrets, "13955550001", "房颤"), "after editing a bracelet's person")

	// The console still reads them whole: the fields are sealed, not lost.
	got, ok := reopened(t, path).Site().Device("bracelet-b07-0502")
	require.True(t, ok)
	assert.Equal(t, "13955550001", got.Person.Phone)
	assert.Equal(t, "赵桂兰", got.Person.Name)
	op, _, err := s.Operator(ctx, "admin")
	require.NoError(t, err)
	assert.Equal(t, "13812345678", op.Phone)
	cam := inv.Site().Cameras[0]
	assert.Contains(t, cam.MainURL, "s3cret", "the camera's password is kept, sealed")
	updated := entriesOf(t, s, app.KindDeviceUpdated)
	require.Len(t, updated, 1)
	var jd app.Device
	require.NoError(t, updated[0].Decode(&jd))
	assert.Equal(t, "13955550001", jd.Person.Phone, "the journal's entry opens for the console")
}

// rawJournal is every entry's data as stored.
func rawJournal(t *testing.T, path string) map[int64]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT seq, coalesce(data, '') FROM journal")
	require.NoError(t, err)
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var seq int64
		var data string
		require.NoError(t, rows.Scan(&seq, &data))
		out[seq] = data
	}
	return out
}

func TestAttackErasedResidentIsReadableNowhere(t *testing.T) {
	ctx := context.Background()
	s, inv, path := seeded(t)
	dp, _ := inv.Site().Device("bracelet-b07-0502")
	d := *dp
	p := *d.Person
	p.Note = "高血压，已搬走 moved out"
	d.Person = &p
	require.NoError(t, inv.UpdateDevice(ctx, admin, d))
	before := rawJournal(t, path)

	_, err := s.ErasePerson(ctx, "bracelet-b07-0502", app.NewEntry(app.KindPersonErased, app.SubjectPerson("bracelet-b07-0502"), "admin",
		app.PersonAccess{Person: "bracelet-b07-0502", Reason: "moved out"}))
	require.NoError(t, err)

	// The journal is intact: not one stored entry changed; one was added (the erasure).
	after := rawJournal(t, path)
	for seq, data := range before {
		assert.Equal(t, data, after[seq], "entry %d was rewritten", seq)
	}
	assert.Len(t, after, len(before)+1)

	// The projection: the device is there, its resident erased.
	got, ok := reopened(t, path).Site().Device("bracelet-b07-0502")
	require.True(t, ok)
	require.NotNil(t, got.Person)
	assert.True(t, got.Person.Erased)
	assert.Equal(t, app.Person{Erased: true}, *got.Person, "nothing of the person is left")
	other, _ := reopened(t, path).Site().Device("bracelet-b01-0301")
	assert.Equal(t, "孙志刚", other.Person.Name, "the other residents are whole")

	// Replay: every entry that carried her (the seed, the edit) reads her as erased.
	carried := 0
	require.NoError(t, s.JournalRange(ctx, 0, 1<<62, func(e *app.Entry) error {
		assert.NotContains(t, string(e.Data), "赵桂兰")
		assert.NotContains(t, string(e.Data), "13912345601")
		if e.Kind == app.KindDeviceUpdated {
			var dev app.Device
			require.NoError(t, e.Decode(&dev))
			assert.True(t, dev.Person.Erased)
			carried++
		}
		if e.Kind == app.KindSiteSeeded {
			var site app.Site
			require.NoError(t, e.Decode(&site))
			dev, _ := site.Device("bracelet-b07-0502")
			assert.True(t, dev.Person.Erased)
			carried++
		}
		return nil
	}))
	assert.Equal(t, 2, carried)
	assert.NotContains(t, journalText(t, s), "赵桂兰")
	// Erasing again says so.
	_, err = s.ErasePerson(ctx, "bracelet-b07-0502", app.NewEntry(app.KindPersonErased, app.SubjectPerson("bracelet-b07-0502"), "admin", app.PersonAccess{Person: "bracelet-b07-0502"}))
	assert.True(t, app.IsCode(err, app.CodeNotFound))
}

func TestAttackSwapsAPersonKeyAndGetsAClearError(t *testing.T) {
	ctx := context.Background()
	s, _, path := seeded(t)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	// Whoever edits the file gives one resident the wrapped key of another: the key is bound
	// to its person, so it does not open, and the store says so instead of showing garbage.
	_, err = db.Exec(`UPDATE person_keys SET wrapped = (SELECT wrapped FROM person_keys WHERE id = 'device:bracelet-b01-0301')
		WHERE id = 'device:bracelet-b07-0502'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s2, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer s2.Close()
	_, err = s2.LoadSite(ctx)
	require.Error(t, err)
	assert.Equal(t, app.CodeCorrupt, app.CodeOf(err))
	assert.Contains(t, err.Error(), "device:bracelet-b07-0502")
}

func TestAttackLostSiteKeyIsAClearError(t *testing.T) {
	s, _, path := seeded(t)
	require.NoError(t, s.Close())
	require.NoError(t, os.Remove(filepath.Join(filepath.Dir(path), store.KeyFileName)))
	_, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	require.Error(t, err, "without the site key the residents cannot be read: refused, never garbage")
	assert.Contains(t, err.Error(), store.KeyFileName)
	// And the file holds nothing to read without it.
	assertNoSecrets(t, rawFiles(t, path), residentSecrets[:6], "with the key gone")
}

// A site upgraded from before both the journal's chain (0010) and sealing (0011) is sealed
// first and chained after: its chain verifies (sealing a chained entry would read as tampering).
func TestAnOlderDatabaseIsSealedOnceAtItsUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	back := store.AtSchema(9)
	s, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		back()
		require.NoError(t, err)
	}
	inv := app.NewInventory(s, app.NewRecorder(s, app.NewBus()))
	err = inv.Seed(ctx, demoSite(t))
	require.NoError(t, s.Close())
	back()
	require.NoError(t, err)
	require.True(t, bytes.Contains(rawFiles(t, path), []byte("13912345601")), "the old schema kept phones in clear")

	s, err = store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	defer s.Close()
	chain, err := s.VerifyChain(ctx)
	require.NoError(t, err)
	require.True(t, chain.OK(), "sealed before chained: %+v", chain.Break)
	sealed := entriesOf(t, s, app.KindPersonalSealed)
	require.Len(t, sealed, 1, "the sealing is journaled")
	var n app.SealedCount
	require.NoError(t, sealed[0].Decode(&n))
	assert.Positive(t, n.Rows)
	assert.Equal(t, 1, n.Entries, "the site.seeded entry")
	_, err = s.Query(ctx, app.JournalQuery{}) // a checkpoint moves the WAL into the file
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assertNoSecrets(t, rawFiles(t, path), residentSecrets[:7], "after the upgrade")

	s, err = store.Open(ctx, path, store.Options{})
	require.NoError(t, err)
	assert.Len(t, entriesOf(t, s, app.KindPersonalSealed), 1, "once only")
	site, err := s.LoadSite(ctx)
	require.NoError(t, err)
	d, _ := site.Device("bracelet-b07-0502")
	assert.Equal(t, "13912345601", d.Person.Phone)
	seed := entriesOf(t, s, app.KindSiteSeeded)
	require.Len(t, seed, 1)
	assert.Contains(t, string(seed[0].Data), "13912345601", "the old entry opens like a new one")
}

func TestAttackReadsAFamilysPhoneFromAnIncidentsCalls(t *testing.T) {
	ctx := context.Background()
	s, _, path := seeded(t)
	call := app.CallRecord{Contact: "family:bracelet-b07-0502", Name: "女儿 王丽 (赵桂兰)", Phone: "13912345611", Result: app.CallReached, By: "duty"}
	_, err := s.Append(ctx, app.NewEntry("incident.called", "incident:1", "duty", call))
	require.NoError(t, err)
	assertNoSecrets(t, rawFiles(t, path), []string{"13912345611", "王丽"}, "after a call to the family")
	es := entriesOf(t, s, "incident.called")
	require.Len(t, es, 1)
	var got app.CallRecord
	require.NoError(t, es[0].Decode(&got))
	assert.Equal(t, call, got, "the incident's log opens whole")
}
