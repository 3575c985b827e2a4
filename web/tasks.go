package web

import (
	"net/http"
	"time"

	"watchpost/app"
)

// My tasks (我的任务) is a grid worker's, a property staff member's or a repair worker's
// list of work orders: what is late first (and how late), then what nobody has accepted
// yet, then what is in hand. It is the page a phone keeps open and reloads (the benchmark
// has 200 phones loading it every 15 s), so it reads only what the core holds in memory:
// the orders (core.Orders.Tasks), the set-up's category names and the site's buildings
// and grids. No account is read for it beyond the signed-in one.

// TasksRefresh is how often the page reloads itself (a meta refresh: no script runs).
const TasksRefresh = 60

// taskRow is one order of the list.
type taskRow struct {
	ID       int64
	Number   string
	Category string
	Priority string
	State    string
	Place    string
	Age      string // how long ago it was reported
	DueWhat  string // "Accept by" / "Finish by"
	DueBy    string
	Late     string // how late, when overdue
}

// taskGroup is a heading and its orders.
type taskGroup struct {
	Title string
	Class string // late, new, rest
	Rows  []taskRow
}

type tasksData struct {
	Groups  []taskGroup
	Refresh int
	Count   int
}

func (s *Server) routesTasks() {
	s.Page("GET /tasks", app.ActOrderWork, s.tasksPage).Listed("My tasks")
}

func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request, c *Context) error {
	list, err := c.Core.Orders.Tasks(c.Operator)
	if err != nil {
		return err
	}
	n := newNamer(r.Context(), c)
	groups := []taskGroup{
		{Title: c.T.T("Overdue"), Class: "late"},
		{Title: c.T.T("Not yet accepted"), Class: "new"},
		{Title: c.T.T("In hand"), Class: "rest"},
	}
	for i := range list {
		o := &list[i]
		row := taskRow{ID: o.ID, Number: o.Number(), Category: n.category(o.Category), Priority: o.Priority.String(),
			State: n.state(o.State), Place: n.place(o.Place), Late: n.late(o), Age: c.T.T("Reported just now")}
		if age := n.now.Sub(o.CreatedAt); age >= time.Minute {
			row.Age = c.T.T("Reported {{.D}} ago", map[string]any{"D": n.span(age)})
		}
		row.DueWhat, row.DueBy = n.due(o)
		g := 2
		switch {
		case row.Late != "":
			g = 0
		case o.State == app.OrderNew || o.State == app.OrderAssigned:
			g = 1
		}
		groups[g].Rows = append(groups[g].Rows, row)
	}
	data := tasksData{Refresh: TasksRefresh, Count: len(list)}
	for _, g := range groups {
		if len(g.Rows) > 0 {
			data.Groups = append(data.Groups, g)
		}
	}
	return c.Render(w, "tasks", data)
}
