package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

// The administrators' audit trail on SQLite: who saw or exported whose record (read
// generically, as the privacy work journals it), who signed in, failed or signed out, and
// account changes; filtered by time, operator and kind; only for administrators; and an
// export of it is journaled.
func TestTheAuditTrailShowsWhoSawWhoseRecordAndWhoSignedIn(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	rec := app.NewRecorder(s, app.NewBus())
	acc := app.NewAccounts(s, rec, app.SystemClock{})
	acc.Cost = bcrypt.MinCost
	acc.SetNameKey(s.SignInNameKey())
	audit := app.NewAuditTrail(rec)
	for _, op := range []app.Operator{{Username: "admin", Name: "赵磊", Role: app.RoleAdmin}, {Username: "duty", Name: "李明", Role: app.RoleOperator}} {
		_, err := acc.Create(ctx, nil, op, "sunshine-"+op.Username+"-pw")
		require.NoError(t, err)
	}
	admin, err := acc.SignIn(ctx, "admin", "sunshine-admin-pw")
	require.NoError(t, err)
	duty, err := acc.SignIn(ctx, "duty", "sunshine-duty-pw")
	require.NoError(t, err)
	_, err = acc.SignIn(ctx, "dutty", "x")
	require.Error(t, err)
	start := time.Now()
	_, err = rec.Record(ctx, app.NewEntry(app.KindPersonViewed, "device:bracelet-b03-1", "duty",
		map[string]any{"person": "王秀兰", "reason": "alarm", "alarm": 42}))
	require.NoError(t, err)
	_, err = rec.Record(ctx, app.NewEntry(app.KindConsoleStarted, "", app.SystemActor, nil)) // not audit
	require.NoError(t, err)
	require.NoError(t, acc.SignOut(ctx, duty))

	all, err := audit.Records(ctx, admin, app.AuditFilter{})
	require.NoError(t, err)
	var kinds []app.EntryKind
	for _, r := range all {
		kinds = append(kinds, r.Kind)
	}
	assert.Equal(t, []app.EntryKind{app.KindSignedOut, app.KindPersonViewed, app.KindSignInFailed, app.KindSignedIn, app.KindSignedIn,
		app.KindOperatorCreated, app.KindOperatorCreated}, kinds, "newest first, only the audit's kinds")
	viewed := all[1]
	assert.Equal(t, "duty", viewed.Operator)
	assert.Equal(t, "device:bracelet-b03-1", viewed.Subject)
	assert.Equal(t, map[string]string{"person": "王秀兰", "reason": "alarm", "alarm": "42"}, viewed.Fields)
	assert.Equal(t, "d****", all[2].Account(), "an unknown name, masked")
	assert.Equal(t, "duty", all[0].Account())

	mine, err := audit.Records(ctx, admin, app.AuditFilter{Operator: "duty"})
	require.NoError(t, err)
	assert.Len(t, mine, 4, "duty's sign-in, view and sign-out, and the account's creation")
	views, err := audit.Records(ctx, admin, app.AuditFilter{Kinds: []app.EntryKind{app.KindPersonViewed, app.KindPersonExported}})
	require.NoError(t, err)
	assert.Len(t, views, 1)
	since, err := audit.Records(ctx, admin, app.AuditFilter{From: start})
	require.NoError(t, err)
	assert.Len(t, since, 2, "the view and the sign-out")
	before, err := audit.Records(ctx, admin, app.AuditFilter{To: start})
	require.NoError(t, err)
	assert.Len(t, before, len(all)-2)

	_, err = audit.Records(ctx, duty, app.AuditFilter{})
	assert.True(t, app.IsCode(err, app.CodeForbidden), "administrators only: %v", err)
	require.NoError(t, audit.Exported(ctx, admin, app.AuditExport{File: "/tmp/audit.csv", Format: "csv", Records: len(all)}))
	exports, err := audit.Records(ctx, admin, app.AuditFilter{Kinds: []app.EntryKind{app.KindAuditExported}})
	require.NoError(t, err)
	require.Len(t, exports, 1)
	assert.Equal(t, "admin", exports[0].Operator)
	assert.Equal(t, "/tmp/audit.csv", exports[0].Fields["file"])
}
