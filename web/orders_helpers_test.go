package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"watchpost/app"
)

// The work orders' tests run on the demo community with a grid team (two grid workers of
// grid g1), the property's repair crew, a property manager, and rules: hazards of g1 go to
// the grid team, facility damage to the repair crew.

type orderPeople struct {
	grid1, grid2, repair, property, admin app.Operator
}

func (e *env) orderSetup() orderPeople {
	e.t.Helper()
	p := orderPeople{
		grid1:    e.account("zhangwei", app.RoleGridWorker),
		grid2:    e.account("liuyang", app.RoleGridWorker),
		repair:   e.account("repair1", app.RoleMaintenance),
		property: e.account("wangjl", app.RoleProperty),
	}
	ctx := context.Background()
	admin, err := e.kit.Core.Accounts.Get(ctx, "admin")
	if err != nil {
		e.t.Fatal(err)
	}
	p.admin = admin
	err = e.kit.Core.Orders.SaveSetup(ctx, &admin, app.OrderSetup{
		Categories: app.DefaultOrderCategories(),
		Teams: []app.Team{
			{ID: "grid1", Names: app.Names{Name: "第一网格组", NameEn: "Grid 1 team"}, Members: []string{"zhangwei", "liuyang"}, Leader: "liuyang", Grids: []string{"g1"}},
			{ID: "repair", Names: app.Names{Name: "维修班", NameEn: "Repair crew"}, Members: []string{"repair1"}, Leader: "wangjl"},
		},
		Rules: []app.DispatchRule{
			{ID: "grid-hazards", Categories: []string{app.CatClutter, app.CatFireHazard, app.CatEBike}, Grids: []string{"g1"}, Team: "grid1"},
			{ID: "repairs", Categories: []string{app.CatFacility, app.CatDevice}, Team: "repair"},
		},
		PropertyManager: "wangjl",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// dispatched is an order the duty operator reports in building b01 (grid g1): the rule
// gives it to the grid team.
func (e *env) dispatched(cat, text string) app.WorkOrder {
	e.t.Helper()
	ctx := context.Background()
	duty, err := e.kit.Core.Accounts.Get(ctx, "duty")
	if err != nil {
		e.t.Fatal(err)
	}
	o, err := e.kit.Core.Orders.Report(ctx, &duty, app.OrderRequest{Category: cat, Text: text, Place: app.OrderPlace{Building: "b01", Unit: 2, Flat: "1502"}})
	if err != nil {
		e.t.Fatal(err)
	}
	if o.State != app.OrderAssigned || o.Team != "grid1" {
		e.t.Fatalf("the order was not dispatched to the grid team: %+v", o)
	}
	return o
}

func (e *env) order(id int64) app.WorkOrder {
	e.t.Helper()
	o, err := e.kit.Core.Orders.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// waitOrder waits (15 s at most) for the order to be in state.
func (e *env) waitOrder(id int64, state app.OrderState) app.WorkOrder {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		o := e.order(id)
		if o.State == state {
			return o
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("order %d is %s, not %s", id, o.State, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// version is the order's version its page's forms carry.
func (p *phone) version(id int64) string {
	p.e.t.Helper()
	a := p.get(orderPath(id))
	m := versionField.FindStringSubmatch(a.body)
	if m == nil {
		p.e.t.Fatalf("the page of order %d (%d) has no form with a version:\n%s", id, a.status, a.body)
	}
	return m[1]
}

// postFiles sends a multipart form: fields, and files in the field "photo" (name → content).
func (p *phone) postFiles(path string, fields url.Values, files ...[2]string) answer {
	p.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("photo", f[0])
		fw.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, p.e.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return p.do(req)
}

// sideways is a JPEG of a picture 400 wide and 300 high as it is meant to be seen (red on
// the left, blue on the right), stored as a phone held on its side stores it: turned a
// quarter, 300 wide and 400 high, with EXIF orientation 6 saying to turn it back.
func sideways(t *testing.T) []byte {
	t.Helper()
	const w, h = 300, 400 // stored
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Orientation 6: the stored picture's first row is the seen picture's right
			// side; so the stored top half is the seen right half.
			c := color.RGBA{220, 30, 30, 255} // seen left: red
			if y < h/2 {
				c = color.RGBA{30, 30, 220, 255} // seen right: blue
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("II*\x00")
	tiff = binary.LittleEndian.AppendUint32(tiff, 8)
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)      // one entry
	tiff = binary.LittleEndian.AppendUint16(tiff, 0x0112) // Orientation
	tiff = binary.LittleEndian.AppendUint16(tiff, 3)      // SHORT
	tiff = binary.LittleEndian.AppendUint32(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, 6)
	tiff = append(tiff, 0, 0)
	tiff = binary.LittleEndian.AppendUint32(tiff, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, b.Bytes()[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, b.Bytes()[2:]...)
}

// upright checks that a served JPEG shows the sideways picture as seen: 400 × 300, red on
// the left, blue on the right.
func upright(t *testing.T, what string, body []byte) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s is not a JPEG: %v", what, err)
	}
	if b := img.Bounds(); b.Dx() != 400 || b.Dy() != 300 {
		t.Fatalf("%s is %d×%d, not 400×300 (upright)", what, b.Dx(), b.Dy())
	}
	for _, q := range []struct {
		x    int
		red  bool
		side string
	}{{100, true, "left"}, {300, false, "right"}} {
		r, _, bl, _ := img.At(q.x, 150).RGBA()
		if (r > bl) != q.red {
			t.Errorf("%s: the %s half is the wrong colour (r %d, b %d): not turned upright", what, q.side, r>>8, bl>>8)
		}
	}
}

func idOf(o app.WorkOrder) string { return strconv.FormatInt(o.ID, 10) }
