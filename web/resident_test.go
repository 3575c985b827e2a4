package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"watchpost/app"
	"watchpost/testkit"
	"watchpost/web/photo"
)

// residentToken opens the resident's page and returns its form's token.
func (p *phone) residentToken(path string) string {
	p.e.t.Helper()
	a := p.get(path)
	m := csrfField.FindStringSubmatch(a.body)
	if a.status != http.StatusOK || m == nil {
		p.e.t.Fatalf("GET %s: %d\n%s", path, a.status, a.body)
	}
	return m[1]
}

// residentReport sends a report from the building b05 with one photo.
func (p *phone) residentReport(tok, text string) answer {
	p.e.t.Helper()
	return p.postFiles("/r", url.Values{"csrf": {tok}, "category": {app.CatSanitation}, "building": {"b05"}, "unit": {"2"}, "flat": {"1502"},
		"text": {text}, "phone": {"13912345678"}}, [2]string{"IMG_9.JPG", string(jpegBytes(t0(p), 64, 48))})
}

func t0(p *phone) *testing.T { return p.e.t }

// closeOrder has the order handled and verified by the staff.
func (e *env) closeOrder(people orderPeople, id int64) {
	e.t.Helper()
	ctx := context.Background()
	o := e.order(id)
	o, err := e.kit.Core.Orders.Assign(ctx, &people.admin, id, o.Version, "", "zhangwei", "")
	if err == nil {
		o, err = e.kit.Core.Orders.Accept(ctx, &people.grid1, id, o.Version)
	}
	if err == nil {
		o, err = e.kit.Core.Orders.Done(ctx, &people.grid1, id, o.Version, "张伟已清理，电话 13800001111", nil)
	}
	if err == nil {
		_, err = e.kit.Core.Orders.Verify(ctx, &people.property, id, o.Version, "王经理复查")
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestAResidentReportsFollowsTheReportAndRatesIt(t *testing.T) {
	e := newEnv(t)
	people := e.orderSetup()
	p := e.phone()
	page := p.get("/r?b=b05")
	if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="b05" selected>`) || strings.Contains(page.body, "signout") {
		t.Fatalf("the QR code's page: %d\n%s", page.status, mainOf(page.body))
	}
	if strings.Contains(page.body, `value="device_fault"`) || strings.Contains(page.body, `value="supplies"`) || !strings.Contains(page.body, `value="sanitation"`) {
		t.Errorf("the categories a resident may choose:\n%s", mainOf(page.body))
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	a := p.residentReport(tok, "垃圾桶满了没人清")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/r/") {
		t.Fatalf("the report: %d → %q\n%s", a.status, a.location, mainOf(a.body))
	}
	o := e.kit.Core.Orders.List()[0]
	if o.Reporter.Via != app.FromResident || o.Receipt == "" || a.location != "/r/"+o.Receipt || len(o.Photos) != 1 ||
		o.Place.Building != "b05" || o.Place.Unit != 2 || o.Reporter.Phone != "13912345678" {
		t.Fatalf("the order: %+v", o)
	}
	receipt := mainOf(p.get(a.location).body)
	for _, want := range []string{"谢谢！您的报事已收到", o.Receipt, e.srv.URL() + "r/" + o.Receipt, "环境卫生", "5号楼，2单元，1502室", "垃圾桶满了没人清"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt page has no %q:\n%s", want, receipt)
		}
	}
	// Anyone with the receipt follows it, without a session; receipts are read in any case.
	if b := mainOf(e.phone().get("/r/" + strings.ToLower(o.Receipt)).body); !strings.Contains(b, o.Receipt) {
		t.Errorf("the receipt in lower case:\n%s", b)
	}

	// The staff see the resident's phone masked.
	e.account("guard", app.RoleOperator)
	staff := e.phone()
	staff.signedIn("guard")
	if b := mainOf(staff.get(orderPath(o.ID)).body); !strings.Contains(b, "139****5678") || strings.Contains(b, "13912345678") {
		t.Errorf("the order's page shows the resident's phone so:\n%s", b)
	}

	e.closeOrder(people, o.ID)
	follow := mainOf(p.get("/r/" + o.Receipt).body)
	for _, want := range []string{"已办结", "网格员", "物业人员", `id="rate-form"`} {
		if !strings.Contains(follow, want) {
			t.Errorf("the closed report has no %q:\n%s", want, follow)
		}
	}
	for _, never := range []string{"zhangwei", "测试", "王经理", "13800001111", "13912345678", "139****5678"} {
		if strings.Contains(follow, never) {
			t.Errorf("the resident's page shows %q:\n%s", never, follow)
		}
	}
	a = p.post("/r/"+o.Receipt+"/rate", url.Values{"csrf": {tok}, "stars": {"4"}, "comment": {"处理得很快"}})
	if b := mainOf(p.follow(a).body); !strings.Contains(b, "感谢您的评价") || !strings.Contains(b, "4 分") || strings.Contains(b, `id="rate-form"`) {
		t.Errorf("after rating:\n%s", b)
	}
	if got := e.order(o.ID); got.Rating == nil || got.Rating.Stars != 4 || got.Rating.Comment != "处理得很快" {
		t.Errorf("the rating: %+v", got.Rating)
	}
	// Rated once only.
	a = p.post("/r/"+o.Receipt+"/rate", url.Values{"csrf": {tok}, "stars": {"1"}})
	if b := mainOf(p.follow(a).body); !strings.Contains(b, "您已评价过此报事") {
		t.Errorf("a second rating:\n%s", b)
	}
	if got := e.order(o.ID); got.Rating.Stars != 4 {
		t.Errorf("the second rating replaced the first: %d", got.Rating.Stars)
	}
}

func TestAResidentsRefusedReportKeepsWhatWasTypedAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	tok := p.residentToken("/r")
	for _, c := range []struct {
		name   string
		form   url.Values
		files  [][2]string
		status int
		want   string
	}{
		{"a device fault", url.Values{"category": {app.CatDevice}, "building": {"b05"}, "text": {"门禁坏了"}}, nil, http.StatusBadRequest, "请选择问题类型"},
		{"no place", url.Values{"category": {app.CatSanitation}, "text": {"门禁坏了"}}, nil, http.StatusBadRequest, "请说明位置"},
		{"no text nor photo", url.Values{"category": {app.CatSanitation}, "building": {"b05"}}, nil, http.StatusBadRequest, "请描述问题，或拍一张照片"},
		{"a bad phone number", url.Values{"category": {app.CatSanitation}, "building": {"b05"}, "text": {"门禁坏了"}, "phone": {"call me"}}, nil, http.StatusBadRequest, "不是有效的电话号码"},
		{"not a photo", url.Values{"category": {app.CatSanitation}, "building": {"b05"}, "text": {"门禁坏了"}}, [][2]string{{"notes.txt", "hello"}}, http.StatusBadRequest, "notes.txt 不是照片"},
		{"two photos", url.Values{"category": {app.CatSanitation}, "building": {"b05"}, "text": {"门禁坏了"}}, [][2]string{{"a.jpg", string(jpegBytes(t, 8, 8))}, {"b.jpg", string(jpegBytes(t, 8, 8))}}, http.StatusBadRequest, "请只发送一张照片"},
		{"no token", url.Values{"category": {app.CatSanitation}, "building": {"b05"}, "text": {"门禁坏了"}, "csrf": {""}}, nil, http.StatusForbidden, "什么也没有保存"},
	} {
		if _, ok := c.form["csrf"]; !ok {
			c.form.Set("csrf", tok)
		}
		a := p.postFiles("/r", c.form, c.files...)
		if a.status != c.status || !strings.Contains(a.body, c.want) {
			t.Errorf("%s: %d, want %d and %q\n%s", c.name, a.status, c.status, c.want, mainOf(a.body))
		}
		if c.status == http.StatusBadRequest && c.form.Get("text") != "" && !strings.Contains(a.body, c.form.Get("text")) {
			t.Errorf("%s: what was typed is lost", c.name)
		}
	}
	// Larger than one photo: refused before it is read.
	huge := string(make([]byte, photo.MaxBytes+MaxFormBytes))
	a := p.postFiles("/r", url.Values{"csrf": {tok}, "category": {app.CatSanitation}, "building": {"b05"}}, [2]string{"big.jpg", huge})
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "最多一张不超过 15 MB 的照片") {
		t.Errorf("an oversized report: %d\n%s", a.status, mainOf(a.body))
	}
	// A body that does not say its length is cut at the same size.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", tok)
	mw.WriteField("category", app.CatSanitation)
	mw.WriteField("building", "b05")
	for _, n := range []string{"a.jpg", "b.jpg"} {
		fw, _ := mw.CreateFormFile("photo", n)
		fw.Write(make([]byte, ResidentMaxBytes/2+1))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/r", io.MultiReader(&body)) // no length: sent chunked
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if a := p.do(req); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a report of unknown length over the limit: %d\n%s", a.status, mainOf(a.body))
	}
	if n := len(e.kit.Core.Orders.List()); n != 0 || e.photoFiles() != 0 {
		t.Errorf("refused reports stored %d orders and %d photos", n, e.photoFiles())
	}
	// None of them counted against the address's limit.
	for i := 0; i < ResidentReportsPerAddress; i++ {
		if a := p.residentReport(tok, "垃圾桶满了"); a.status != http.StatusSeeOther {
			t.Fatalf("report %d after the refused ones: %d\n%s", i+1, a.status, mainOf(a.body))
		}
	}
}

func TestAFloodOfResidentsReportsFromOneAddressIsRefused(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	tok := p.residentToken("/r")
	for i := 0; i < ResidentReportsPerAddress; i++ {
		if a := p.residentReport(tok, "垃圾桶满了"); a.status != http.StatusSeeOther {
			t.Fatalf("report %d: %d\n%s", i+1, a.status, mainOf(a.body))
		}
	}
	photos := e.photoFiles()
	a := p.residentReport(tok, "垃圾桶又满了")
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "此网络一小时内已提交 5 次报事，本次未保存：请 60 分钟后再提交") {
		t.Errorf("report %d: %d\n%s", ResidentReportsPerAddress+1, a.status, mainOf(a.body))
	}
	if n := len(e.kit.Core.Orders.List()); n != ResidentReportsPerAddress || e.photoFiles() != photos {
		t.Errorf("the flood stored %d orders", n-ResidentReportsPerAddress)
	}
	// Held back before its body is read: even a body too large for the page gets the limit's
	// answer.
	big := p.postFiles("/r", url.Values{"csrf": {tok}}, [2]string{"big.jpg", string(make([]byte, ResidentMaxBytes))})
	if big.status != http.StatusTooManyRequests {
		t.Errorf("a large report from a flooded address: %d", big.status)
	}
	e.clock.Add(ResidentReportsWindow)
	if a := p.residentReport(p.residentToken("/r"), "垃圾桶又满了"); a.status != http.StatusSeeOther {
		t.Errorf("an hour later: %d", a.status)
	}
}

func TestTheResidentsLimitsCountPerAddressAndOverAllAndForgetOldAddresses(t *testing.T) {
	clock := testkit.NewClock(start)
	l := newRateLimit(clock, 5, time.Hour, 20)
	// Released uses do not count.
	for i := 0; i < 10; i++ {
		release, _, _, ok := l.reserve("10.0.0.1")
		if !ok {
			t.Fatalf("use %d refused", i+1)
		}
		release()
		release() // twice is once
	}
	for i := 0; i < 5; i++ {
		if _, _, _, ok := l.reserve("10.0.0.1"); !ok {
			t.Fatalf("use %d refused", i+1)
		}
	}
	if _, wait, global, ok := l.reserve("10.0.0.1"); ok || global || wait != time.Hour {
		t.Errorf("the sixth use: ok %v, global %v, wait %v", ok, global, wait)
	}
	// The ceiling over all addresses: 20 a minute.
	for i := 0; i < 15; i++ {
		if _, _, _, ok := l.reserve("10.0.1." + string(rune('a'+i))); !ok {
			t.Fatalf("address %d refused", i)
		}
	}
	if _, wait, global, ok := l.reserve("10.0.2.1"); ok || !global || wait != time.Minute {
		t.Errorf("the 21st use in a minute: ok %v, global %v, wait %v", ok, global, wait)
	}
	clock.Add(time.Minute)
	if _, _, _, ok := l.reserve("10.0.2.1"); !ok {
		t.Error("a minute later the ceiling still holds")
	}
	// Memory is bounded: addresses beyond MaxLimitedAddresses forget the oldest.
	big := newRateLimit(clock, 5, time.Hour, 0)
	for i := 0; i < MaxLimitedAddresses+100; i++ {
		clock.Add(time.Millisecond)
		big.reserve("a" + string(rune(i)))
	}
	if n := big.addresses(); n > MaxLimitedAddresses {
		t.Errorf("%d addresses remembered", n)
	}
	clock.Add(time.Hour)
	big.reserve("late")
	if n := big.addresses(); n > MaxLimitedAddresses {
		t.Errorf("%d addresses remembered after an hour", n)
	}
}

func TestAGuessedReceiptNamesNoReportLikeAWrongOne(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	if a := p.residentReport(p.residentToken("/r"), "垃圾桶满了"); a.status != http.StatusSeeOther {
		t.Fatal(a.status)
	}
	real := e.kit.Core.Orders.List()[0].Receipt
	guess := p.get("/r/" + real[:len(real)-1] + "Z")
	if real[len(real)-1] == 'Z' {
		guess = p.get("/r/" + real[:len(real)-1] + "Y")
	}
	for name, a := range map[string]answer{"a guess of the right form": guess, "another order's number": p.get("/r/999-ABCDEF"), "nonsense": p.get("/r/%3Cscript%3E")} {
		if a.status != http.StatusNotFound || !strings.Contains(a.body, "没有编号为") || strings.Contains(a.body, `id="receipt"`) {
			t.Errorf("%s: %d\n%s", name, a.status, mainOf(a.body))
		}
	}
	// Guessing on and on is stopped; the right receipt still works from elsewhere.
	for i := 3; i < ReceiptMissesPerAddress; i++ {
		p.get("/r/999-ABCDEF")
	}
	if a := p.get("/r/" + real); a.status != http.StatusTooManyRequests {
		t.Errorf("after %d wrong receipts: %d", ReceiptMissesPerAddress, a.status)
	}
	e.clock.Add(ResidentReportsWindow)
	if a := p.get("/r/" + real); a.status != http.StatusOK {
		t.Errorf("an hour later: %d", a.status)
	}
}

// A stairwell's QR label (watchpost labels --per-unit) presets its unit as well as its building.
func TestAStairwellsLabelPresetsItsUnit(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	page := e.phone().get("/r?b=b05&u=2")
	if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="b05" selected>`) || !strings.Contains(page.body, `name="unit" type="number" inputmode="numeric" min="1" max="99" value="2"`) {
		t.Fatalf("the stairwell's page: %d\n%s", page.status, mainOf(page.body))
	}
	if b := e.phone().get("/r?b=b05&u=99").body; strings.Contains(b, `max="99" value="99"`) {
		t.Errorf("a unit the building does not have is not preset:\n%s", mainOf(b))
	}
}
