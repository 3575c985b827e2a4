package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"watchpost/app"
)

// shiftCore is incident command on the demo site with accounts for a handover.
type shiftCore struct {
	*command
	acc    *app.Accounts
	shifts *app.Shifts
}

func newShiftCore(t *testing.T) *shiftCore {
	t.Helper()
	ctx := context.Background()
	c := newCommand(t)
	acc := app.NewAccounts(c.st, c.rec, c.clk)
	acc.Cost = bcrypt.MinCost
	for _, op := range []app.Operator{
		{Username: "duty", Name: "李明", Role: app.RoleOperator},
		{Username: "duty2", Name: "刘洋", Role: app.RoleOperator},
		{Username: "commander", Name: "王强", Role: app.RoleCommander},
		{Username: "trainer", Name: "陈静", Role: app.RoleTrainer},
	} {
		_, err := acc.Create(ctx, nil, op, "sunshine-"+op.Username)
		require.NoError(t, err)
	}
	return &shiftCore{command: c, acc: acc, shifts: app.NewShifts(acc, c.desk, c.incidents, c.rec, c.clk)}
}

func (s *shiftCore) signIn(t *testing.T, u string) *app.Operator {
	t.Helper()
	op, err := s.acc.SignIn(context.Background(), u, "sunshine-"+u)
	require.NoError(t, err)
	return op
}

func TestHandoverJournalsWhatIsOpenAndSignsTheIncomingOperatorIn(t *testing.T) {
	ctx := context.Background()
	s := newShiftCore(t)
	fire := fireAlarm(s.command, t)
	sos, err := s.desk.Raise(ctx, nil, app.Alarm{Kind: "sos", Priority: app.P2, Cause: "SOS", DeviceID: "sos-b05-1"})
	require.NoError(t, err)
	in, err := s.incidents.Open(ctx, commander, app.OpenRequest{PlanID: "fire-residential", AlarmID: fire.ID})
	require.NoError(t, err)
	s.clk.Add(time.Hour) // every timed step of the fire plan is now overdue
	duty := s.signIn(t, "duty")
	before := len(s.st.entries)

	got, h, err := s.shifts.Handover(ctx, duty, app.HandoverRequest{
		OutgoingPassword: "sunshine-duty", Incoming: " duty2 ", IncomingPassword: "sunshine-duty2",
		Note: "  3号楼火警处置中，消防已到场。  ",
	})
	require.NoError(t, err)
	assert.Equal(t, "duty2", got.Username)
	assert.Equal(t, app.RoleOperator, got.Role)

	added := s.st.entries[before:]
	require.Len(t, added, 3, "one transaction: the handover, the sign-out, the sign-in")
	assert.Equal(t, app.KindShiftHandover, added[0].Kind)
	assert.Equal(t, app.SubjectShift(added[0].Seq), added[0].Subject)
	assert.Equal(t, "duty", added[0].Operator)
	assert.Equal(t, app.KindSignedOut, added[1].Kind)
	assert.Equal(t, "duty", added[1].Operator)
	assert.Equal(t, app.KindSignedIn, added[2].Kind)
	assert.Equal(t, "duty2", added[2].Operator)
	for _, e := range added {
		assert.NotContains(t, string(e.Data), "sunshine", "no password in the journal")
	}

	j, err := app.HandoverOf(&added[0])
	require.NoError(t, err)
	assert.Equal(t, h, j, "what was returned is what was journaled")
	assert.Equal(t, added[0].Seq, j.ID)
	assert.Equal(t, "duty", j.Outgoing)
	assert.Equal(t, "李明", j.OutgoingName)
	assert.Equal(t, "duty2", j.Incoming)
	assert.Equal(t, "刘洋", j.IncomingName)
	assert.Equal(t, "3号楼火警处置中，消防已到场。", j.Note)
	assert.Equal(t, s.clk.Now(), j.At.UTC())
	assert.ElementsMatch(t, []int64{fire.ID, sos.ID}, j.Open.AlarmIDs())
	assert.Equal(t, 1, j.Open.Counts[app.P1])
	assert.Equal(t, 1, j.Open.Counts[app.P2])
	require.Len(t, j.Open.Incidents, 1)
	assert.Equal(t, in.ID, j.Open.Incidents[0].ID)
	assert.Equal(t, in.Title, j.Open.Incidents[0].Title)
	require.NotEmpty(t, j.Open.Overdue, "the fire plan's steps are past their limits an hour on")
	for _, st := range j.Open.Overdue {
		assert.Equal(t, in.ID, st.Incident)
		assert.NotEmpty(t, st.Title)
		assert.True(t, st.Due.Before(s.clk.Now()))
	}

	log, err := s.shifts.Recent(ctx, 10)
	require.NoError(t, err)
	require.Len(t, log, 1)
	assert.Equal(t, j, log[0])
	byShift, err := s.st.Query(ctx, app.JournalQuery{Subject: "shift:"})
	require.NoError(t, err)
	require.Len(t, byShift, 1, "the duty log is the journal's shift: subject")
}

func TestHandoverRefusesAndJournalsNothing(t *testing.T) {
	ctx := context.Background()
	s := newShiftCore(t)
	duty := s.signIn(t, "duty")
	ok := app.HandoverRequest{OutgoingPassword: "sunshine-duty", Incoming: "duty2", IncomingPassword: "sunshine-duty2", Note: "平安无事"}
	for _, tc := range []struct {
		name  string
		op    *app.Operator
		req   func(r *app.HandoverRequest)
		code  app.ErrorCode
		msg   string
		field string
	}{
		{"wrong outgoing password", duty, func(r *app.HandoverRequest) { r.OutgoingPassword = "sunshine-duty2" },
			app.CodeUnauthenticated, "Your password is wrong", "outgoing_password"},
		{"wrong incoming password", duty, func(r *app.HandoverRequest) { r.IncomingPassword = "nope" },
			app.CodeUnauthenticated, "Wrong user name or password of the operator who takes over", "incoming_password"},
		{"unknown incoming operator", duty, func(r *app.HandoverRequest) { r.Incoming = "nobody" },
			app.CodeUnauthenticated, "Wrong user name or password of the operator who takes over", "incoming_password"},
		{"no note", duty, func(r *app.HandoverRequest) { r.Note = "  " },
			app.CodeInvalid, "Write the duty log: what happened on the shift and what the next shift must know", "note"},
		{"to oneself", duty, func(r *app.HandoverRequest) { r.Incoming, r.IncomingPassword = "duty", "sunshine-duty" },
			app.CodeInvalid, "The shift is handed over to another operator, not to duty", "incoming"},
		{"a trainer takes over", duty, func(r *app.HandoverRequest) { r.Incoming, r.IncomingPassword = "trainer", "sunshine-trainer" },
			app.CodeForbidden, "陈静 is a Trainer and cannot take over the guard room", "incoming"},
		{"a trainer hands over", &app.Operator{Username: "trainer", Name: "陈静", Role: app.RoleTrainer}, func(r *app.HandoverRequest) { r.OutgoingPassword = "sunshine-trainer" },
			app.CodeForbidden, "A Trainer may not hand over or take over the shift", ""},
		{"nobody signed in", nil, func(*app.HandoverRequest) {}, app.CodeUnauthenticated, "Please sign in first", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.st.entries)
			req := ok
			tc.req(&req)
			got, _, err := s.shifts.Handover(ctx, tc.op, req)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.True(t, app.IsCode(err, tc.code), "%v", err)
			assert.Equal(t, tc.msg, err.Error())
			if tc.field != "" {
				var e *app.Error
				require.True(t, errors.As(err, &e))
				assert.Equal(t, tc.field, e.Field, "the dialog marks the field")
			}
			assert.Len(t, s.st.entries, before, "nothing journaled")
		})
	}
	// The handover dialog is no way around the sign-in lockout.
	for i := 0; i < app.MaxSignInFailures; i++ {
		_, _, err := s.shifts.Handover(ctx, duty, app.HandoverRequest{OutgoingPassword: "sunshine-duty", Incoming: "duty2", IncomingPassword: "guess", Note: "x"})
		require.Error(t, err)
	}
	_, _, err := s.shifts.Handover(ctx, duty, ok)
	assert.ErrorContains(t, err, "Too many failed attempts for duty2")
	_, err = s.acc.SignIn(ctx, "duty2", "sunshine-duty2")
	assert.ErrorContains(t, err, "Too many failed attempts for duty2", "the same lockout as signing in")
}
