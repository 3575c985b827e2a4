package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func auditOf(t *testing.T, c *Console) *auditPanel {
	t.Helper()
	c.shell.show("audit")
	p, ok := c.shell.built["audit"].(*auditPanel)
	require.True(t, ok, "an administrator has the audit trail")
	return p
}

// The administrators' audit trail: who saw whose record (an entry the privacy work writes,
// read generically), who signed in or failed (an unknown name masked), filtered by kind;
// the list shown exported as CSV readable by its owner only, and the export journaled.
func TestAuditTrailPanelShowsFiltersAndExports(t *testing.T) {
	ctx := context.Background()
	c := newTestConsole(t, enConfig())
	for _, p := range c.shell.panels {
		assert.NotEqual(t, "audit", p.ID, "a duty operator has no audit trail")
	}
	_, err := c.core.Accounts.SignIn(ctx, "Tr0ub4dor&3", "x")
	require.Error(t, err)
	_, err = c.core.Recorder.Record(ctx, app.NewEntry(app.KindPersonViewed, "device:bracelet-b03-1", "duty",
		map[string]any{"person": "王秀兰", "reason": "alarm", "alarm": 42}))
	require.NoError(t, err)
	admin, err := c.core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	p := auditOf(t, c)
	waitFor(t, "the trail is read", func() bool { return p.loaded > 0 && len(p.records) >= 3 })

	var lines []string
	for _, r := range p.records {
		lines = append(lines, strings.Join(auditCells(r), " | "))
	}
	all := strings.Join(lines, "\n")
	assert.Contains(t, all, "Saw a person's record | duty | device:bracelet-b03-1 | Alarm: 42; Person: 王秀兰; Reason: alarm")
	assert.Contains(t, all, "Failed sign-in | system | T********** (no such user)")
	assert.Contains(t, all, "Signed in | admin | admin")
	assert.NotContains(t, all, "Tr0ub4dor", "a name typed by mistake is not shown in clear")
	assert.Contains(t, visibleTexts(c.win.Content()), "Saw a person's record")

	p.kind.SetSelected("Failed sign-ins")
	n := p.loaded
	p.reload()
	waitFor(t, "the filter applies", func() bool { return p.loaded > n })
	require.Len(t, p.records, 1)
	assert.Equal(t, app.KindSignInFailed, p.records[0].Kind)

	path := filepath.Join(t.TempDir(), "audit.csv")
	wc, err := storage.Writer(storage.NewFileURI(path))
	require.NoError(t, err)
	p.save(wc, "csv")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "Time,What,Who,Whose record or account,Details")
	assert.Contains(t, string(b), "Failed sign-in,system,T********** (no such user)")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "an export is readable by its owner only")
	es, err := c.core.Recorder.Journal.Query(ctx, app.JournalQuery{Kinds: []app.EntryKind{app.KindAuditExported}})
	require.NoError(t, err)
	require.Len(t, es, 1, "the export is journaled")
	assert.Equal(t, "admin", es[0].Operator)
	assert.Contains(t, string(es[0].Data), `"records":1`)
}
