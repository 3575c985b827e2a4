package web

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"watchpost/app"
	"watchpost/web/photo"
)

// The resident's report page (住户报事, GET/POST /r) needs no account: a QR code printed for
// each building points at /r?b=<building>, so the place comes filled in. A resident says
// where (the building, unit and flat, or a few words), what the problem is (a category a
// resident may choose: not the automatic ones), with a photo and, if they like, a phone
// number for the property to call back. The core makes the order (ReportAsResident) and
// gives it a receipt number; the receipt page (GET /r/{receipt}) follows the report: its
// state and timeline, with the roles of the people who handled it but not their names,
// and once it is closed a form to rate how it was handled (POST /r/{receipt}/rate).
//
// Reports are limited per address and over all addresses (resident_limit.go), and the body
// of a report is bounded to one photo before it is read.

// Limits of the resident's form.
const (
	// ResidentMaxPhotos is how many photos a resident's report takes.
	ResidentMaxPhotos = 1
	// ResidentMaxBytes bounds a resident's report: one photo and the form's fields.
	ResidentMaxBytes = photo.MaxBytes + MaxFormBytes
)

// residentExcluded are the categories a resident does not choose: orders the system makes.
var residentExcluded = map[string]bool{app.CatDevice: true, app.CatSupplies: true}

// receiptPattern is the form of a receipt number (app.newReceipt): the order's number, a
// dash, six letters and digits that cannot be mistaken for each other.
var receiptPattern = regexp.MustCompile(`^[0-9]{1,12}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$`)

type residentForm struct {
	Category, Building, Unit, Flat, Where, Text, Phone string
}

type residentData struct {
	Form       residentForm
	Categories []option
	Buildings  []option
	Building   string // the building of the QR code, in words ("" when none)
	Error      string
	MaxText    int
}

func (s *Server) routesResident() {
	s.reports = newRateLimit(s.clock, ResidentReportsPerAddress, ResidentReportsWindow, ResidentReportsPerMinute)
	s.misses = newRateLimit(s.clock, ReceiptMissesPerAddress, ResidentReportsWindow, 0)
	s.PublicPage("GET /r", s.residentPage)
	s.publicPage("POST /r", s.residentGuard, s.residentReport)
	s.PublicPage("GET /r/{receipt}", s.receiptPage)
	s.PublicPage("POST /r/{receipt}/rate", s.residentRate)
}

func (s *Server) residentPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	f := residentForm{}
	if b := r.URL.Query().Get("b"); b != "" {
		if site := c.Core.Inventory.Site(); site != nil {
			if bb, ok := site.Building(b); ok {
				f.Building = b
				// A stairwell's label (watchpost labels --per-unit) names its unit too.
				if u, err := strconv.Atoi(r.URL.Query().Get("u")); err == nil && u > 0 && (bb.Units == 0 || u <= bb.Units) {
					f.Unit = strconv.Itoa(u)
				}
			}
		}
	}
	return s.renderResident(w, c, http.StatusOK, f, nil)
}

// residentGuard refuses a report before its body is read: from an address that sent its
// share, when the desk has its fill for the minute, or when it is larger than one photo.
func (s *Server) residentGuard(w http.ResponseWriter, r *http.Request) error {
	if err := s.reportLimited(clientKey(r.RemoteAddr), 0, false); err != nil {
		return err
	}
	if r.ContentLength > ResidentMaxBytes {
		return &statusError{http.StatusRequestEntityTooLarge, app.Errorf(app.CodeInvalid,
			"What was sent is too large, so nothing was saved: one photo of at most {{.MB}} MB", "MB", photo.MaxBytes>>20)}
	}
	r.Body = http.MaxBytesReader(w, r.Body, ResidentMaxBytes)
	return nil
}

// reportLimited is the refusal of a report held back by a limit (nil when none holds it:
// wait is then 0).
func (s *Server) reportLimited(key string, wait time.Duration, global bool) error {
	if wait == 0 {
		wait, global = s.reports.wait(key)
	}
	if wait <= 0 {
		return nil
	}
	if global {
		return &statusError{http.StatusTooManyRequests, app.Errorf(app.CodeUnavailable,
			"Many reports are arriving at once, so nothing was saved: send yours again in a minute, or call the property office")}
	}
	return &statusError{http.StatusTooManyRequests, app.Errorf(app.CodeUnavailable,
		"This network has sent {{.N}} reports within an hour, so nothing was saved: send the next one in {{.M}} minutes, or call the property office",
		"N", ResidentReportsPerAddress, "M", int(math.Ceil(wait.Minutes())))}
}

func readResidentForm(r *http.Request) residentForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return residentForm{Category: v("category"), Building: v("building"), Unit: v("unit"), Flat: v("flat"), Where: v("where"),
		Text: r.PostFormValue("text"), Phone: v("phone")}
}

// residentReport makes the order and sends the phone to its receipt.
func (s *Server) residentReport(w http.ResponseWriter, r *http.Request, c *Context) error {
	f := readResidentForm(r)
	key := clientKey(r.RemoteAddr)
	release, wait, global, ok := s.reports.reserve(key)
	if !ok {
		return s.reportLimited(key, wait, global)
	}
	o, err := s.residentOrder(r, c, f)
	if err != nil {
		release() // a refused report does not count
		return s.renderResident(w, c, statusOf(err), f, err)
	}
	c.Redirect(w, "/r/"+o.Receipt, "Thank you: your report was received and passed to the people who handle it")
	return nil
}

// residentOrder checks the form, stores its photo and makes the order.
func (s *Server) residentOrder(r *http.Request, c *Context, f residentForm) (app.WorkOrder, error) {
	if f.Category == "" || residentExcluded[f.Category] {
		return app.WorkOrder{}, app.Errorf(app.CodeInvalid, "Choose what the problem is").On("category")
	}
	place := app.OrderPlace{Building: f.Building, Flat: f.Flat, Note: f.Where}
	if f.Unit != "" {
		u, err := strconv.Atoi(f.Unit)
		if err != nil || u < 1 {
			return app.WorkOrder{}, app.Errorf(app.CodeInvalid, "A unit is a number from 1").On("unit")
		}
		place.Unit = u
	}
	if place.Empty() {
		return app.WorkOrder{}, app.Errorf(app.CodeInvalid, "Say where it is: the building, or a few words about the place").On("where")
	}
	ps, err := c.Photos("photo")
	if err != nil {
		return app.WorkOrder{}, err
	}
	if len(ps) > ResidentMaxPhotos {
		return app.WorkOrder{}, app.Errorf(app.CodeInvalid, "Send one photo").On("photo")
	}
	if strings.TrimSpace(f.Text) == "" && len(ps) == 0 {
		return app.WorkOrder{}, app.Errorf(app.CodeInvalid, "Say what the problem is, or send a photo of it").On("text")
	}
	names, err := savePhotos(c.Core, ps)
	if err != nil {
		return app.WorkOrder{}, err
	}
	return c.Core.Orders.ReportAsResident(r.Context(), app.OrderRequest{Category: f.Category, Text: f.Text, Photos: names,
		Place: place, ReporterPhone: f.Phone})
}

func (s *Server) renderResident(w http.ResponseWriter, c *Context, status int, f residentForm, err error) error {
	n := newNamer(c.r.Context(), c)
	english := c.T.English()
	d := residentData{Form: f, MaxText: app.MaxOrderText}
	if err != nil {
		d.Error = c.T.ErrText(err)
	}
	d.Categories = append(d.Categories, option{Value: "", Label: c.T.T("Choose…"), Selected: f.Category == ""})
	for _, cat := range n.setup.Categories {
		if !residentExcluded[cat.ID] {
			d.Categories = append(d.Categories, option{Value: cat.ID, Label: cat.Display(english), Selected: cat.ID == f.Category})
		}
	}
	d.Buildings = append(d.Buildings, option{Value: "", Label: c.T.T("Not in a building"), Selected: f.Building == ""})
	if n.site != nil {
		for _, b := range n.site.Buildings {
			d.Buildings = append(d.Buildings, option{Value: b.ID, Label: b.Display(english), Selected: b.ID == f.Building})
			if b.ID == f.Building {
				d.Building = b.Display(english)
			}
		}
	}
	v := View{CSRF: c.CSRF, Data: d, tr: c.T, Path: "/r"}
	if f.Building != "" {
		v.Path = "/r?b=" + f.Building
	}
	s.render(w, c.r, status, "resident", v)
	return nil
}

// receiptStep is one line of a resident's timeline: when, what, and the role of who did it.
type receiptStep struct {
	When, What, Who, Note string
}

type receiptData struct {
	Receipt  string
	Link     string
	Number   string
	State    string
	StateKey string
	Category string
	Place    string
	Steps    []receiptStep
	Rate     bool // closed and not rated: the rating form is shown
	Rated    string
}

// receiptOrder finds the order of a receipt, limiting an address's receipts that name no
// report. A receipt that is not of the right form names no report either: the answer is the
// same, and the store is not searched.
func (s *Server) receiptOrder(r *http.Request, c *Context) (app.WorkOrder, error) {
	receipt := strings.ToUpper(strings.TrimSpace(r.PathValue("receipt")))
	key := clientKey(r.RemoteAddr)
	if wait, _ := s.misses.wait(key); wait > 0 {
		return app.WorkOrder{}, &statusError{http.StatusTooManyRequests, app.Errorf(app.CodeUnavailable,
			"Too many receipt numbers that name no report came from this network: try again in {{.M}} minutes", "M", int(math.Ceil(wait.Minutes())))}
	}
	notFound := app.Errorf(app.CodeNotFound, "No report has the receipt number {{.R}}", "R", receipt)
	if !receiptPattern.MatchString(receipt) {
		s.misses.reserve(key)
		return app.WorkOrder{}, notFound
	}
	o, err := c.Core.Orders.ByReceipt(r.Context(), receipt)
	if app.IsCode(err, app.CodeNotFound) {
		s.misses.reserve(key)
		return app.WorkOrder{}, notFound
	}
	return o, err
}

func (s *Server) receiptPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	o, err := s.receiptOrder(r, c)
	if err != nil {
		return err
	}
	n := newNamer(r.Context(), c)
	d := receiptData{Receipt: o.Receipt, Link: s.URL() + "r/" + o.Receipt, Number: o.Number(), State: n.state(o.State),
		StateKey: string(o.State), Category: n.category(o.Category), Place: n.place(o.Place)}
	for i, st := range o.Steps {
		row := receiptStep{When: n.when(st.At), What: n.stepLabel(st.Kind), Who: s.roleOf(r, c, st.By)}
		if i == 0 && st.Kind == app.KindOrderCreated {
			row.Note = st.Note // the resident's own words; staff's notes are not shown
		}
		d.Steps = append(d.Steps, row)
	}
	switch {
	case o.Rating != nil:
		d.Rated = c.T.T("You rated how it was handled {{.N}} of 5. Thank you.", map[string]any{"N": o.Rating.Stars})
	case o.State == app.OrderClosed:
		d.Rate = true
	}
	v := View{CSRF: c.CSRF, Data: d, tr: c.T, Path: "/r/" + o.Receipt}
	if fl := c.takeFlash(); fl != nil {
		v.Flash = &Flash{Text: fl.text(c.T), Error: fl.error}
	}
	s.render(w, r, http.StatusOK, "receipt", v)
	return nil
}

// roleOf says who did a step for a resident: a role, never a person's name.
func (s *Server) roleOf(r *http.Request, c *Context, who string) string {
	switch {
	case who == app.ResidentActor:
		return c.T.T("You")
	case who == app.SystemActor, strings.HasPrefix(who, "alarm:"), strings.HasPrefix(who, "device:"):
		return c.T.T("Watchpost (automatic)")
	}
	if op, err := c.Core.Accounts.Get(r.Context(), who); err == nil {
		return c.T.T(op.Role.Label())
	}
	return c.T.T("Staff")
}

func (s *Server) residentRate(w http.ResponseWriter, r *http.Request, c *Context) error {
	o, err := s.receiptOrder(r, c)
	if err != nil {
		return err
	}
	back := "/r/" + o.Receipt
	stars, _ := strconv.Atoi(r.PostFormValue("stars"))
	if _, err := c.Core.Orders.Rate(r.Context(), o.Receipt, stars, r.PostFormValue("comment")); err != nil {
		c.RedirectError(w, back, err)
		return nil
	}
	c.Redirect(w, back, "Thank you for your rating")
	return nil
}
