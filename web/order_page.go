package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"watchpost/app"
)

// An order's page (GET /orders/{id}): all its facts, its photos, its timeline, and the
// forms of what the signed-in person may do with it now: accept it, add progress with a
// note and photos from the phone's camera, mark it done with proof, or — for whoever
// verifies its category — verify and close it, or reopen it with a reason. The core decides
// who may see it (core.Orders.View) and checks every action again; the page only offers
// what would be allowed, so that nobody meets a button that is refused. Every form carries
// the order's version the page showed: an order changed meanwhile is refused by the core
// and the page comes back with what changed and the form as it was sent (drafts.go).

// photoLink is a photo of an order as the page shows it.
type photoLink struct {
	URL string
}

// stepRow is one line of the timeline.
type stepRow struct {
	When   string
	What   string
	By     string
	To     string
	Note   string
	Photos []photoLink
}

// fact is one line of the order's facts.
type fact struct {
	Label, Value string
	Class        string
}

// orderForm is the state of one action's form: shown or not, and what a refused send left.
type orderForm struct {
	Show     bool
	Note     string
	Kept     []photoLink // photos a refused send had stored; sent again with the form
	KeptText string
	Draft    bool
}

type orderData struct {
	ID        int64
	Number    string
	Category  string
	Priority  string
	State     string
	StateCode string
	Late      string
	Text      string
	Facts     []fact
	Photos    []photoLink
	Proof     string
	Proofs    []photoLink
	Steps     []stepRow
	Version   int
	// The forms, each shown when the person may do it now.
	Accept, Progress, Done, Verify, Reopen orderForm
	PhotoRequired                          bool
	MaxPhotos                              int
	MaxNote                                int
	Any                                    bool // some action is offered
	Tasks                                  bool // the person has a list of tasks to go back to
}

// Actions an order's page offers (the forms' names in drafts and addresses).
const (
	actAccept   = "accept"
	actProgress = "progress"
	actDone     = "done"
	actVerify   = "verify"
	actReopen   = "reopen"
)

func (s *Server) routesOrder() {
	s.Page("GET /orders/{id}", app.ActOrderView, s.orderPage)
	for _, a := range []string{actAccept, actProgress, actDone, actVerify, actReopen} {
		s.Page("POST /orders/{id}/"+a, app.ActOrderView, s.orderAction(a))
	}
	s.Page("GET /photos/{name}", app.ActOrderView, s.orderPhoto)
}

// orderID reads the order's number from the address.
func orderID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, app.Errorf(app.CodeNotFound, "There is no work order {{.ID}}", "ID", r.PathValue("id"))
	}
	return id, nil
}

func orderPath(id int64) string { return "/orders/" + strconv.FormatInt(id, 10) }

func draftName(id int64, action string) string {
	return "order:" + strconv.FormatInt(id, 10) + ":" + action
}

// photoURL is where a photo of order id is served (the order is named so that the photo
// of an order read from the store, not held in memory, is found too).
func photoURL(id int64, name string) photoLink {
	return photoLink{URL: "/photos/" + url.PathEscape(name) + "?o=" + strconv.FormatInt(id, 10)}
}

// draftPhoto is where a photo kept in the session's draft is served.
func draftPhoto(name string) photoLink {
	return photoLink{URL: "/photos/" + url.PathEscape(name) + "?draft=1"}
}

func photoLinks(id int64, names []string) []photoLink {
	out := make([]photoLink, 0, len(names))
	for _, n := range names {
		out = append(out, photoURL(id, n))
	}
	return out
}

func (s *Server) orderPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	id, err := orderID(r)
	if err != nil {
		return err
	}
	o, err := c.Core.Orders.View(r.Context(), c.Operator, id)
	if err != nil {
		return err
	}
	n := newNamer(r.Context(), c)
	d := orderData{ID: o.ID, Number: o.Number(), Category: n.category(o.Category), Priority: o.Priority.String(),
		State: n.state(o.State), StateCode: string(o.State), Late: n.late(&o), Text: o.Text, Version: o.Version,
		Photos: photoLinks(o.ID, o.Photos), Proof: o.ProofNote, Proofs: photoLinks(o.ID, o.ProofPhotos),
		MaxPhotos: MaxPhotosPerPost, MaxNote: app.MaxOrderText}
	d.Facts = orderFacts(n, &o)
	for _, st := range o.Steps {
		row := stepRow{When: n.when(st.At), What: n.stepLabel(st.Kind), By: n.person(st.By), Note: st.Note,
			Photos: photoLinks(o.ID, st.Photos)}
		if st.To != "" {
			row.To = n.to(st.To)
		}
		if st.Kind == app.KindOrderAssigned && len(st.Note) > 5 && st.Note[:5] == "rule:" {
			row.Note = c.T.T("by the dispatch rule {{.R}}", map[string]any{"R": st.Note[5:]})
		}
		d.Steps = append(d.Steps, row)
	}
	may := mayDo(c, &o)
	for _, f := range []struct {
		action string
		form   *orderForm
	}{{actAccept, &d.Accept}, {actProgress, &d.Progress}, {actDone, &d.Done}, {actVerify, &d.Verify}, {actReopen, &d.Reopen}} {
		f.form.Show = may[f.action]
		if !f.form.Show {
			continue
		}
		d.Any = true
		if dr := c.draft(draftName(o.ID, f.action)); dr != nil {
			f.form.Draft, f.form.Note = true, dr.Note
			for _, p := range dr.Photos {
				f.form.Kept = append(f.form.Kept, draftPhoto(p))
			}
			if len(f.form.Kept) > 0 {
				f.form.KeptText = c.T.T("{{.N}} photos you sent before are kept and go with this form", map[string]any{"N": len(f.form.Kept)})
			}
		}
	}
	d.Tasks = app.Authorize(c.Operator, app.ActOrderWork) == nil
	if cat, ok := c.Core.Orders.Category(o.Category); ok {
		d.PhotoRequired = cat.PhotoRequired
	}
	return c.Render(w, "order", d)
}

// orderFacts are the order's facts, in the order a worker reads them.
func orderFacts(n *namer, o *app.WorkOrder) []fact {
	tr := n.tr
	var out []fact
	add := func(label, value string) {
		if value != "" {
			out = append(out, fact{Label: label, Value: value})
		}
	}
	add(tr.T("Place"), n.place(o.Place))
	reporter := tr.T(o.Reporter.Via.Label())
	switch {
	case o.Reporter.Via == app.FromResident:
	case o.Reporter.By != "":
		reporter += " · " + n.person(o.Reporter.By)
	}
	add(tr.T("Reported"), n.when(o.CreatedAt)+" · "+reporter)
	// A member of the public's name and phone are personal: masked here, in full at the
	// guard room's console.
	if caller := strings.TrimSpace(app.MaskName(o.Reporter.Name) + " " + app.MaskPhone(o.Reporter.Phone)); caller != "" {
		add(tr.T("Caller"), caller)
	}
	if who := n.assignee(o); who != "" {
		add(tr.T("Given to"), who)
	} else if o.State.Open() {
		add(tr.T("Given to"), tr.T("Nobody yet: the guard room assigns it"))
	}
	if what, by := n.due(o); by != "" {
		add(what, by)
	}
	if !o.AcceptedAt.IsZero() {
		add(tr.T("Accepted"), n.when(o.AcceptedAt))
	}
	if !o.DoneAt.IsZero() {
		add(tr.T("Done"), n.when(o.DoneAt))
	}
	if !o.ClosedAt.IsZero() {
		add(tr.T("Closed"), n.when(o.ClosedAt))
	}
	if o.Reopened > 0 {
		add(tr.T("Reopened"), tr.T("{{.N}} times", map[string]any{"N": o.Reopened}))
	}
	if o.MergedInto != 0 {
		add(tr.T("Duplicate of"), number(o.MergedInto))
	}
	if len(o.Alarms) > 0 {
		var ids []string
		for _, a := range o.Alarms {
			ids = append(ids, number(a))
		}
		add(tr.T("Alarms"), strings.Join(ids, " "))
	}
	if len(o.Escalations) > 0 {
		e := o.Escalations[len(o.Escalations)-1]
		add(tr.T("Escalated"), n.when(e.At)+" · "+n.to(e.To))
	}
	if o.Rating != nil {
		add(tr.T("Resident's rating"), tr.T("{{.N}} of 5", map[string]any{"N": o.Rating.Stars}))
	}
	return out
}

// mayDo says which actions the person may take on the order now (the core checks each
// again when it is sent).
func mayDo(c *Context, o *app.WorkOrder) map[string]bool {
	op := c.Operator
	setup := c.Core.Orders.Setup()
	mine := o.Assignee == op.Username
	given := mine
	if o.Assignee == "" {
		if t, ok := setup.Team(o.Team); ok && slices.Contains(t.Members, op.Username) {
			given = true
		}
	}
	work := app.Authorize(op, app.ActOrderWork) == nil
	inHand := o.State == app.OrderAccepted || o.State == app.OrderInProgress
	out := map[string]bool{
		actAccept:   work && o.State == app.OrderAssigned && given,
		actProgress: work && inHand && mine,
		actDone:     work && (inHand && mine || o.State == app.OrderAssigned && given),
	}
	if app.Authorize(op, app.ActOrderVerify) == nil && !mine && verifies(op, setup, o.Category) {
		out[actVerify] = o.State == app.OrderDone
		out[actReopen] = o.State == app.OrderDone || o.State == app.OrderClosed
	}
	return out
}

// verifies reports whether op verifies orders of the category: its verifying role (the
// commander verifies what the duty operator does), or an administrator.
func verifies(op *app.Operator, setup app.OrderSetup, category string) bool {
	if op.Role == app.RoleAdmin {
		return true
	}
	cat, ok := setup.Category(category)
	if !ok {
		return false
	}
	role := op.Role
	if role == app.RoleCommander {
		role = app.RoleOperator
	}
	return role == cat.VerifiedBy
}
