package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"watchpost/app"
)

func TestSignInLandsOnTheHomePageOfTheRole(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	// Not signed in: every page sends the phone to the sign-in page, back to it afterwards.
	a := p.get("/test/view")
	if a.status != http.StatusSeeOther || a.location != "/signin?next=%2Ftest%2Fview" {
		t.Fatalf("a page without a session: %d → %q", a.status, a.location)
	}
	a = p.post("/signin", url.Values{"csrf": {p.token(a.location)}, "username": {" wang "}, "password": {goodPassword}, "next": {"/test/view"}})
	if a.status != http.StatusSeeOther || a.location != "/test/view" {
		t.Fatalf("sign-in: %d → %q\n%s", a.status, a.location, a.body)
	}
	home := p.get("/")
	if home.status != http.StatusOK {
		t.Fatalf("home: %d\n%s", home.status, home.body)
	}
	// An operator may view but not manage operators: home links the one page, not the other.
	if !strings.Contains(home.body, `href="/test/view"`) || strings.Contains(home.body, `href="/test/admin"`) {
		t.Errorf("home lists the wrong pages:\n%s", home.body)
	}
	for _, want := range []string{"测试 wang", "值班员", `lang="zh-CN"`, "退出"} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home does not show %q", want)
		}
	}
	if got := e.journal(app.KindSignedIn); len(got) != 1 || got[0].Operator != "wang" {
		t.Errorf("journaled sign-ins: %+v", got)
	}
	// The page the role does not allow is refused, in Chinese.
	if a := p.get("/test/admin"); a.status != http.StatusForbidden || !strings.Contains(a.body, "不允许") {
		t.Errorf("a page the role does not allow: %d\n%s", a.status, a.body)
	}
	// An administrator's home lists both.
	admin := e.phone()
	e.account("zhao", app.RoleAdmin)
	admin.signedIn("zhao")
	if b := admin.get("/").body; !strings.Contains(b, `href="/test/view"`) || !strings.Contains(b, `href="/test/admin"`) {
		t.Errorf("the administrator's home:\n%s", b)
	}
}

func TestAWrongPasswordSaysSoAndOpensNoSession(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	a := p.signIn("wang", "not-the-password")
	if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "用户名或密码错误") {
		t.Fatalf("wrong password: %d\n%s", a.status, a.body)
	}
	if !strings.Contains(a.body, `value="wang"`) || strings.Contains(a.body, "not-the-password") {
		t.Error("the form keeps the user name and never the password")
	}
	if a := p.get("/"); a.status != http.StatusSeeOther {
		t.Errorf("home after a failed sign-in: %d", a.status)
	}
	if n := len(e.journal(app.KindSignInFailed)); n != 1 {
		t.Errorf("%d failed sign-ins journaled, want 1", n)
	}
	if e.srv.sessions.count() != 0 {
		t.Error("a failed sign-in holds a session")
	}
}

func TestAPasswordInTheAddressSignsNobodyIn(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	a := p.get("/signin?username=wang&password=" + goodPassword)
	if a.status != http.StatusOK || e.srv.sessions.count() != 0 || len(e.journal(app.KindSignedIn)) != 0 {
		t.Fatalf("GET with a password: %d, %d sessions", a.status, e.srv.sessions.count())
	}
	if strings.Contains(a.body, goodPassword) {
		t.Error("the page shows the password from the address")
	}
	// The form's fields in the address of a POST are not read either.
	tok := p.token("/signin")
	req, _ := http.NewRequest(http.MethodPost, e.base+"/signin?username=wang&password="+goodPassword, strings.NewReader(url.Values{"csrf": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := p.do(req); a.status == http.StatusSeeOther || e.srv.sessions.count() != 0 {
		t.Errorf("POST with the password in the address: %d → %q", a.status, a.location)
	}
	if !strings.Contains(a.body, `method="post" action="/signin"`) {
		t.Error("the sign-in form does not post")
	}
}

func TestSignInWithoutItsFormTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.token("/signin") // the pre-session cookie is set
	for name, form := range map[string]url.Values{
		"no token":    {"username": {"wang"}, "password": {goodPassword}},
		"wrong token": {"csrf": {strings.Repeat("x", 43)}, "username": {"wang"}, "password": {goodPassword}},
	} {
		a := p.post("/signin", form)
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "什么也没有保存") {
			t.Errorf("%s: %d\n%s", name, a.status, a.body)
		}
	}
	// A phone without the cookie (another site's form) is refused though it sends a token.
	other := e.phone()
	if a := other.post("/signin", url.Values{"csrf": {p.token("/signin")}, "username": {"wang"}, "password": {goodPassword}}); a.status != http.StatusForbidden {
		t.Errorf("a token without its cookie: %d", a.status)
	}
	// A large body (one that says it carries files) is not read for a sign-in.
	var big strings.Builder
	big.WriteString("--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + p.token("/signin") + "\r\n--b\r\n")
	big.WriteString("Content-Disposition: form-data; name=\"x\"; filename=\"x.bin\"\r\n\r\n" + strings.Repeat("x", 2*MaxFormBytes) + "\r\n--b--\r\n")
	req, _ := http.NewRequest(http.MethodPost, e.base+"/signin", strings.NewReader(big.String()))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	if a := p.do(req); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a large sign-in body: %d", a.status)
	}
	if e.srv.sessions.count() != 0 || len(e.journal(app.KindSignedIn, app.KindSignInFailed)) != 0 {
		t.Error("a refused form reached the accounts")
	}
}

func TestManyFailuresFromOnePhoneAreThrottledWithoutCheckingThePassword(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	// Different names, so the core's lockout of one name does not come first.
	for i := 0; i < ThrottleFailures; i++ {
		if a := p.signIn("nobody"+strings.Repeat("x", i), "guess"); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, a.status)
		}
	}
	failed := len(e.journal(app.KindSignInFailed))
	a := p.signIn("wang", goodPassword)
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "失败次数过多") || !strings.Contains(a.body, "15") {
		t.Fatalf("the right password after %d failures: %d\n%s", ThrottleFailures, a.status, a.body)
	}
	if len(e.journal(app.KindSignInFailed)) != failed || len(e.journal(app.KindSignedIn)) != 0 {
		t.Error("a throttled sign-in reached the accounts")
	}
	e.clock.Add(ThrottleWindow)
	if a := p.signIn("wang", goodPassword); a.status != http.StatusSeeOther {
		t.Errorf("after the window: %d\n%s", a.status, a.body)
	}
}

func TestTheCoresLockoutAndDisabledAccountsApply(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	e.account("li", app.RoleOperator)
	p := e.phone()
	for i := 0; i < app.MaxSignInFailures; i++ {
		p.signIn("wang", "wrong-password")
	}
	if a := p.signIn("wang", goodPassword); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "wang") {
		t.Errorf("a locked name: %d\n%s", a.status, a.body)
	}
	admin, _ := e.kit.Core.Accounts.Get(context.Background(), "admin")
	if err := e.kit.Core.Accounts.Disable(context.Background(), &admin, "li"); err != nil {
		t.Fatal(err)
	}
	if a := p.signIn("li", goodPassword); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "已停用") {
		t.Errorf("a disabled account: %d\n%s", a.status, a.body)
	}
}

func TestAnAccountDisabledWhileSignedInIsSentToSignIn(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	admin, _ := e.kit.Core.Accounts.Get(context.Background(), "admin")
	if err := e.kit.Core.Accounts.Disable(context.Background(), &admin, "wang"); err != nil {
		t.Fatal(err)
	}
	a := p.get("/test/view")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/signin?") || !strings.Contains(a.location, "why=disabled") {
		t.Fatalf("a disabled account's page: %d → %q", a.status, a.location)
	}
	if b := p.get(a.location).body; !strings.Contains(b, "该账号不能再在此登录") {
		t.Errorf("the sign-in page does not say why:\n%s", b)
	}
}

func TestAResetPasswordMustBeChangedFirst(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	ctx := context.Background()
	admin, _ := e.kit.Core.Accounts.Get(ctx, "admin")
	const given = "Temporary-Pass-77"
	if err := e.kit.Core.Accounts.ResetPassword(ctx, &admin, "wang", given); err != nil {
		t.Fatal(err)
	}
	p := e.phone()
	a := p.signIn("wang", given)
	if a.status != http.StatusSeeOther || a.location != "/password" {
		t.Fatalf("sign-in with a reset password: %d → %q", a.status, a.location)
	}
	// Every page (and every form) waits for the change.
	if a := p.get("/test/view"); a.location != "/password" {
		t.Errorf("a page before the change: %d → %q", a.status, a.location)
	}
	tok := p.token("/password")
	if a := p.post("/test/note", url.Values{"csrf": {tok}, "note": {"too early"}}); a.location != "/password" || len(e.stored()) != 0 {
		t.Errorf("a form before the change: %d → %q, stored %v", a.status, a.location, e.stored())
	}
	page := p.get("/password").body
	if !strings.Contains(page, "管理员重置了您的密码") {
		t.Errorf("the page does not say why:\n%s", page)
	}
	for _, c := range []struct {
		old, new, again, want string
	}{
		{given, "Another-Pass-88", "Another-Pass-89", "两次输入的新密码不一致"},
		{given, "short", "short", "至少需要"},
		{"wrong-current-1", "Another-Pass-88", "Another-Pass-88", "当前密码不正确"},
	} {
		a := p.post("/password", url.Values{"csrf": {tok}, "old": {c.old}, "new": {c.new}, "again": {c.again}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, c.want) {
			t.Errorf("%s/%s: %d, want %q\n%s", c.new, c.again, a.status, c.want, a.body)
		}
	}
	a = p.post("/password", url.Values{"csrf": {tok}, "old": {given}, "new": {"Another-Pass-88"}, "again": {"Another-Pass-88"}})
	if a.status != http.StatusSeeOther || a.location != "/" {
		t.Fatalf("the change: %d → %q\n%s", a.status, a.location, a.body)
	}
	if b := p.get("/").body; !strings.Contains(b, "密码已修改") {
		t.Errorf("home does not say the password changed:\n%s", b)
	}
	if op, _ := e.kit.Core.Accounts.Get(ctx, "wang"); op.MustChange {
		t.Error("the account must still change its password")
	}
	if a := p.get("/test/view"); a.status != http.StatusOK {
		t.Errorf("a page after the change: %d", a.status)
	}
}

func TestSignOutEndsTheSessionAndIsJournaled(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	old := p.c.Jar.Cookies(mustURL(e.base))
	a := p.post("/signout", url.Values{"csrf": {p.token("/")}})
	if a.status != http.StatusSeeOther || a.location != "/signin?why=signedout" {
		t.Fatalf("sign-out: %d → %q", a.status, a.location)
	}
	if got := e.journal(app.KindSignedOut); len(got) != 1 || got[0].Operator != "wang" {
		t.Errorf("journaled sign-outs: %+v", got)
	}
	if !strings.Contains(p.get(a.location).body, "您已退出") {
		t.Error("the sign-in page does not say the phone signed out")
	}
	// The old cookie, sent again (a copy of it), opens nothing.
	thief := e.phone()
	thief.c.Jar.SetCookies(mustURL(e.base), old)
	if a := thief.get("/"); a.status != http.StatusSeeOther || !strings.Contains(a.location, "why=ended") {
		t.Errorf("the signed-out cookie: %d → %q", a.status, a.location)
	}
	// Sign-out is a form with its token: a link from elsewhere signs nobody out.
	p.signedIn("wang")
	if a := p.post("/signout", url.Values{}); a.status != http.StatusForbidden || e.srv.sessions.count() != 1 {
		t.Errorf("a sign-out without its token: %d, %d sessions", a.status, e.srv.sessions.count())
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
