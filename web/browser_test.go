package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"watchpost/app"
	"watchpost/web/photo"
)

// These tests drive a real browser (Debian's chromium, headless) at a phone's size, 390 ×
// 844, through the pages a grid worker meets first. The browser trusts the server's own
// certificate by its key (as a phone whose user accepted it), so the pages are a secure
// context as on a phone. WATCHPOST_WEB_SHOTS=<dir> keeps screenshots of the sign-in and
// home pages in both languages there.

const chromium = "/usr/bin/chromium"

// browser starts a browser for e's server; it ends with the test.
func (e *env) browser() context.Context {
	e.t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		e.t.Fatalf("the browser tests need Debian's chromium at %s (apt-get install -y chromium; the Makefile installs it for the tests): %v", chromium, err)
	}
	spki := sha256.Sum256(e.srv.cert.tls.Leaf.RawSubjectPublicKeyInfo)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // the tests run as root
		chromedp.WindowSize(390, 844),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	e.t.Cleanup(func() { cancel(); cancelA() })
	// The first run starts the browser, so it has no timeout (see chromedp.Run). Headless
	// windows are at least 500 px wide: the phone's viewport is emulated, as a phone's
	// (its width from the page's viewport tag, touch).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		e.t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// do runs steps with a generous deadline.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// mainText is the text of the page's main part once sel is visible.
func mainText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	do(t, ctx, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	return value(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main")))
}

// screenshot keeps a picture of the page when WATCHPOST_WEB_SHOTS names a folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("WATCHPOST_WEB_SHOTS")
	if dir == "" {
		return
	}
	png := value(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsThePhone checks that the page needs no sideways scrolling and that every button
// and field shown is at least 44 px high (a thumb's target).
func fitsThePhone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w := value(t, ctx, "width", chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	vw := value(t, ctx, "viewport", chromedp.Evaluate[int]("window.innerWidth"))
	if vw != 390 || w > vw {
		t.Errorf("%s: %d px wide in a %d px viewport", what, w, vw)
	}
	small := value(t, ctx, "targets", chromedp.Evaluate[[]string](`[...document.querySelectorAll("button, input:not([type=hidden]), select, textarea, summary, .menu a, a.button, a.card")]
		.filter(e => e.getClientRects().length > 0 && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)`))
	if len(small) > 0 {
		t.Errorf("%s: targets under 44 px high: %v", what, small)
	}
}

func signInWith(t *testing.T, ctx context.Context, user, password string) {
	t.Helper()
	do(t, ctx, "wait for the sign-in form", chromedp.WaitVisible(chromedp.ID("username")))
	value(t, ctx, "clear the sign-in form", chromedp.Evaluate[bool](`document.getElementById("username").value = ""; document.getElementById("password").value = ""; true`))
	do(t, ctx, "fill the sign-in form",
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")),
	)
}

func TestInABrowserSignInAWrongPasswordTheLanguageAndSignOut(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	ctx := e.browser()
	do(t, ctx, "open the pages", chromedp.Navigate(e.base+"/"))
	page := mainText(t, ctx, "#signin-form")
	if !strings.Contains(page, "用户名") || !strings.Contains(page, "密码") {
		t.Fatalf("the sign-in page is not in Chinese:\n%s", page)
	}
	if secure := value(t, ctx, "secure context", chromedp.Evaluate[bool]("window.isSecureContext")); !secure {
		t.Error("the pages are not a secure context: phones would not give them the camera")
	}
	fitsThePhone(t, ctx, "sign-in")
	screenshot(t, ctx, "signin-zh")

	signInWith(t, ctx, "wang", "not-the-password")
	if page := mainText(t, ctx, "#signin-form .error, main .error"); !strings.Contains(page, "用户名或密码错误") {
		t.Errorf("a wrong password:\n%s", page)
	}
	if u := value(t, ctx, "address", chromedp.Evaluate[string]("location.href")); strings.Contains(u, "not-the-password") {
		t.Errorf("the password is in the address %s", u)
	}

	signInWith(t, ctx, "wang", goodPassword)
	home := mainText(t, ctx, "ul.menu")
	if !strings.Contains(home, "Overview (test)") || strings.Contains(home, "Manage operators (test)") {
		t.Errorf("home:\n%s", home)
	}
	if u := value(t, ctx, "address", chromedp.Evaluate[string]("location.href")); strings.Contains(u, goodPassword) {
		t.Errorf("the password is in the address %s", u)
	}
	fitsThePhone(t, ctx, "home")
	screenshot(t, ctx, "home-zh")

	do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS("#lang-switch button")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] ul.menu`)))
	if b := value(t, ctx, "footer", chromedp.Text(chromedp.CSS("footer"))); !strings.Contains(b, "Sign out") || !strings.Contains(b, "中文") {
		t.Errorf("the English page's footer:\n%s", b)
	}
	fitsThePhone(t, ctx, "home in English")
	screenshot(t, ctx, "home-en")

	do(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#signout button")))
	if page := mainText(t, ctx, "#signin-form"); !strings.Contains(page, "You signed out") {
		t.Errorf("after signing out:\n%s", page)
	}
	screenshot(t, ctx, "signin-en")
	if got := e.journal(app.KindSignedOut); len(got) != 1 {
		t.Errorf("%d sign-outs journaled", len(got))
	}
	do(t, ctx, "open home again", chromedp.Navigate(e.base+"/"))
	mainText(t, ctx, "#signin-form")
}

func TestInABrowserAResetPasswordIsChangedFirst(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	ctx0 := context.Background()
	admin, _ := e.kit.Core.Accounts.Get(ctx0, "admin")
	const given = "Temporary-Pass-77"
	if err := e.kit.Core.Accounts.ResetPassword(ctx0, &admin, "wang", given); err != nil {
		t.Fatal(err)
	}
	ctx := e.browser()
	do(t, ctx, "open a page", chromedp.Navigate(e.base+"/test/view"))
	signInWith(t, ctx, "wang", given)
	page := mainText(t, ctx, "#password-form")
	if !strings.Contains(page, "管理员重置了您的密码") {
		t.Errorf("the change page does not say why:\n%s", page)
	}
	fitsThePhone(t, ctx, "password")
	screenshot(t, ctx, "password-zh")
	do(t, ctx, "a page before the change", chromedp.Navigate(e.base+"/test/view"), chromedp.WaitVisible(chromedp.ID("password-form")))
	do(t, ctx, "change the password",
		chromedp.SendKeys(chromedp.ID("old"), given),
		chromedp.SendKeys(chromedp.ID("new"), "Another-Pass-88"),
		chromedp.SendKeys(chromedp.ID("again"), "Another-Pass-88"),
		chromedp.Click(chromedp.CSS("#password-form button[type=submit]")),
	)
	if page := mainText(t, ctx, "ul.menu"); !strings.Contains(page, "密码已修改") {
		t.Errorf("home after the change:\n%s", page)
	}
	if op, _ := e.kit.Core.Accounts.Get(ctx0, "wang"); op.MustChange {
		t.Error("the account must still change its password")
	}
}

func TestInABrowserAnEndedSessionAndAFormWithoutItsTokenStoreNothing(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	ctx := e.browser()
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"))
	signInWith(t, ctx, "wang", goodPassword)
	do(t, ctx, "wait for the form", chromedp.WaitVisible(chromedp.ID("note-text")))
	// The phone lies in a pocket for half an hour; then the form is sent.
	e.clock.Add(SessionIdle)
	do(t, ctx, "send the form", chromedp.SendKeys(chromedp.ID("note-text"), "井盖松动"), chromedp.Click(chromedp.ID("note-send")))
	if page := mainText(t, ctx, "#signin-form"); !strings.Contains(page, "您的登录已过期：请重新登录") {
		t.Errorf("after the session ended:\n%s", page)
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("an ended session's form stored %v", got)
	}
	// Signed in again, the form loses its token (as a form of another site has none).
	signInWith(t, ctx, "wang", goodPassword)
	do(t, ctx, "wait for the signed-in page", chromedp.WaitVisible(chromedp.ID("signout")))
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"), chromedp.WaitVisible(chromedp.ID("note-text")))
	value(t, ctx, "remove the token", chromedp.Evaluate[bool](`document.querySelector("#note input[name=csrf]").remove() || true`))
	do(t, ctx, "send the form", chromedp.SendKeys(chromedp.ID("note-text"), "井盖松动"), chromedp.Click(chromedp.ID("note-send")))
	if page := mainText(t, ctx, "main .error"); !strings.Contains(page, "此表单已过期或并非来自本站页面，什么也没有保存") {
		t.Errorf("a form without its token:\n%s", page)
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("a form without its token stored %v", got)
	}
	// With its token it is taken.
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"), chromedp.WaitVisible(chromedp.ID("note-text")))
	do(t, ctx, "send the form", chromedp.SendKeys(chromedp.ID("note-text"), "井盖松动"), chromedp.Click(chromedp.ID("note-send")))
	if page := mainText(t, ctx, "main .flash"); !strings.Contains(page, "井盖松动") {
		t.Errorf("the form with its token:\n%s", page)
	}
	if got := e.stored(); len(got) != 1 {
		t.Errorf("stored %v", got)
	}
}

func TestInABrowserPhotosThatCannotBeTakenAreRefusedClearly(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notes := write("notes.txt", []byte("not a picture"))
	huge := write("huge.jpg", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, photo.MaxBytes)...))
	heic, _ := os.ReadFile("photo/testdata/quadrants.heic")
	iphone := write("IMG_0042.HEIC", heic)
	good := write("IMG_0043.JPG", jpegBytes(t, 1200, 900))

	ctx := e.browser()
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"))
	signInWith(t, ctx, "wang", goodPassword)
	do(t, ctx, "wait for the signed-in page", chromedp.WaitVisible(chromedp.ID("signout")))
	for _, c := range []struct{ file, want string }{
		{notes, "notes.txt 不是照片"},
		{huge, "照片 huge.jpg 超过 15 MB"},
		{iphone, "照片 IMG_0042.HEIC 是 HEIC 格式，服务器无法读取"},
	} {
		do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"), chromedp.WaitVisible(chromedp.ID("photo")))
		do(t, ctx, "send "+c.file, chromedp.SetUploadFiles(chromedp.ID("photo"), []string{c.file}), chromedp.Click(chromedp.ID("photo-send")))
		if page := mainText(t, ctx, "main .error"); !strings.Contains(page, c.want) {
			t.Errorf("%s:\n%s", filepath.Base(c.file), page)
		}
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("refused photos stored %v", got)
	}
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/test/note"), chromedp.WaitVisible(chromedp.ID("photo")))
	do(t, ctx, "send a photo", chromedp.SetUploadFiles(chromedp.ID("photo"), []string{good}), chromedp.Click(chromedp.ID("photo-send")))
	mainText(t, ctx, "main .flash")
	if got := e.stored(); len(got) != 1 || got[0] != "photo 1200x900" {
		t.Errorf("stored %v", got)
	}
}
