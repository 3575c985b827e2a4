package ui

import (
	"context"
	"image/color"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The work-order board (工单): a column per open state — new, assigned, accepted, in progress,
// done and waiting to be verified — and, when asked, the orders closed in the last 30 days;
// each card says the order's number, category, place, who has it, its age, and how late it
// is when it is overdue (red). Filters by grid, category, assignee and overdue, and a search
// box. The selected order's detail is beside the board (order_detail.go). The board follows
// the journal's order.* entries, and every 30 seconds of the core's clock it paints the
// ages and the overdue marks again; the selection stays on its order.

// boardRepaint is how often the board paints its ages and overdue marks again.
const boardRepaint = 30 * time.Second

type ordersPanel struct {
	c       *Console
	site    *app.Site
	content fyne.CanvasObject

	all      []app.WorkOrder
	cols     []*orderColumn
	closedC  *orderColumn
	board    *fyne.Container
	selected int64
	painted  time.Time // the core's clock at the last paint
	// selecting: the board selects a card itself (after a refresh); its list's OnSelected
	// must not show the detail again.
	selecting bool

	search   *widget.Entry
	grid     *widget.Select
	gridIDs  []string // "" for every grid
	category *widget.Select
	catIDs   []string
	assignee *widget.Select
	whoKeys  []string // "" anyone, "-" nobody yet, team:<id>, or a user name
	overdue  *widget.Check
	closed   *widget.Check
	count    *canvas.Text
	detail   *orderDetail
}

// orderColumn is one column of the board: the orders in its states.
type orderColumn struct {
	states []app.OrderState
	title  string // English
	head   *widget.Label
	list   *widget.List
	orders []app.WorkOrder
	view   fyne.CanvasObject
}

func newOrdersPanel(c *Console) panelView {
	p := &ordersPanel{c: c, site: c.core.Inventory.Site()}
	for _, s := range []app.OrderState{app.OrderNew, app.OrderAssigned, app.OrderAccepted, app.OrderInProgress, app.OrderDone} {
		p.cols = append(p.cols, p.newColumn(orderStateText(s), s))
	}
	p.closedC = p.newColumn("Closed recently", app.OrderClosed, app.OrderCancelled, app.OrderMerged)

	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(T("Find an order: number, text, place, person…"))
	p.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	p.search.OnChanged = func(string) { p.refresh() }

	p.grid = widget.NewSelect(nil, func(string) { p.refresh() })
	p.category = widget.NewSelect(nil, func(string) { p.refresh() })
	p.assignee = widget.NewSelect(nil, func(string) { p.refresh() })
	p.fillFilters()
	p.overdue = widget.NewCheck(T("Overdue only"), func(bool) { p.refresh() })
	p.closed = widget.NewCheck(T("Closed recently"), func(bool) { p.layoutBoard(); p.refresh() })
	p.count = muted("")

	tools := container.NewHBox(p.grid, p.category, p.assignee, p.overdue, p.closed)
	if op := c.Operator(); op != nil && op.Role.Can(app.ActOrderReport) {
		tools.Add(widget.NewSeparator())
		tools.Add(widget.NewButtonWithIcon(T("New order…"), theme.ContentAddIcon(), c.showNewOrder))
	}
	top := container.NewVBox(container.NewBorder(nil, nil, heading(T("Work orders")), p.count, p.search), tools)

	p.detail = newOrderDetail(c)
	p.board = container.NewGridWithColumns(len(p.cols))
	p.layoutBoard()
	split := container.NewHSplit(p.board, container.NewPadded(p.detail.content))
	split.Offset = 0.64
	p.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
	p.refresh()
	return p
}

func (p *ordersPanel) Object() fyne.CanvasObject { return p.content }

func (p *ordersPanel) newColumn(title string, states ...app.OrderState) *orderColumn {
	col := &orderColumn{states: states, title: title, head: widget.NewLabel(T(title))}
	col.head.TextStyle.Bold = true
	col.head.Truncation = fyne.TextTruncateEllipsis
	col.list = widget.NewList(
		func() int { return len(col.orders) },
		func() fyne.CanvasObject { return newOrderCard() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(col.orders) {
				card := o.(*orderCard)
				card.set(p.c, &col.orders[i], p.c.core.Clock.Now())
				card.onTap = func() { p.tapCard(col, i) }
			}
		})
	col.list.OnSelected = func(i widget.ListItemID) {
		if i >= len(col.orders) || p.selecting {
			return
		}
		p.choose(col.orders[i].ID, col)
	}
	bg := canvas.NewRectangle(themeColor(colorPanel))
	bg.CornerRadius = 6
	col.view = container.NewStack(bg, container.NewBorder(col.head, nil, nil, nil, col.list))
	return col
}

// layoutBoard shows the columns (the closed one when asked).
func (p *ordersPanel) layoutBoard() {
	var objs []fyne.CanvasObject
	for _, col := range p.columns() {
		objs = append(objs, col.view)
	}
	p.board.Layout = container.NewGridWithColumns(len(objs)).Layout
	p.board.Objects = objs
	p.board.Refresh()
}

func (p *ordersPanel) columns() []*orderColumn {
	if p.closed != nil && p.closed.Checked {
		return append(append([]*orderColumn(nil), p.cols...), p.closedC)
	}
	return p.cols
}

// fillFilters (re)builds the filters' choices (the set-up and the orders change them),
// keeping what is chosen.
func (p *ordersPanel) fillFilters() {
	en := english()
	gridOpts, gridIDs := []string{T("All grids")}, []string{""}
	if p.site != nil {
		for _, g := range p.site.Grids {
			gridOpts, gridIDs = append(gridOpts, g.Display(en)), append(gridIDs, g.ID)
		}
	}
	p.gridIDs = gridIDs
	setOptions(p.grid, gridOpts)

	setup := p.c.core.Orders.Setup()
	catOpts, catIDs := []string{T("All categories")}, []string{""}
	for _, cat := range setup.Categories {
		catOpts, catIDs = append(catOpts, cat.Display(en)), append(catIDs, cat.ID)
	}
	p.catIDs = catIDs
	setOptions(p.category, catOpts)

	whoOpts, whoKeys := []string{T("Anyone"), T("Not assigned")}, []string{"", "-"}
	for _, t := range setup.Teams {
		whoOpts, whoKeys = append(whoOpts, T("Team {{.Name}}", map[string]any{"Name": t.Display(en)})), append(whoKeys, "team:"+t.ID)
	}
	people := map[string]bool{}
	for _, o := range p.c.core.Orders.List() {
		if o.Assignee != "" {
			people[o.Assignee] = true
		}
	}
	for _, t := range setup.Teams {
		for _, m := range t.Members {
			people[m] = true
		}
	}
	var users []string
	for u := range people {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		whoOpts, whoKeys = append(whoOpts, p.c.personName(u)), append(whoKeys, u)
	}
	p.whoKeys = whoKeys
	setOptions(p.assignee, whoOpts)
}

// setOptions replaces a filter's choices, keeping the one chosen (the first when it is gone),
// without running its OnChanged.
func setOptions(s *widget.Select, opts []string) {
	cur := s.Selected
	cb := s.OnChanged
	s.OnChanged = nil
	s.Options = opts
	if cur == "" || !contains(opts, cur) {
		s.SetSelectedIndex(0)
	} else {
		s.SetSelected(cur)
	}
	s.Refresh()
	s.OnChanged = cb
}

// passes reports whether an order passes the filters.
func (p *ordersPanel) passes(o *app.WorkOrder, now time.Time) bool {
	if i := p.grid.SelectedIndex(); i > 0 && o.Place.GridID != p.gridIDs[i] {
		return false
	}
	if i := p.category.SelectedIndex(); i > 0 && o.Category != p.catIDs[i] {
		return false
	}
	if i := p.assignee.SelectedIndex(); i > 0 {
		switch k := p.whoKeys[i]; {
		case k == "-":
			if o.Team != "" || o.Assignee != "" {
				return false
			}
		case strings.HasPrefix(k, "team:"):
			if "team:"+o.Team != k {
				return false
			}
		default:
			if o.Assignee != k {
				return false
			}
		}
	}
	if p.overdue.Checked && !o.Overdue(now) {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(p.search.Text)); q != "" {
		return strings.Contains(strings.ToLower(p.searchText(o)), q)
	}
	return true
}

// searchText is what the search box looks through.
func (p *ordersPanel) searchText(o *app.WorkOrder) string {
	return strings.Join([]string{o.Number(), strconv.FormatInt(o.ID, 10), o.Text, orderText(o), o.ProofNote, p.c.orderCategoryName(o.Category),
		orderPlaceText(o, p.site), orderGridName(o.Place.GridID, p.site), p.c.orderAssignee(o), o.Assignee, o.Place.Flat}, "\n")
}

// refresh reads the orders again, sorts them into the columns and keeps the selection.
func (p *ordersPanel) refresh() {
	now := p.c.core.Clock.Now()
	p.painted = now
	p.all = p.c.core.Orders.List()
	for _, col := range append(append([]*orderColumn(nil), p.cols...), p.closedC) {
		col.orders = col.orders[:0]
	}
	shown, overdue := 0, 0
	for _, o := range p.all {
		if o.Overdue(now) {
			overdue++
		}
		if !p.passes(&o, now) {
			continue
		}
		for _, col := range p.columns() {
			if containsState(col.states, o.State) {
				col.orders = append(col.orders, o)
				shown++
			}
		}
	}
	for _, col := range p.columns() {
		sortBoard(col.orders, now, col == p.closedC)
		col.head.SetText(T(col.title) + "  " + strconv.Itoa(len(col.orders)))
		col.list.Refresh()
	}
	p.count.Text = T("{{.N}} open, {{.Late}} overdue", map[string]any{"N": len(p.c.core.Orders.Open()), "Late": overdue})
	p.count.Refresh()
	p.reselect()
}

func containsState(list []app.OrderState, s app.OrderState) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sortBoard puts the most pressing first: overdue, then by priority, then the longest
// waiting; closed orders the latest closed first.
func sortBoard(list []app.WorkOrder, now time.Time, closed bool) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := &list[i], &list[j]
		if closed {
			return a.ClosedOrCreated().After(b.ClosedOrCreated())
		}
		if la, lb := a.Overdue(now), b.Overdue(now); la != lb {
			return la
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
}

// reselect marks the selected order's card again after a refresh and shows its latest
// version beside the board (also when the filters hide its card).
func (p *ordersPanel) reselect() {
	p.selecting = true
	defer func() { p.selecting = false }()
	for _, col := range p.columns() {
		found := -1
		for i, o := range col.orders {
			if o.ID == p.selected {
				found = i
			}
		}
		if found >= 0 {
			col.list.Select(found)
		} else {
			col.list.UnselectAll()
		}
	}
	if p.selected == 0 {
		return
	}
	for _, o := range p.all {
		if o.ID == p.selected {
			p.detail.show(o)
			return
		}
	}
	p.detail.reload(p.selected, "") // closed long ago: from the store
}

// tapCard selects a card tapped. The card takes the tap itself, not its list: a list
// tapped keeps the keyboard, and F2 (the intake form) and the panels' keys would not reach
// the window.
func (p *ordersPanel) tapCard(col *orderColumn, i int) {
	if i >= len(col.orders) {
		return
	}
	col.list.Select(i) // OnSelected: choose
	if p.selected != col.orders[i].ID {
		p.choose(col.orders[i].ID, col)
	}
}

// choose selects an order (its card tapped).
func (p *ordersPanel) choose(id int64, in *orderColumn) {
	p.selected = id
	p.selecting = true
	for _, col := range p.columns() {
		if col != in {
			col.list.UnselectAll()
		}
	}
	p.selecting = false
	for _, o := range p.all {
		if o.ID == id {
			p.detail.show(o)
		}
	}
	p.c.win.Canvas().Unfocus()
}

// focusOrder selects an order from elsewhere (the map, the alarm desk, the header): the
// filters that hide it are cleared, the closed column shown when it is closed.
func (p *ordersPanel) focusOrder(id int64) {
	p.selected = id
	o, err := p.c.core.Orders.Get(context.Background(), id)
	if err == nil {
		now := p.c.core.Clock.Now()
		if !p.passes(&o, now) {
			p.clearFilters()
		}
		if !o.State.Open() && !p.closed.Checked {
			p.closed.SetChecked(true) // lays the board out again and refreshes
		}
	}
	p.refresh()
}

// showOverdue filters the board to the overdue orders (the header's counter).
func (p *ordersPanel) showOverdue() {
	p.clearFilters()
	p.overdue.SetChecked(true)
}

func (p *ordersPanel) clearFilters() {
	for _, s := range []*widget.Select{p.grid, p.category, p.assignee} {
		cb := s.OnChanged
		s.OnChanged = nil
		s.SetSelectedIndex(0)
		s.OnChanged = cb
	}
	p.search.OnChanged = nil
	p.search.SetText("")
	p.search.OnChanged = func(string) { p.refresh() }
	p.overdue.OnChanged = nil
	p.overdue.SetChecked(false)
	p.overdue.OnChanged = func(bool) { p.refresh() }
	p.refresh()
}

// OnEntry follows the orders and their set-up.
func (p *ordersPanel) OnEntry(e app.Entry) {
	switch {
	case e.Kind.IsOrder():
		if e.Kind == app.KindOrderCreated || e.Kind == app.KindOrderAssigned || e.Kind == app.KindOrderAccepted {
			p.fillFilters() // a new assignee to filter by
		}
		p.refresh()
	case e.Kind == app.KindOrderSetupChanged:
		p.fillFilters()
		p.refresh()
	}
}

// Tick paints the ages and the overdue marks again every boardRepaint of the core's clock.
func (p *ordersPanel) Tick() {
	if now := p.c.core.Clock.Now(); now.Sub(p.painted) >= boardRepaint || now.Before(p.painted) {
		p.refresh()
	}
	p.detail.tick()
}

// --- a card of the board ---

type orderCard struct {
	widget.BaseWidget
	bg       *canvas.Rectangle
	prio     *badge
	number   *widget.Label
	category *widget.Label
	place    *widget.Label
	who      *widget.Label
	age      *widget.Label
	box      fyne.CanvasObject
	onTap    func()
}

func newOrderCard() *orderCard {
	label := func(bold bool) *widget.Label {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		l.TextStyle.Bold = bold
		return l
	}
	r := &orderCard{bg: canvas.NewRectangle(color.Transparent), prio: newBadge("P3", themeColor(colorP3)),
		number: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), category: label(true), place: label(false), who: label(false), age: label(false)}
	r.bg.CornerRadius = 4
	r.place.SizeName = theme.SizeNameCaptionText
	r.who.SizeName = theme.SizeNameCaptionText
	r.age.SizeName = theme.SizeNameCaptionText
	r.age.Alignment = fyne.TextAlignTrailing
	// [P2] #6          2 h 48 min late
	// Fire hazard
	// Building 2 unit 2 · Grid 1
	// Grid 1 team
	top := container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(r.prio), r.number), nil, r.age)
	r.box = container.NewStack(r.bg, container.New(&tightVBox{}, top, r.category, r.place, r.who))
	r.ExtendBaseWidget(r)
	return r
}

func (r *orderCard) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

// Tapped selects the card's order.
func (r *orderCard) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func (r *orderCard) set(c *Console, o *app.WorkOrder, now time.Time) {
	site := c.core.Inventory.Site()
	r.prio.Set(o.Priority.String(), priorityColor(o.Priority))
	r.number.SetText(o.Number())
	r.category.SetText(c.orderCategoryName(o.Category))
	place := orderPlaceText(o, site)
	if g := orderGridName(o.Place.GridID, site); o.Place.Building != "" && g != "" {
		place += " · " + g
	}
	r.place.SetText(place)
	r.who.SetText(c.orderAssignee(o))
	// Beside the number: how late an overdue order is (red), else how old it is.
	late := orderLateShort(o, now)
	r.age.Importance, r.age.TextStyle.Bold = widget.MediumImportance, false
	switch {
	case late != "":
		r.age.Importance, r.age.TextStyle.Bold = widget.DangerImportance, true
		r.age.SetText(late)
	case !o.State.Open():
		r.age.SetText(T(orderStateText(o.State)))
	default:
		r.age.SetText(c.orderAge(o))
	}
	r.age.Refresh()
	if late != "" { // an overdue order's card is red until it is taken care of
		r.bg.FillColor = withAlpha(themeColor(colorP1), 0x48)
	} else {
		r.bg.FillColor = color.Transparent // the list's selection and hover show through
	}
	r.bg.Refresh()
}

// tightVBox stacks its objects with no space between them (a card's lines).
type tightVBox struct{}

func (l *tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w, h := float32(0), float32(0)
	for _, o := range objs {
		s := o.MinSize()
		w, h = max(w, s.Width), h+s.Height-theme.Padding()
	}
	return fyne.NewSize(w, h+theme.Padding())
}

func (l *tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - theme.Padding()
	}
}
