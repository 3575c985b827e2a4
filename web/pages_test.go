package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"watchpost/app"
)

func TestOnlyAPlainGetPageCanBeListed(t *testing.T) {
	e := newEnv(t)
	for _, pattern := range []string{"POST /x", "GET /orders/{id}", "/any"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%q was listed", pattern)
				}
			}()
			e.srv.Page(pattern, "", func(http.ResponseWriter, *http.Request, *Context) error { return nil }).Listed("X")
		}()
	}
}

func TestHomeSaysWhenNoPageIsOpenToTheRole(t *testing.T) {
	e := newEnv(t)
	e.account("chen", app.RoleTrainer)
	ctx := context.Background()
	admin, _ := e.kit.Core.Accounts.Get(ctx, "admin")
	// Trainers may do nothing at all: the permission table (the process's) says so for
	// this test.
	t.Cleanup(app.ResetPermissions)
	if err := e.kit.Core.Permissions.Set(ctx, &admin, app.RoleTrainer, nil); err != nil {
		t.Fatal(err)
	}
	p := e.phone()
	p.signedIn("chen")
	b := p.get("/").body
	if strings.Contains(b, `class="menu"`) || !strings.Contains(b, "目前还没有对培训员开放的页面") {
		t.Errorf("home of a role with no page:\n%s", b)
	}
}

func TestThePagesSpeakTheSitesLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin, _ := e.kit.Core.Accounts.Get(ctx, "admin")
	cfg := e.kit.Core.Settings.Get()
	cfg.Language = "en"
	if err := e.kit.Core.Settings.Update(ctx, &admin, cfg); err != nil {
		t.Fatal(err)
	}
	p := e.phone()
	if b := p.get("/signin").body; !strings.Contains(b, `<html lang="en">`) || !strings.Contains(b, "User name") {
		t.Errorf("the sign-in page of an English site:\n%s", b)
	}
}

func TestAnErrorAfterAPostIsShownOnTheNextPageInItsLanguage(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	a := p.post("/test/problems", url.Values{"csrf": {p.token("/test/note")}})
	if a.status != http.StatusSeeOther || a.location != "/test/note" {
		t.Fatalf("%d → %q", a.status, a.location)
	}
	b := p.get("/test/note").body
	if !strings.Contains(b, `class="flash error"`) || !strings.Contains(b, "照片 a.jpg 是空文件；一次最多发送 4 张照片") {
		t.Errorf("the problems after the redirect:\n%s", b)
	}
}
