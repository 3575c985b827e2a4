package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// entriesIn lists the entries under o, in the order they are laid out.
func entriesIn(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walk(o, func(x fyne.CanvasObject) {
		if e, ok := x.(*widget.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

func operatorsOf(t *testing.T, c *Console) *operatorsPanel {
	t.Helper()
	c.shell.show("operators")
	p, ok := c.shell.built["operators"].(*operatorsPanel)
	require.True(t, ok, "an administrator has the Operators panel")
	waitFor(t, "the accounts are read", func() bool { return p.loaded > 0 })
	return p
}

func selectOperator(t *testing.T, p *operatorsPanel, username string) {
	t.Helper()
	found := false
	serialUI(func() { // taking turns with the panel's reloads, which replace the rows
		for i := range p.ops {
			if p.ops[i].Username == username {
				p.list.Select(i)
				found = true
				return
			}
		}
	})
	if !found {
		t.Fatalf("no row for %s", username)
	}
}

func TestOperatorsPanelManagesAccounts(t *testing.T) {
	t.Cleanup(app.ResetPermissions)
	c := newTestConsole(t, enConfig())
	for _, p := range c.shell.panels {
		assert.NotEqual(t, "operators", p.ID, "a duty operator has no Operators panel")
	}
	admin, err := c.core.Accounts.SignIn(context.Background(), "admin", "sunshine-demo")
	require.NoError(t, err)
	c.signedIn(admin)
	p := operatorsOf(t, c)
	texts := visibleTexts(c.win.Content())
	assert.Contains(t, texts, "李明")
	assert.Contains(t, texts, "duty2")
	assert.Contains(t, texts, "Commander")
	assert.Contains(t, texts, "139****9001", "phones masked")
	assert.NotContains(t, texts, "13900139001")

	// Add an operator through the dialog.
	tap(p.add)
	dlg := topDialog(t, c)
	es := entriesIn(dlg) // name, user name, phone, password, repeat
	require.Len(t, es, 5)
	typeIn(es[0], "孙浩")
	typeIn(es[1], "guard3")
	typeIn(es[2], "13812341234")
	typeIn(es[3], "sunshine-demo")
	typeIn(es[4], "sunshine-demo")
	tap(findButton(dlg, "Add"))
	waitWrites(t, c)
	assert.Contains(t, p.status.text.Text, "too well known", "the policy, said in the panel")
	tap(p.add)
	dlg = topDialog(t, c)
	es = entriesIn(dlg)
	typeIn(es[0], "孙浩")
	typeIn(es[1], "guard3")
	typeIn(es[2], "13812341234")
	typeIn(es[3], "night-shift-3")
	typeIn(es[4], "night-shift-3")
	tap(findButton(dlg, "Add"))
	waitWrites(t, c)
	waitFor(t, "the new account is listed", func() bool {
		for _, o := range p.ops {
			if o.Username == "guard3" {
				return o.Role == app.RoleOperator
			}
		}
		return false
	})

	// Disable a leaver (asked first), and the administrator cannot disable themself.
	selectOperator(t, p, "admin")
	assert.True(t, uiGet(func() bool { return p.toggle.Disabled() }), "not one's own account")
	selectOperator(t, p, "duty")
	tap(p.toggle)
	tap(findButton(topDialog(t, c), "Yes"))
	waitWrites(t, c)
	waitFor(t, "duty is shown disabled", func() bool {
		o := p.current()
		return o != nil && o.Username == "duty" && o.Disabled
	})
	assert.Contains(t, visibleTexts(c.win.Content()), "Disabled")
	_, err = c.core.Accounts.SignIn(context.Background(), "duty", "sunshine-demo")
	assert.ErrorContains(t, err, "disabled")

	// Reset duty2's password: duty2 must change it at the sign-in, before anything else.
	selectOperator(t, p, "duty2")
	tap(p.reset)
	dlg = topDialog(t, c)
	es = entriesIn(dlg)
	require.Len(t, es, 2)
	typeIn(es[0], "given-at-desk")
	typeIn(es[1], "given-at-desk")
	tap(findButton(dlg, "Reset"))
	waitWrites(t, c)
	waitFor(t, "duty2 has a password to change", func() bool {
		o := p.current()
		return o != nil && o.Username == "duty2" && o.MustChange
	})

	// The permission table: the commander no longer edits plans.
	perm := p.perms
	perm.checks[app.RoleCommander][app.ActEditPlans].SetChecked(false)
	tap(perm.save)
	waitWrites(t, c)
	commander := &app.Operator{Username: "commander", Role: app.RoleCommander}
	assert.True(t, app.IsCode(app.Authorize(commander, app.ActEditPlans), app.CodeForbidden), "the core refuses it now")
	assert.True(t, perm.checks[app.RoleAdmin][app.ActManageOperators].Disabled(), "the administrator's rights are fixed")

	signOut(t, c)
	s := findSignIn(c)
	typeIn(s.user, "duty2")
	typeIn(s.password, "given-at-desk")
	tap(s.button)
	waitWrites(t, c)
	pc := c.passwordChange
	require.NotNil(t, pc, "the forced change is shown")
	assert.Nil(t, c.Operator(), "nobody is signed in before it is done")
	assert.Nil(t, c.shell)
	typeIn(pc.old, "given-at-desk")
	typeIn(pc.pw, "my-own-pass-1")
	typeIn(pc.again, "my-own-pass-1")
	tap(pc.button)
	waitWrites(t, c)
	require.NotNil(t, c.Operator())
	assert.Equal(t, "duty2", c.Operator().Username)
	assert.False(t, c.Operator().MustChange)
	require.NotNil(t, c.shell, "the console opens")
	_, err = c.core.Accounts.SignIn(context.Background(), "duty2", "my-own-pass-1")
	assert.NoError(t, err)
}
