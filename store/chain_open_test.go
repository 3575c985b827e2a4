package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/store"
)

// A start reads the journal only from the last verified point on (issue 16, point 4: the
// start must not grow with the journal). Shown by a page of old entries that cannot be read
// at all: the whole walk (journal verify) stops on it, the console's open does not touch
// it. Before, the open counted the chained entries, a read of every entry at every start.
func TestOpenReadsOnlyTheJournalSinceTheVerifiedPoint(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	batch := make([]app.Entry, 500)
	for i := 0; i < 6; i++ {
		for j := range batch {
			batch[j] = app.NewEntry(app.KindDeviceReading, app.SubjectDevice("smoke-b03-u2-12"), app.SystemActor,
				map[string]any{"smoke": false, "temperature": 21.5, "battery": 87, "n": i*len(batch) + j})
		}
		_, err := s.Append(ctx, batch...)
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	s, err := openAt(path) // verifies them all and moves the verified point to the head
	require.NoError(t, err)
	require.True(t, s.ChainAtStart().OK())
	require.NoError(t, s.Close())

	// A leaf page of the journal from its middle (the B-tree's order: its entries in seq
	// order), far from the first entry and the verified point, overwritten with garbage.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT pageno FROM dbstat WHERE name = 'journal' AND pagetype = 'leaf' ORDER BY path")
	require.NoError(t, err)
	var leaves []int64
	for rows.Next() {
		var p int64
		require.NoError(t, rows.Scan(&p))
		leaves = append(leaves, p)
	}
	require.NoError(t, rows.Err())
	require.Greater(t, len(leaves), 10, "the journal spans few pages")
	var size int
	require.NoError(t, db.QueryRow("PRAGMA page_size").Scan(&size))
	_, err = db.Exec("UPDATE sqlite_dbpage SET data = ? WHERE pgno = ?", bytes.Repeat([]byte{0xa5}, size), leaves[len(leaves)/2])
	require.NoError(t, err)
	require.NoError(t, db.Close())

	// The whole walk reads every entry: it cannot pass that page.
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	require.NoError(t, err)
	_, werr := ro.VerifyChain(ctx)
	require.NoError(t, ro.Close())
	require.Error(t, werr, "the whole walk read past an unreadable page: the page is not the journal's")

	// The start checks from the verified point: it opens, and finds the chain whole there.
	s, err = openAt(path)
	require.NoError(t, err, "the start read the journal before its verified point")
	defer s.Close()
	require.True(t, s.ChainAtStart().OK(), "%+v", s.ChainAtStart().Break)
	require.Zero(t, s.ChainAtStart().Checked)
}
