package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/testkit"
)

// A grid worker (or property staff, or the repair crew) who signs in at the console is told
// to open the phone pages, and stays at the sign-in screen; the duty operator then signs in
// as before.
func TestPhoneAccountsAreSentToThePhonePages(t *testing.T) {
	off := false
	env := testkit.New(t, testkit.Options{Config: app.Config{Language: "en", DemoAutoSignIn: &off}})
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1400, 860))
	c := NewConsole(a, w, env.Core, Extras{Feeds: newTestFeeds(t, env.Core.Inventory.Site()), Reports: env.Reports, Version: "test",
		PhonePages: func() (string, string, bool) { return "https://192.168.1.10:8443/", "", true }})
	t.Cleanup(func() { c.Close(); SetLanguage("en") })
	c.Start()
	s := findSignIn(c)
	require.NotNil(t, s)

	for _, user := range []string{"lixiuying", "sunli", "gaofeng"} { // grid worker, property, repair crew
		typeIn(s.user, user)
		typeIn(s.password, "sunshine-demo")
		tap(s.button)
		waitWrites(t, c)
		assert.Equal(t, "This account works on the phone pages: open https://192.168.1.10:8443/ on your phone", uiGet(func() string { return s.message.text.Text }), user)
		assert.Nil(t, c.Operator(), "%s is not signed in", user)
		assert.Same(t, s, findSignIn(c), "the sign-in screen stays")
		serialUI(func() { s.user.SetText("") })
	}

	typeIn(s.user, "duty")
	typeIn(s.password, "sunshine-demo")
	tap(s.button)
	waitWrites(t, c)
	require.NotNil(t, c.Operator())
	assert.Equal(t, "duty", c.Operator().Username)
}

// On the demo, a duty operator whose role an administrator changed to a phone role is not
// signed in automatically: the sign-in screen says why.
func TestDemoAutoSignInSaysWhyAPhoneRoleIsRefused(t *testing.T) {
	env := testkit.New(t, testkit.Options{Config: app.Config{Language: "en"}})
	ctx := context.Background()
	admin, err := env.Core.Accounts.SignIn(ctx, "admin", "sunshine-demo")
	require.NoError(t, err)
	require.NoError(t, env.Core.Accounts.SetRole(ctx, admin, app.DemoDutyOperator, app.RoleGridWorker))
	c := consoleOn(t, env)
	require.Nil(t, c.Operator(), "not signed in")
	s := findSignIn(c)
	require.NotNil(t, s)
	require.Eventually(t, func() bool {
		return uiGet(func() string { return s.message.text.Text }) ==
			"This account works on the phone pages, not at the console: ask the guard room for their address"
	}, 15*time.Second, 10*time.Millisecond)
}
