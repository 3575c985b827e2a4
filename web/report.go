package web

import (
	"net/http"
	"strconv"
	"strings"

	"watchpost/app"
)

// Report a hazard (上报隐患, GET/POST /report): a grid worker or a member of staff on patrol
// says what it is (a category), where (a building with its unit and flat, or a tap on the
// site plan, and a few words), what was seen, with photos from the phone's camera. The core
// makes the order and its dispatch rules give it to someone at once; the phone is sent to
// the new order's page, which says to whom.
//
// The plan is an image button in the form (plan.go): a tap sends the form to
// POST /report/place, which stores nothing and shows the form again with the point chosen
// (the grid and the building under it filled in) and everything typed kept. Its fields go
// as a plain form, so the photos are not sent twice: the photo field comes after the plan.

// reportForm is what the form holds.
type reportForm struct {
	Category string
	Building string
	Unit     string
	Flat     string
	Where    string
	Text     string
	X, Y     string // the point chosen on the plan (site metres), "" when none
}

type option struct {
	Value, Label string
	Selected     bool
}

type planButton struct {
	Name, Class, Src string
	W, H             int
}

type reportData struct {
	Form       reportForm
	Categories []option
	Buildings  []option
	Plans      []planButton
	Point      string // what the chosen point is, in words
	Kept       []photoLink
	KeptText   string
	Error      string
	MaxText    int
}

const reportDraft = "report"

func (s *Server) routesReport() {
	s.Page("GET /report", app.ActOrderReport, s.reportPage).Listed("Report a hazard")
	s.Page("POST /report/place", app.ActOrderReport, s.reportPlace)
	s.Page("POST /report", app.ActOrderReport, s.report)
	s.Page("GET /plan.png", app.ActOrderReport, s.planPage)
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	f := reportForm{}
	if b := r.URL.Query().Get("b"); b != "" {
		f.Building = b
	}
	return s.renderReport(w, c, http.StatusOK, f, nil)
}

// readReportForm reads the form's fields.
func readReportForm(r *http.Request) reportForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return reportForm{Category: v("category"), Building: v("building"), Unit: v("unit"), Flat: v("flat"), Where: v("where"),
		Text: r.PostFormValue("text"), X: v("px"), Y: v("py")}
}

// reportPlace takes a tap on the plan (or the clearing of the point) and shows the form
// again with it.
func (s *Server) reportPlace(w http.ResponseWriter, r *http.Request, c *Context) error {
	f := readReportForm(r)
	if r.PostFormValue("clear") != "" {
		f.X, f.Y = "", ""
		return s.renderReport(w, c, http.StatusOK, f, nil)
	}
	for _, pw := range PlanWidths {
		name := "map" + strconv.Itoa(pw)
		xs, ys := r.PostFormValue(name+".x"), r.PostFormValue(name+".y")
		if xs == "" {
			continue
		}
		x, err1 := strconv.ParseFloat(xs, 64)
		y, err2 := strconv.ParseFloat(ys, 64)
		pt, ok := s.tapped(c.T.English(), pw, x, y)
		if err1 != nil || err2 != nil || !ok {
			break
		}
		f.X, f.Y = strconv.FormatFloat(pt.X, 'f', 1, 64), strconv.FormatFloat(pt.Y, 'f', 1, 64)
		if _, b := placeAt(c.Core.Inventory.Site(), pt); b != f.Building {
			f.Building, f.Unit, f.Flat = b, "", ""
		}
		return s.renderReport(w, c, http.StatusOK, f, nil)
	}
	return s.renderReport(w, c, http.StatusBadRequest, f, app.Errorf(app.CodeInvalid, "Tap a place on the plan"))
}

// report makes the order.
func (s *Server) report(w http.ResponseWriter, r *http.Request, c *Context) error {
	f := readReportForm(r)
	var kept []string
	if r.PostFormValue("kept") == "1" {
		if d := c.draft(reportDraft); d != nil {
			kept = d.Photos
		}
	}
	more, err := storePhotos(c, len(kept))
	if err != nil {
		c.setDraft(draft{Form: reportDraft, Photos: kept})
		return s.renderReport(w, c, statusOf(err), f, err)
	}
	photos := append(kept, more...)
	place, err := s.reportPlaceOf(c, f)
	if err == nil {
		var o app.WorkOrder
		o, err = c.Core.Orders.Report(r.Context(), c.Operator, app.OrderRequest{Category: f.Category, Text: f.Text, Photos: photos, Place: place, Via: app.FromPhone})
		if err == nil {
			c.dropDraft(reportDraft)
			if who := newNamer(r.Context(), c).assignee(&o); who != "" {
				c.Redirect(w, orderPath(o.ID), "Reported as order {{.N}} (assigned to {{.To}})", "N", o.Number(), "To", who)
			} else {
				c.Redirect(w, orderPath(o.ID), "Reported as order {{.N}}: the guard room will assign it", "N", o.Number())
			}
			return nil
		}
	}
	c.setDraft(draft{Form: reportDraft, Photos: photos})
	return s.renderReport(w, c, statusOf(err), f, err)
}

// reportPlaceOf is the order's place from the form.
func (s *Server) reportPlaceOf(c *Context, f reportForm) (app.OrderPlace, error) {
	p := app.OrderPlace{Building: f.Building, Flat: f.Flat, Note: f.Where}
	if f.Unit != "" {
		u, err := strconv.Atoi(f.Unit)
		if err != nil || u < 1 {
			return p, app.Errorf(app.CodeInvalid, "A unit is a number from 1").On("unit")
		}
		p.Unit = u
	}
	if f.X != "" || f.Y != "" {
		pt, ok := planPoint(f.X, f.Y)
		if !ok {
			return p, app.Errorf(app.CodeInvalid, "Tap a place on the plan")
		}
		p.Position = &pt // the core finds the grid under it
	}
	return p, nil
}

// renderReport shows the form with what it holds and, after a refused send, why.
func (s *Server) renderReport(w http.ResponseWriter, c *Context, status int, f reportForm, err error) error {
	n := newNamer(c.r.Context(), c)
	english := c.T.English()
	d := reportData{Form: f, MaxText: app.MaxOrderText}
	if err != nil {
		d.Error = c.T.ErrText(err)
	}
	d.Categories = append(d.Categories, option{Value: "", Label: c.T.T("Choose…"), Selected: f.Category == ""})
	for _, cat := range n.setup.Categories {
		d.Categories = append(d.Categories, option{Value: cat.ID, Label: cat.Display(english), Selected: cat.ID == f.Category})
	}
	d.Buildings = append(d.Buildings, option{Value: "", Label: c.T.T("No building (outdoors)"), Selected: f.Building == ""})
	if n.site != nil {
		for _, b := range n.site.Buildings {
			d.Buildings = append(d.Buildings, option{Value: b.ID, Label: b.Display(english), Selected: b.ID == f.Building})
		}
	}
	pt, hasPoint := planPoint(f.X, f.Y)
	for i, pw := range PlanWidths {
		p := s.plan(english, pw)
		if p == nil {
			break
		}
		src := "/plan.png?w=" + strconv.Itoa(pw)
		if hasPoint {
			src += "&x=" + f.X + "&y=" + f.Y
		}
		d.Plans = append(d.Plans, planButton{Name: "map" + strconv.Itoa(pw), Class: []string{"plan-s", "plan-m", "plan-l"}[i], Src: src, W: p.W, H: p.H})
	}
	if hasPoint {
		grid, building := placeAt(n.site, pt)
		pl := app.OrderPlace{GridID: grid, Building: building, Position: &pt}
		d.Point = n.place(pl)
	}
	if dr := c.draft(reportDraft); dr != nil && len(dr.Photos) > 0 {
		for _, p := range dr.Photos {
			d.Kept = append(d.Kept, draftPhoto(p))
		}
		d.KeptText = c.T.T("{{.N}} photos you sent before are kept and go with this form", map[string]any{"N": len(d.Kept)})
	}
	v := View{Operator: c.Operator, CSRF: c.CSRF, Data: d, tr: c.T, Path: "/report"}
	if fl := c.takeFlash(); fl != nil {
		v.Flash = &Flash{Text: fl.text(c.T), Error: fl.error}
	}
	s.render(w, c.r, status, "report", v)
	return nil
}
