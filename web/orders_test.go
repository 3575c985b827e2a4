package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/web/photo"
)

// photoFiles is how many photos the store holds.
func (e *env) photoFiles() int {
	e.t.Helper()
	es, err := os.ReadDir(filepath.Join(e.kit.Dir, "photos"))
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	return len(es)
}

// follow GETs where a POST's answer sends the phone.
func (p *phone) follow(a answer) answer {
	p.e.t.Helper()
	if a.status != http.StatusSeeOther {
		p.e.t.Fatalf("not sent on: %d\n%.2000s", a.status, a.body)
	}
	return p.get(a.location)
}

func mainOf(body string) string {
	i, j := strings.Index(body, "<main>"), strings.Index(body, "</main>")
	if i < 0 || j < i {
		return body
	}
	return body[i:j]
}

func TestMyTasksPutsWhatIsLateFirstThenWhatNobodyAcceptedThenTheRest(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	ctx := context.Background()
	late := e.dispatched(app.CatClutter, "楼道堆放纸箱")
	inHand := e.dispatched(app.CatEBike, "电动车在楼道充电")
	if _, err := e.kit.Core.Orders.Accept(ctx, &people.grid1, inHand.ID, inHand.Version); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(61 * time.Minute) // the clutter order was to be accepted within an hour
	fresh := e.dispatched(app.CatFireHazard, "消防通道被占")

	p := e.phone()
	p.signedIn("zhangwei")
	a := p.get("/tasks")
	if a.status != http.StatusOK {
		t.Fatalf("%d\n%s", a.status, a.body)
	}
	page := mainOf(a.body)
	at := func(s string) int {
		i := strings.Index(page, s)
		if i < 0 {
			t.Fatalf("My tasks does not show %q:\n%s", s, page)
		}
		return i
	}
	if !(at(`href="/orders/`+idOf(late)+`"`) < at(`href="/orders/`+idOf(fresh)+`"`) && at(`href="/orders/`+idOf(fresh)+`"`) < at(`href="/orders/`+idOf(inHand)+`"`)) {
		t.Errorf("not late, new, in hand:\n%s", page)
	}
	section := func(class string) string {
		i := strings.Index(page, `<section class="tasks `+class+`">`)
		if i < 0 {
			return ""
		}
		j := strings.Index(page[i:], "</section>")
		return page[i : i+j]
	}
	for class, id := range map[string]string{"late": idOf(late), "new": idOf(fresh), "rest": idOf(inHand)} {
		if sec := section(class); strings.Count(sec, `href="/orders/`) != 1 || !strings.Contains(sec, `href="/orders/`+id+`"`) {
			t.Errorf("the %s group is not order %s alone:\n%s", class, id, sec)
		}
	}
	for _, want := range []string{"已超时", "未接单：已超时 1 分钟", "待接单", "处理中", "楼道堆物", "1号楼，2单元，1502室", "接单期限", "完成期限", "1 小时 1 分钟前上报", "刚刚上报", `class="prio P2"`} {
		at(want)
	}
	if !strings.Contains(a.body, `http-equiv="refresh"`) {
		t.Error("the list does not reload itself")
	}
	if !strings.Contains(p.get("/").body, `href="/tasks"`) {
		t.Error("home does not list My tasks")
	}

	other := e.phone()
	other.signedIn("repair1")
	if b := mainOf(other.get("/tasks").body); strings.Contains(b, "/orders/") || !strings.Contains(b, "暂无任务") {
		t.Errorf("the repair crew sees the grid team's orders:\n%s", b)
	}
	// The duty operator has no tasks on the phone: the page is not theirs.
	e.account("guard", app.RoleOperator)
	duty := e.phone()
	duty.signedIn("guard")
	if a := duty.get("/tasks"); a.status != http.StatusForbidden {
		t.Errorf("the duty operator's My tasks: %d", a.status)
	}
}

func TestAGridWorkerAcceptsAddsProgressWithAPhotoAndMarksTheOrderDone(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	o := e.dispatched(app.CatClutter, "楼道堆放纸箱")
	p := e.phone()
	p.signedIn("zhangwei")
	tok := p.token(orderPath(o.ID))
	page := mainOf(p.get(orderPath(o.ID)).body)
	for _, want := range []string{"工单 #" + idOf(o), "楼道堆放纸箱", "1号楼，2单元，1502室", "第一网格组", `id="accept-form"`, "按派单规则 grid-hazards"} {
		if !strings.Contains(page, want) {
			t.Errorf("the order's page does not show %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="progress-form"`) || strings.Contains(page, `id="verify-form"`) {
		t.Errorf("the page offers what cannot be done yet:\n%s", page)
	}

	a := p.post(orderPath(o.ID)+"/accept", url.Values{"csrf": {tok}, "version": {p.version(o.ID)}})
	if b := mainOf(p.follow(a).body); !strings.Contains(b, "您已接下工单 #"+idOf(o)) || !strings.Contains(b, `id="progress-form"`) {
		t.Fatalf("after accepting:\n%s", b)
	}
	if got := e.order(o.ID); got.State != app.OrderAccepted || got.Assignee != "zhangwei" {
		t.Fatalf("the core has %s by %q", got.State, got.Assignee)
	}

	a = p.postFiles(orderPath(o.ID)+"/progress", url.Values{"csrf": {tok}, "version": {p.version(o.ID)}, "note": {"已通知住户搬走"}},
		[2]string{"IMG_2001.JPG", string(sideways(t))})
	if b := mainOf(p.follow(a).body); !strings.Contains(b, "已为工单 #"+idOf(o)+" 添加进展") || !strings.Contains(b, "已通知住户搬走") {
		t.Fatalf("after the progress:\n%s", b)
	}
	got := e.order(o.ID)
	step := got.Steps[len(got.Steps)-1]
	if got.State != app.OrderInProgress || step.Kind != app.KindOrderProgress || len(step.Photos) != 1 {
		t.Fatalf("the core has %s, last step %+v", got.State, step)
	}

	a = p.postFiles(orderPath(o.ID)+"/done", url.Values{"csrf": {tok}, "version": {p.version(o.ID)}, "note": {"纸箱已清走"}},
		[2]string{"IMG_2002.JPG", string(sideways(t))})
	b := mainOf(p.follow(a).body)
	if !strings.Contains(b, "工单 #"+idOf(o)+" 已标记完成，等待核验") || !strings.Contains(b, "纸箱已清走") || !strings.Contains(b, "处理凭证") {
		t.Fatalf("after marking it done:\n%s", b)
	}
	got = e.order(o.ID)
	if got.State != app.OrderDone || got.ProofNote != "纸箱已清走" || len(got.ProofPhotos) != 1 {
		t.Fatalf("the core has %s, proof %q %v", got.State, got.ProofNote, got.ProofPhotos)
	}
	// The proof photo is on the page and served upright, without its EXIF.
	src := "/photos/" + got.ProofPhotos[0] + "?o=" + idOf(o)
	if !strings.Contains(b, `src="`+src+`"`) {
		t.Errorf("the page does not show the proof photo %s:\n%s", src, b)
	}
	ph := p.get(src)
	if ph.status != http.StatusOK || ph.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the proof photo: %d %s", ph.status, ph.header.Get("Content-Type"))
	}
	upright(t, "the proof photo", []byte(ph.body))
	if strings.Contains(ph.body, "Exif") {
		t.Error("the served photo keeps its EXIF block")
	}
	kinds := map[app.EntryKind]int{}
	for _, en := range e.journal(app.KindOrderAccepted, app.KindOrderProgress, app.KindOrderDone) {
		if en.Operator != "zhangwei" {
			t.Errorf("%s journaled as by %q", en.Kind, en.Operator)
		}
		kinds[en.Kind]++
	}
	if kinds[app.KindOrderAccepted] != 1 || kinds[app.KindOrderProgress] != 1 || kinds[app.KindOrderDone] != 1 {
		t.Errorf("journaled %v", kinds)
	}
}

func TestAFormSentOnAnOrderChangedMeanwhileIsRefusedAndLosesNothing(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	o := e.dispatched(app.CatClutter, "楼道堆放纸箱")
	// The same worker on two phones (or two tabs): both show the order accepted.
	p1, p2 := e.phone(), e.phone()
	p1.signedIn("zhangwei")
	p2.signedIn("zhangwei")
	tok1, tok2 := p1.token("/tasks"), p2.token("/tasks")
	p1.follow(p1.post(orderPath(o.ID)+"/accept", url.Values{"csrf": {tok1}, "version": {p1.version(o.ID)}}))
	stale := p2.version(o.ID)
	p1.follow(p1.post(orderPath(o.ID)+"/progress", url.Values{"csrf": {tok1}, "version": {p1.version(o.ID)}, "note": {"正在联系住户"}}))
	before := e.order(o.ID)
	entries := len(e.journal())

	a := p2.postFiles(orderPath(o.ID)+"/done", url.Values{"csrf": {tok2}, "version": {stale}, "note": {"纸箱已清走，楼道畅通"}},
		[2]string{"IMG_3001.JPG", string(sideways(t))})
	if a.status != http.StatusSeeOther || a.location != orderPath(o.ID) {
		t.Fatalf("a stale form: %d → %q", a.status, a.location)
	}
	page := mainOf(p2.get(a.location).body)
	for _, want := range []string{"已被他人更改", "请查看最新情况", "正在联系住户", // the message, and what changed
		"纸箱已清走，楼道畅通", "您之前发送的 1 张照片已保留", `name="kept" value="1"`} { // the form as it was sent
		if !strings.Contains(page, want) {
			t.Errorf("after the refusal the page does not show %q:\n%s", want, page)
		}
	}
	if got := e.order(o.ID); got.Version != before.Version || got.State != app.OrderInProgress {
		t.Fatalf("the stale form changed the order: %s v%d", got.State, got.Version)
	}
	if n := len(e.journal()); n != entries {
		t.Fatalf("the stale form journaled %d entries", n-entries)
	}
	// The kept photo is shown to its session only.
	kept := regexp.MustCompile(`src="(/photos/[0-9a-f]+\.jpg\?draft=1)"`).FindStringSubmatch(page)
	if kept == nil {
		t.Fatalf("the kept photo is not shown:\n%s", page)
	}
	if a := p2.get(kept[1]); a.status != http.StatusOK {
		t.Errorf("the kept photo: %d", a.status)
	}
	if a := p1.get(kept[1]); a.status != http.StatusNotFound {
		t.Errorf("another session sees the kept photo: %d", a.status)
	}
	// Sent again, on the order as it is now, it is taken with the kept photo.
	a = p2.postFiles(orderPath(o.ID)+"/done", url.Values{"csrf": {tok2}, "version": {p2.version(o.ID)}, "note": {"纸箱已清走，楼道畅通"}, "kept": {"1"}})
	p2.follow(a)
	got := e.order(o.ID)
	if got.State != app.OrderDone || len(got.ProofPhotos) != 1 || got.ProofNote != "纸箱已清走，楼道畅通" {
		t.Fatalf("sent again: %s %v %q", got.State, got.ProofPhotos, got.ProofNote)
	}
	if b := mainOf(p2.get(orderPath(o.ID)).body); strings.Contains(b, "已保留") {
		t.Errorf("the draft outlives the form it was for:\n%s", b)
	}
}

func TestRefusedUploadsAndFormsWithoutTheirTokenStoreNothing(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	o := e.dispatched(app.CatClutter, "楼道堆放纸箱")
	if _, err := e.kit.Core.Orders.Accept(context.Background(), &people.grid1, o.ID, o.Version); err != nil {
		t.Fatal(err)
	}
	p := e.phone()
	p.signedIn("zhangwei")
	tok := p.token("/tasks")
	v := p.version(o.ID)
	before := len(e.journal())
	good := string(jpegBytes(t, 64, 48))
	huge := string(append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, photo.MaxBytes)...))
	for _, c := range []struct {
		name   string
		fields url.Values
		files  [][2]string
		status int
		want   string
	}{
		{"a text file with a photo", url.Values{"csrf": {tok}, "version": {v}, "note": {"清理中"}}, [][2]string{{"a.jpg", good}, {"notes.txt", "not a picture"}}, http.StatusSeeOther, "notes.txt 不是照片"},
		{"an oversized photo", url.Values{"csrf": {tok}, "version": {v}, "note": {"清理中"}}, [][2]string{{"huge.jpg", huge}}, http.StatusSeeOther, "照片 huge.jpg 超过 15 MB"},
		{"no token", url.Values{"version": {v}, "note": {"清理中"}}, [][2]string{{"a.jpg", good}}, http.StatusForbidden, "什么也没有保存"},
		{"another token", url.Values{"csrf": {e.phone().token("/signin")}, "version": {v}, "note": {"清理中"}}, [][2]string{{"a.jpg", good}}, http.StatusForbidden, "什么也没有保存"},
	} {
		a := p.postFiles(orderPath(o.ID)+"/progress", c.fields, c.files...)
		body := a.body
		if a.status == http.StatusSeeOther {
			body = p.get(a.location).body
			if !strings.Contains(body, "清理中") {
				t.Errorf("%s: the note is lost", c.name)
			}
		}
		if a.status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %d and %q\n%.1500s", c.name, a.status, c.status, c.want, mainOf(body))
		}
	}
	// A body over the limit is refused before it is read.
	files := make([][2]string, MaxPhotosPerPost+1)
	for i := range files {
		files[i] = [2]string{"p.jpg", huge[:photo.MaxBytes-10]}
	}
	if a := p.postFiles(orderPath(o.ID)+"/progress", url.Values{"csrf": {tok}, "version": {v}}, files...); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("an upload over the limit: %d", a.status)
	}
	if n := e.photoFiles(); n != 0 {
		t.Errorf("refused uploads stored %d photos", n)
	}
	if got := e.order(o.ID); got.State != app.OrderAccepted || len(e.journal()) != before {
		t.Errorf("refused forms changed the order: %s, %d entries", got.State, len(e.journal())-before)
	}
}

func TestAPhotoIsServedOnlyToWhoMaySeeAnOrderThatNamesIt(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	ctx := context.Background()
	o := e.dispatched(app.CatClutter, "楼道堆放纸箱")
	name, err := e.kit.Core.Photos.SavePhoto(jpegBytes(t, 64, 48))
	if err != nil {
		t.Fatal(err)
	}
	o, err = e.kit.Core.Orders.Accept(ctx, &people.grid1, o.ID, o.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = e.kit.Core.Orders.Progress(ctx, &people.grid1, o.ID, o.Version, "", []string{name}); err != nil {
		t.Fatal(err)
	}
	// The repair crew's own order, which does not name the photo.
	own, err := e.kit.Core.Orders.Report(ctx, &people.repair, app.OrderRequest{Category: app.CatFacility, Text: "路灯不亮", Place: app.OrderPlace{Building: "b09"}})
	if err != nil {
		t.Fatal(err)
	}

	worker, crew := e.phone(), e.phone()
	worker.signedIn("zhangwei")
	crew.signedIn("repair1")
	for _, path := range []string{"/photos/" + name, "/photos/" + name + "?o=" + idOf(o)} {
		if a := worker.get(path); a.status != http.StatusOK || a.header.Get("Cache-Control") == "" || !strings.Contains(a.header.Get("Cache-Control"), "private") {
			t.Errorf("the worker's %s: %d %q", path, a.status, a.header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/photos/" + name, "/photos/" + name + "?o=" + idOf(o), "/photos/" + name + "?o=" + idOf(own),
		"/photos/" + name + "?draft=1", "/photos/..%2Fphotos%2F" + name, "/photos/nothing.jpg"} {
		a := crew.get(path)
		if a.status != http.StatusNotFound || strings.Contains(a.header.Get("Content-Type"), "image") {
			t.Errorf("someone else's photo %s: %d %s", path, a.status, a.header.Get("Content-Type"))
		}
	}
	if a := e.phone().get("/photos/" + name); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/signin") {
		t.Errorf("without signing in: %d → %q", a.status, a.location)
	}
	// Nor the order's page.
	if a := crew.get(orderPath(o.ID)); a.status != http.StatusForbidden || !strings.Contains(a.body, "不属于您") {
		t.Errorf("someone else's order: %d", a.status)
	}
}

func TestAVerifierClosesADoneOrderOrReopensIt(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	ctx := context.Background()
	done := func(text string) app.WorkOrder {
		o := e.dispatched(app.CatClutter, text)
		name, err := e.kit.Core.Photos.SavePhoto(jpegBytes(t, 64, 48))
		if err != nil {
			t.Fatal(err)
		}
		o, err = e.kit.Core.Orders.Done(ctx, &people.grid1, o.ID, o.Version, "已清理", []string{name})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a, b := done("楼道堆放纸箱"), done("楼道堆放自行车")
	// Who did the work does not verify it.
	p := e.phone()
	p.signedIn("zhangwei")
	if page := mainOf(p.get(orderPath(a.ID)).body); strings.Contains(page, `id="verify-form"`) {
		t.Errorf("the worker is offered to verify his own work:\n%s", page)
	}
	// Clutter is verified by a grid worker: the other one.
	v := e.phone()
	v.signedIn("liuyang")
	tok := v.token("/tasks")
	page := mainOf(v.get(orderPath(a.ID)).body)
	if !strings.Contains(page, `id="verify-form"`) || !strings.Contains(page, `id="reopen-form"`) {
		t.Fatalf("the verifier is not offered to verify:\n%s", page)
	}
	r := v.post(orderPath(a.ID)+"/verify", url.Values{"csrf": {tok}, "version": {v.version(a.ID)}, "note": {"已复查"}})
	if page := mainOf(v.follow(r).body); !strings.Contains(page, "已核验并办结") {
		t.Errorf("after verifying:\n%s", page)
	}
	if got := e.order(a.ID); got.State != app.OrderClosed {
		t.Errorf("verified: %s", got.State)
	}
	// Reopening needs a reason; without one nothing changes.
	r = v.post(orderPath(b.ID)+"/reopen", url.Values{"csrf": {tok}, "version": {v.version(b.ID)}, "note": {" "}})
	if page := mainOf(v.follow(r).body); !strings.Contains(page, "请说明情况") {
		t.Errorf("a reopening without a reason:\n%s", page)
	}
	r = v.post(orderPath(b.ID)+"/reopen", url.Values{"csrf": {tok}, "version": {v.version(b.ID)}, "note": {"自行车还在"}})
	v.follow(r)
	if got := e.order(b.ID); got.State != app.OrderAssigned || got.Reopened != 1 {
		t.Errorf("reopened: %s %d", got.State, got.Reopened)
	}
	// The repair crew does not verify clutter, and the core refuses it if they try.
	crew := e.phone()
	crew.signedIn("repair1")
	r = crew.post(orderPath(a.ID)+"/reopen", url.Values{"csrf": {crew.token("/tasks")}, "version": {"9"}, "note": {"x"}})
	if r.status == http.StatusSeeOther {
		if page := crew.get(r.location); page.status == http.StatusOK {
			t.Errorf("the crew reopened: %s", mainOf(page.body))
		}
	}
	if got := e.order(a.ID); got.State != app.OrderClosed {
		t.Errorf("the crew changed the order: %s", got.State)
	}
}
