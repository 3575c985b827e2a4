package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
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
	for i := range p.ops {
		if p.ops[i].Username == username {
			p.list.Select(i)
			return
		}
	}
	t.Fatalf("no row for %s", username)
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
	test.Tap(p.add)
	dlg := topDialog(t, c)
	es := entriesIn(dlg) // name, user name, phone, password, repeat
	require.Len(t, es, 5)
	test.Type(es[0], "孙浩")
	test.Type(es[1], "guard3")
	test.Type(es[2], "13812341234")
	test.Type(es[3], "sunshine-demo")
	test.Type(es[4], "sunshine-demo")
	test.Tap(findButton(dlg, "Add"))
	waitWrites(t, c)
	assert.Contains(t, p.status.text.Text, "too well known", "the policy, said in the panel")
	test.Tap(p.add)
	dlg = topDialog(t, c)
	es = entriesIn(dlg)
	test.Type(es[0], "孙浩")
	test.Type(es[1], "guard3")
	test.Type(es[2], "13812341234")
	test.Type(es[3], "night-shift-3")
	test.Type(es[4], "night-shift-3")
	test.Tap(findButton(dlg, "Add"))
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
	assert.True(t, p.toggle.Disabled(), "not one's own account")
	selectOperator(t, p, "duty")
	test.Tap(p.toggle)
	test.Tap(findButton(topDialog(t, c), "Yes"))
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
	test.Tap(p.reset)
	dlg = topDialog(t, c)
	es = entriesIn(dlg)
	require.Len(t, es, 2)
	test.Type(es[0], "given-at-desk")
	test.Type(es[1], "given-at-desk")
	test.Tap(findButton(dlg, "Reset"))
	waitWrites(t, c)
	waitFor(t, "duty2 has a password to change", func() bool {
		o := p.current()
		return o != nil && o.Username == "duty2" && o.MustChange
	})

	// The permission table: the commander no longer edits plans.
	perm := p.perms
	perm.checks[app.RoleCommander][app.ActEditPlans].SetChecked(false)
	test.Tap(perm.save)
	waitWrites(t, c)
	commander := &app.Operator{Username: "commander", Role: app.RoleCommander}
	assert.True(t, app.IsCode(app.Authorize(commander, app.ActEditPlans), app.CodeForbidden), "the core refuses it now")
	assert.True(t, perm.checks[app.RoleAdmin][app.ActManageOperators].Disabled(), "the administrator's rights are fixed")

	signOut(t, c)
	s := findSignIn(c)
	test.Type(s.user, "duty2")
	test.Type(s.password, "given-at-desk")
	test.Tap(s.button)
	waitWrites(t, c)
	pc := c.passwordChange
	require.NotNil(t, pc, "the forced change is shown")
	assert.Nil(t, c.Operator(), "nobody is signed in before it is done")
	assert.Nil(t, c.shell)
	test.Type(pc.old, "given-at-desk")
	test.Type(pc.pw, "my-own-pass-1")
	test.Type(pc.again, "my-own-pass-1")
	test.Tap(pc.button)
	waitWrites(t, c)
	require.NotNil(t, c.Operator())
	assert.Equal(t, "duty2", c.Operator().Username)
	assert.False(t, c.Operator().MustChange)
	require.NotNil(t, c.shell, "the console opens")
	_, err = c.core.Accounts.SignIn(context.Background(), "duty2", "my-own-pass-1")
	assert.NoError(t, err)
}
