package web

import (
	"bytes"
	"image/png"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"watchpost/app"
)

var (
	pxField = regexp.MustCompile(`name="px" value="([^"]*)"`)
	pyField = regexp.MustCompile(`name="py" value="([^"]*)"`)
)

func TestAHazardIsReportedInABuildingAndGoesToWhomTheRulesSay(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	p.signedIn("liuyang")
	if !strings.Contains(p.get("/").body, `href="/report"`) {
		t.Error("home does not list Report a hazard")
	}
	page := p.get("/report")
	tok := csrfField.FindStringSubmatch(page.body)[1]
	for _, want := range []string{`<option value="clutter">楼道堆物</option>`, `<option value="b05">5号楼</option>`, `name="map358"`, `src="/plan.png?w=358"`, `capture="environment"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the form has no %s", want)
		}
	}
	// Refused by the core (no category): the form comes back with what was typed.
	a := p.postFiles("/report", url.Values{"csrf": {tok}, "building": {"b03"}, "unit": {"1"}, "flat": {"302"}, "text": {"楼道里堆满纸箱"}},
		[2]string{"IMG_1.JPG", string(jpegBytes(t, 64, 48))})
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, "请选择类别") || !strings.Contains(a.body, "楼道里堆满纸箱") ||
		!strings.Contains(a.body, `<option value="b03" selected>`) || !strings.Contains(a.body, "您之前发送的 1 张照片已保留") {
		t.Fatalf("a report without a category: %d\n%s", a.status, mainOf(a.body))
	}
	if n := len(e.kit.Core.Orders.List()); n != 0 {
		t.Fatalf("a refused report made %d orders", n)
	}
	a = p.postFiles("/report", url.Values{"csrf": {tok}, "category": {app.CatClutter}, "building": {"b03"}, "unit": {"1"}, "flat": {"302"},
		"text": {"楼道里堆满纸箱"}, "kept": {"1"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("the report: %d\n%s", a.status, mainOf(a.body))
	}
	list := e.kit.Core.Orders.List()
	if len(list) != 1 {
		t.Fatalf("%d orders", len(list))
	}
	o := list[0]
	if o.Reporter.Via != app.FromPhone || o.Reporter.By != "liuyang" || o.Place.Building != "b03" || o.Place.Unit != 1 || o.Place.Flat != "302" ||
		o.Place.GridID != "g1" || o.Team != "grid1" || len(o.Photos) != 1 {
		t.Errorf("the order: %+v", o)
	}
	if a.location != orderPath(o.ID) {
		t.Errorf("sent to %q", a.location)
	}
	if b := mainOf(p.get(a.location).body); !strings.Contains(b, "已上报为工单 #"+idOf(o)+"（派给 第一网格组）") {
		t.Errorf("the new order's page:\n%s", b)
	}
}

func TestATapOnTheSitePlanPicksTheGridAndTheBuildingUnderIt(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	p.signedIn("liuyang")
	tok := p.token("/report")
	for _, w := range PlanWidths {
		img := p.get("/plan.png?w=" + strconv.Itoa(w))
		if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/png" {
			t.Fatalf("the plan %d: %d %s", w, img.status, img.header.Get("Content-Type"))
		}
		cfg, err := png.DecodeConfig(bytes.NewReader([]byte(img.body)))
		if err != nil || cfg.Width != w*PlanPixelRatio {
			t.Errorf("the plan %d is %d px wide (%v)", w, cfg.Width, err)
		}
	}
	// Where building 5 is (grid g2) on the 358 px plan, in CSS pixels.
	site := e.kit.Core.Inventory.Site()
	b5, _ := site.Building("b05")
	at := e.srv.plan(false, 358).view.Px(b5.Footprint.Centroid())
	form := url.Values{"csrf": {tok}, "category": {app.CatFacility}, "text": {"单元门坏了"},
		"map358.x": {strconv.Itoa(int(at.X) / PlanPixelRatio)}, "map358.y": {strconv.Itoa(int(at.Y) / PlanPixelRatio)}}
	a := p.post("/report/place", form)
	if a.status != http.StatusOK {
		t.Fatalf("a tap: %d\n%s", a.status, mainOf(a.body))
	}
	for _, want := range []string{"已在平面图上选定：5号楼，第二网格", `<option value="b05" selected>`, "单元门坏了", `<option value="facility" selected>`, "&amp;x="} {
		if !strings.Contains(a.body, want) {
			t.Errorf("after the tap the form has no %q:\n%s", want, mainOf(a.body))
		}
	}
	if n := len(e.kit.Core.Orders.List()); n != 0 {
		t.Fatalf("a tap made %d orders", n)
	}
	x, y := pxField.FindStringSubmatch(a.body)[1], pyField.FindStringSubmatch(a.body)[1]
	if marked := p.get("/plan.png?w=358&x=" + x + "&y=" + y); marked.status != http.StatusOK || marked.body == p.get("/plan.png?w=358").body {
		t.Errorf("the plan with the point: %d, unmarked", marked.status)
	}
	a = p.postFiles("/report", url.Values{"csrf": {tok}, "category": {app.CatFacility}, "building": {"b05"}, "text": {"单元门坏了"}, "px": {x}, "py": {y}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("the report: %d\n%s", a.status, mainOf(a.body))
	}
	o := e.kit.Core.Orders.List()[0]
	if o.Place.Position == nil || o.Place.GridID != "g2" || o.Place.Building != "b05" || o.Team != "repair" {
		t.Fatalf("the order's place: %+v, team %q", o.Place, o.Team)
	}
	c := b5.Footprint.Centroid()
	if d := math.Hypot(o.Place.Position.X-c.X, o.Place.Position.Y-c.Y); d > 2 {
		t.Errorf("the point is %.1f m from where it was tapped", d)
	}

	// A tap outdoors (between the grids' road) keeps no building; a tap off the plan is refused.
	g1 := site.Grids[0]
	corner := g1.Area.Bounds()
	out := app.Point{X: corner.Min.X + 2, Y: corner.Min.Y + 2}
	at = e.srv.plan(false, 358).view.Px(out)
	a = p.post("/report/place", url.Values{"csrf": {tok}, "building": {"b05"}, "unit": {"2"},
		"map358.x": {strconv.Itoa(int(at.X) / PlanPixelRatio)}, "map358.y": {strconv.Itoa(int(at.Y) / PlanPixelRatio)}})
	if !strings.Contains(a.body, `<option value="" selected>`) || strings.Contains(a.body, `name="unit" type="number" inputmode="numeric" min="1" max="99" value="2"`) {
		t.Errorf("a tap outdoors keeps the building:\n%s", mainOf(a.body))
	}
	if a := p.post("/report/place", url.Values{"csrf": {tok}, "map358.x": {"9999"}, "map358.y": {"5"}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, "请在平面图上点选一个位置") {
		t.Errorf("a tap off the plan: %d", a.status)
	}
	if a := p.post("/report/place", url.Values{"map358.x": {"10"}, "map358.y": {"5"}}); a.status != http.StatusForbidden {
		t.Errorf("a tap without the token: %d", a.status)
	}
}

func TestThePlanAndTheReportFormAreForWhoMayReport(t *testing.T) {
	e := newEnv(t)
	e.account("trainer1", app.RoleTrainer)
	p := e.phone()
	if a := p.get("/plan.png"); a.status != http.StatusSeeOther {
		t.Errorf("the plan without signing in: %d", a.status)
	}
	p.signedIn("trainer1")
	for _, path := range []string{"/plan.png", "/report", "/tasks"} {
		if a := p.get(path); a.status != http.StatusForbidden {
			t.Errorf("a trainer's %s: %d", path, a.status)
		}
	}
}
