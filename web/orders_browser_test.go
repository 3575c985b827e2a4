package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"watchpost/app"
)

// The work orders' pages in the browser at a phone's size, as a grid worker, a verifier and
// a resident use them. WATCHPOST_WEB_SHOTS=<dir> keeps whole-page pictures of My tasks, an
// order with its timeline and photo, the report form with the site plan and a resident's
// receipt, in Chinese and in English.

// pageShot keeps a picture of the whole page (not only what the screen shows).
func pageShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("WATCHPOST_WEB_SHOTS")
	if dir == "" {
		return
	}
	png := value(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// inEnglish switches the page to English and waits for it.
func inEnglish(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS("#lang-switch button")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main`)))
}

// waitText waits (30 s at most) for the page's main part to contain want.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		page := mainText(t, ctx, sel)
		if strings.Contains(page, want) {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page does not say %q:\n%s", want, page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestInABrowserAGridWorkerAcceptsPhotographsAndFinishesAnOrder(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	late := e.dispatched(app.CatEBike, "2单元一楼大堂有电动车在充电")
	e.clock.Add(40 * time.Minute)
	o := e.dispatched(app.CatClutter, "3单元楼道堆放纸箱和旧家具，堵住了安全出口")
	shot := filepath.Join(t.TempDir(), "IMG_20261207_094512.jpg")
	if err := os.WriteFile(shot, sideways(t), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := e.browser()
	do(t, ctx, "open My tasks", chromedp.Navigate(e.base+"/tasks"))
	signInWith(t, ctx, "zhangwei", goodPassword)
	page := mainText(t, ctx, ".cards")
	for _, want := range []string{"我的任务", "已超时", "#" + idOf(late), "未接单：已超时 10 分钟", "待接单", "#" + idOf(o), "楼道堆物", "1号楼，2单元，1502室"} {
		if !strings.Contains(page, want) {
			t.Errorf("My tasks does not show %q:\n%s", want, page)
		}
	}
	fitsThePhone(t, ctx, "My tasks")
	pageShot(t, ctx, "tasks-zh")

	do(t, ctx, "open the order", chromedp.Click(chromedp.CSS(`a.card[href="/orders/`+idOf(o)+`"]`)), chromedp.WaitVisible(chromedp.ID("accept-form")))
	fitsThePhone(t, ctx, "the order")
	do(t, ctx, "accept it", chromedp.Click(chromedp.CSS("#accept-form button")))
	waitText(t, ctx, "main .flash", "您已接下工单 #"+idOf(o))
	if got := e.order(o.ID); got.State != app.OrderAccepted {
		t.Fatalf("accepted: %s", got.State)
	}
	pageShot(t, ctx, "order-accepted-zh")
	do(t, ctx, "open the done form", chromedp.Click(chromedp.CSS("#done > summary")), chromedp.WaitVisible(chromedp.ID("done-note")))
	fitsThePhone(t, ctx, "the done form")
	pageShot(t, ctx, "order-done-form-zh")
	do(t, ctx, "mark it done with a photo",
		chromedp.SendKeys(chromedp.ID("done-note"), "纸箱已清走，安全出口畅通"),
		chromedp.SetUploadFiles(chromedp.ID("done-photo"), []string{shot}),
		chromedp.Click(chromedp.CSS("#done-form button[type=submit]")),
	)
	waitText(t, ctx, "main .flash", "已标记完成，等待核验")
	// The core has it done (the console's board reads the same core).
	got := e.waitOrder(o.ID, app.OrderDone)
	if len(got.ProofPhotos) != 1 || got.ProofNote != "纸箱已清走，安全出口畅通" {
		t.Fatalf("the proof: %q %v", got.ProofNote, got.ProofPhotos)
	}
	// The proof photo is shown, upright.
	do(t, ctx, "wait for the proof photo", chromedp.WaitVisible(chromedp.CSS(".proof img")))
	deadline := time.Now().Add(30 * time.Second)
	for !value(t, ctx, "photo loaded", chromedp.Evaluate[bool](`document.querySelector(".proof img").complete && document.querySelector(".proof img").naturalWidth > 0`)) {
		if time.Now().After(deadline) {
			t.Fatal("the proof photo does not load")
		}
		time.Sleep(50 * time.Millisecond)
	}
	size := value(t, ctx, "photo size", chromedp.Evaluate[[]int](`[document.querySelector(".proof img").naturalWidth, document.querySelector(".proof img").naturalHeight]`))
	if len(size) != 2 || size[0] != 400 || size[1] != 300 {
		t.Errorf("the proof photo is %v, not 400×300 upright", size)
	}
	p := e.phone()
	p.signedIn("liuyang") // the other grid worker verifies clutter: he may see it
	ph := p.get("/photos/" + got.ProofPhotos[0] + "?o=" + idOf(o))
	if ph.status != http.StatusOK {
		t.Fatalf("the proof photo: %d", ph.status)
	}
	upright(t, "the proof photo", []byte(ph.body))
	page = mainText(t, ctx, ".timeline")
	for _, want := range []string{"上报", "派单", "接单", "完成", "测试 zhangwei", "纸箱已清走，安全出口畅通"} {
		if !strings.Contains(page, want) {
			t.Errorf("the timeline does not show %q:\n%s", want, page)
		}
	}
	fitsThePhone(t, ctx, "the done order")
	pageShot(t, ctx, "order-zh")
	inEnglish(t, ctx)
	if page := mainText(t, ctx, ".timeline"); !strings.Contains(page, "Done, to verify") || !strings.Contains(page, "Proof of the work") {
		t.Errorf("the order in English:\n%s", page)
	}
	fitsThePhone(t, ctx, "the order in English")
	pageShot(t, ctx, "order-en")
	do(t, ctx, "My tasks in English", chromedp.Navigate(e.base+"/tasks"), chromedp.WaitVisible(chromedp.CSS(".cards")))
	fitsThePhone(t, ctx, "My tasks in English")
	pageShot(t, ctx, "tasks-en")
}

func TestInABrowserAHazardIsReportedByATapOnTheSitePlan(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	ctx := e.browser()
	do(t, ctx, "open the form", chromedp.Navigate(e.base+"/report"))
	signInWith(t, ctx, "liuyang", goodPassword)
	do(t, ctx, "wait for the plan", chromedp.WaitVisible(chromedp.CSS(".plan input.plan-m")))
	fitsThePhone(t, ctx, "the report form")
	do(t, ctx, "fill the form",
		chromedp.SetValue(chromedp.ID("category"), app.CatFacility),
		chromedp.SendKeys(chromedp.ID("text"), "单元门的闭门器坏了，门关不上"),
		chromedp.ScrollIntoView(chromedp.CSS(".plan input.plan-m")),
	)
	// Tap building 5 on the plan, where the picture shows it.
	site := e.kit.Core.Inventory.Site()
	b5, _ := site.Building("b05")
	at := e.srv.plan(false, 358).view.Px(b5.Footprint.Centroid())
	box := value(t, ctx, "the plan's place", chromedp.Evaluate[[]float64](`(() => { const e = document.querySelector(".plan input.plan-m"), r = e.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height, e.clientWidth, e.clientHeight]; })()`))
	// The picture is laid out at its own size, with nothing around it: the tap's coordinates
	// are the picture's.
	if want := e.srv.plan(false, 358); box[2] != float64(want.W) || box[3] != float64(want.H) || box[4] != box[2] || box[5] != box[3] {
		t.Fatalf("the plan is laid out %v × %v (inside %v × %v), not %d × %d: taps would miss", box[2], box[3], box[4], box[5], want.W, want.H)
	}
	do(t, ctx, "tap building 5", chromedp.MouseClickXY(box[0]+1+float64(at.X)/PlanPixelRatio, box[1]+1+float64(at.Y)/PlanPixelRatio))
	page := waitText(t, ctx, "#point", "已在平面图上选定")
	if !strings.Contains(page, "5号楼") || !strings.Contains(page, "第二网格") {
		t.Errorf("after the tap:\n%s", page)
	}
	if text := value(t, ctx, "text", chromedp.Evaluate[string](`document.getElementById("text").value`)); text != "单元门的闭门器坏了，门关不上" {
		t.Errorf("the text after the tap: %q", text)
	}
	if cat := value(t, ctx, "category", chromedp.Evaluate[string](`document.getElementById("category").value`)); cat != app.CatFacility {
		t.Errorf("the category after the tap: %q", cat)
	}
	fitsThePhone(t, ctx, "the report form with a point")
	pageShot(t, ctx, "report-zh")
	do(t, ctx, "send it", chromedp.Click(chromedp.ID("report-send")))
	waitText(t, ctx, "main .flash", "派给 维修班")
	list := e.kit.Core.Orders.List()
	if len(list) != 1 || list[0].Place.Building != "b05" || list[0].Place.GridID != "g2" || list[0].Place.Position == nil || list[0].Team != "repair" {
		t.Fatalf("the order: %+v", list)
	}
	do(t, ctx, "the form again", chromedp.Navigate(e.base+"/report"), chromedp.WaitVisible(chromedp.CSS(".plan input.plan-m")))
	inEnglish(t, ctx)
	do(t, ctx, "wait for the plan", chromedp.WaitVisible(chromedp.CSS(".plan input.plan-m")))
	fitsThePhone(t, ctx, "the report form in English")
	pageShot(t, ctx, "report-en")
}

func TestInABrowserAResidentReportsWithAPhotoFollowsAndRates(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	photo := filepath.Join(t.TempDir(), "IMG_0815.JPG")
	if err := os.WriteFile(photo, sideways(t), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := e.browser()
	do(t, ctx, "open the QR code's page", chromedp.Navigate(e.base+"/r?b=b05"), chromedp.WaitVisible(chromedp.ID("resident-form")))
	if b := value(t, ctx, "building", chromedp.Evaluate[string](`document.getElementById("building").value`)); b != "b05" {
		t.Errorf("the QR code's building: %q", b)
	}
	fitsThePhone(t, ctx, "the resident's form")
	pageShot(t, ctx, "resident-form-zh")
	do(t, ctx, "fill the form",
		chromedp.SendKeys(chromedp.ID("unit"), "2"),
		chromedp.SendKeys(chromedp.ID("flat"), "1502"),
		chromedp.SetValue(chromedp.ID("category"), app.CatSanitation),
		chromedp.SendKeys(chromedp.ID("text"), "楼下垃圾桶满了两天没人清"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}),
		chromedp.SendKeys(chromedp.ID("phone"), "13912345678"),
		chromedp.Click(chromedp.ID("resident-send")),
	)
	page := waitText(t, ctx, "#receipt", "报事编号")
	list := e.kit.Core.Orders.List()
	if len(list) != 1 || list[0].Receipt == "" || len(list[0].Photos) != 1 {
		t.Fatalf("the orders: %+v", list)
	}
	o := list[0]
	if !strings.Contains(page, o.Receipt) || !strings.Contains(page, "谢谢！您的报事已收到") {
		t.Errorf("the receipt page:\n%s", page)
	}
	fitsThePhone(t, ctx, "the receipt")
	pageShot(t, ctx, "receipt-zh")

	e.closeOrder(people, o.ID)
	do(t, ctx, "follow the report", chromedp.Navigate(e.base+"/r/"+o.Receipt), chromedp.WaitVisible(chromedp.ID("rate-form")))
	page = mainText(t, ctx, ".timeline")
	if strings.Contains(page, "zhangwei") || strings.Contains(page, "测试") || !strings.Contains(page, "网格员") {
		t.Errorf("the resident's timeline:\n%s", page)
	}
	fitsThePhone(t, ctx, "the closed report")
	pageShot(t, ctx, "receipt-closed-zh")
	do(t, ctx, "rate it",
		chromedp.Click(chromedp.CSS(`.stars input[value="5"] + span`)),
		chromedp.SendKeys(chromedp.ID("comment"), "很快就清理了，谢谢"),
		chromedp.Click(chromedp.ID("rate-send")),
	)
	waitText(t, ctx, "main .flash", "感谢您的评价")
	if got := e.order(o.ID); got.Rating == nil || got.Rating.Stars != 5 {
		t.Errorf("the rating: %+v", got.Rating)
	}
	inEnglish(t, ctx)
	if page := mainText(t, ctx, "#receipt"); !strings.Contains(page, "Receipt number") || !strings.Contains(page, "5 of 5") && !strings.Contains(page, "rated how it was handled 5") {
		t.Errorf("the receipt in English:\n%s", page)
	}
	fitsThePhone(t, ctx, "the receipt in English")
	pageShot(t, ctx, "receipt-en")
	do(t, ctx, "the form in English", chromedp.Navigate(e.base+"/r?b=b05"), chromedp.WaitVisible(chromedp.ID("resident-form")))
	pageShot(t, ctx, "resident-form-en")
	_ = strconv.Itoa
}
