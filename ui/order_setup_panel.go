package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// orderSetupPanel is where administrators edit the work orders' set-up (工单设置): the
// categories with their time limits, the teams who take orders (with their group chat
// robots), the dispatch rules in the order they are tried, the fallback and the property
// manager. The panel edits a copy; Save hands the whole copy to the core
// (WorkOrders.SaveSetup), which refuses a rule that cannot match anything with the reason:
// then every problem is listed in the operator's language and nothing is saved. A robot's
// webhook and secret are write-only, like cameras' passwords: shown masked, a blank field
// keeps the saved one.
type orderSetupPanel struct {
	c        *Console
	obj      fyne.CanvasObject
	s        app.OrderSetup // the copy being edited
	saved    app.OrderSetup // as the core has it (the robots' saved keys; undo)
	dirty    bool
	accounts []app.Operator // enabled accounts, by user name

	cats, teams, rules          *widget.List
	catSel, teamSel, ruleSel    int
	catForm, teamForm, ruleForm *fyne.Container
	fallback                    *fyne.Container
	save                        *widget.Button
	status                      *writeStatus
	problems                    *widget.Label
	loaded                      int // how many times the accounts were read (tests wait for it)
}

func newOrderSetupPanel(c *Console) panelView {
	p := &orderSetupPanel{c: c, status: newWriteStatusInline(), catSel: -1, teamSel: -1, ruleSel: -1,
		catForm: container.NewStack(), teamForm: container.NewStack(), ruleForm: container.NewStack(), fallback: container.NewStack()}
	p.problems = widget.NewLabel("")
	p.problems.Importance = widget.DangerImportance
	p.problems.Wrapping = fyne.TextWrapWord
	p.problems.Hide()

	p.cats = p.list(func() int { return len(p.s.Categories) }, func(i int) string {
		c := p.s.Categories[i]
		return c.Priority.String() + "  " + c.Display(english()) + "  (" + c.ID + ")"
	}, &p.catSel, p.showCategory)
	p.teams = p.list(func() int { return len(p.s.Teams) }, func(i int) string {
		t := p.s.Teams[i]
		return t.Display(english()) + "  " + T("{{.N}} members", map[string]any{"N": len(t.Members)})
	}, &p.teamSel, p.showTeam)
	p.rules = p.list(func() int { return len(p.s.Rules) }, func(i int) string {
		return fmt.Sprintf("%d. %s", i+1, p.ruleSummary(p.s.Rules[i]))
	}, &p.ruleSel, p.showRule)

	tabs := container.NewAppTabs(
		container.NewTabItem(T("Categories"), p.editor(p.cats, p.catForm, p.addCategory, p.removeCategory, nil)),
		container.NewTabItem(T("Teams"), p.editor(p.teams, p.teamForm, p.addTeam, p.removeTeam, nil)),
		container.NewTabItem(T("Dispatch rules"), p.editor(p.rules, p.ruleForm, p.addRule, p.removeRule, p.moveRule)),
		container.NewTabItem(T("Fallback and escalation"), container.NewVScroll(container.NewPadded(p.fallback))),
	)
	p.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), p.submit)
	p.save.Importance = widget.HighImportance
	undo := widget.NewButtonWithIcon(T("Undo changes"), theme.ContentUndoIcon(), func() { p.load(p.c.core.Orders.Setup()) })
	note := widget.NewLabel(T("New orders are given by the first dispatch rule that matches them, else by the fallback. A rule that cannot match anything is refused with the reason, and nothing is saved."))
	note.Wrapping = fyne.TextWrapWord
	bottom := container.NewVBox(p.problems, container.NewHBox(p.save, undo, p.status.content))
	p.obj = container.NewPadded(container.NewBorder(note, bottom, nil, nil, tabs))
	p.load(c.core.Orders.Setup())
	p.loadAccounts()
	return p
}

func (p *orderSetupPanel) Object() fyne.CanvasObject { return p.obj }

// OnEntry shows a set-up saved elsewhere, unless this one is being edited (the panel's own
// save is shown already: nothing new then).
func (p *orderSetupPanel) OnEntry(e app.Entry) {
	if e.Kind != app.KindOrderSetupChanged || p.dirty {
		return
	}
	if s := p.c.core.Orders.Setup(); !sameSetup(s, p.saved) {
		p.load(s)
	}
}

// sameSetup reports whether two set-ups say the same.
func sameSetup(a, b app.OrderSetup) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// load shows a set-up as the core has it; what was selected stays selected when it is
// still there (by its ID).
func (p *orderSetupPanel) load(s app.OrderSetup) {
	var cat, team, rule string
	if p.catSel >= 0 && p.catSel < len(p.s.Categories) {
		cat = p.s.Categories[p.catSel].ID
	}
	if p.teamSel >= 0 && p.teamSel < len(p.s.Teams) {
		team = p.s.Teams[p.teamSel].ID
	}
	if p.ruleSel >= 0 && p.ruleSel < len(p.s.Rules) {
		rule = p.s.Rules[p.ruleSel].ID
	}
	p.saved = s
	p.s = copySetup(s)
	p.dirty = false
	p.problems.Hide()
	p.catSel, p.teamSel, p.ruleSel = -1, -1, -1
	for _, l := range []*widget.List{p.cats, p.teams, p.rules} {
		l.UnselectAll()
		l.Refresh()
	}
	for _, f := range []*fyne.Container{p.catForm, p.teamForm, p.ruleForm} {
		setForm(f, container.NewCenter(widget.NewLabel(T("Select one on the left, or add one"))))
	}
	p.showFallback()
	for i, c := range p.s.Categories {
		if c.ID == cat {
			p.cats.Select(i)
		}
	}
	for i, t := range p.s.Teams {
		if t.ID == team {
			p.teams.Select(i)
		}
	}
	for i, r := range p.s.Rules {
		if r.ID == rule {
			p.rules.Select(i)
		}
	}
}

// copySetup is a deep copy: the panel's edits never touch the core's set-up.
func copySetup(s app.OrderSetup) app.OrderSetup {
	var c app.OrderSetup
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &c)
	return c
}

// changed marks the copy edited and says so.
func (p *orderSetupPanel) changed() {
	p.dirty = true
	p.status.say(T("Not saved yet"))
}

// loadAccounts reads the accounts off the UI thread: the people a team, a rule or the
// fallback may name.
func (p *orderSetupPanel) loadAccounts() {
	op := p.c.Operator()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		ops, err := p.c.core.Accounts.List(ctx, op)
		cancel()
		p.c.onUI(func() {
			p.loaded++
			if err != nil {
				p.status.fail(err)
				return
			}
			p.accounts = p.accounts[:0]
			for _, o := range ops {
				if !o.Disabled {
					p.accounts = append(p.accounts, o)
				}
			}
			sort.Slice(p.accounts, func(i, j int) bool { return p.accounts[i].Username < p.accounts[j].Username })
			p.showFallback()
			p.reshow()
		})
	}()
}

// reshow builds the forms shown again (the choices they offer changed).
func (p *orderSetupPanel) reshow() {
	if p.teamSel >= 0 {
		p.showTeam(p.teamSel)
	}
	if p.ruleSel >= 0 {
		p.showRule(p.ruleSel)
	}
}

// people are the accounts offered: those that may take orders (workers), or every enabled one.
func (p *orderSetupPanel) people(workers bool) (ids, labels []string) {
	for _, o := range p.accounts {
		if workers && !o.Role.Can(app.ActOrderWork) {
			continue
		}
		ids = append(ids, o.Username)
		labels = append(labels, o.Name+" · "+T(o.Role.Label()))
	}
	return ids, labels
}

// list is one of the lists on the left.
func (p *orderSetupPanel) list(n func() int, text func(int) string, sel *int, show func(int)) *widget.List {
	l := widget.NewList(n, func() fyne.CanvasObject {
		lb := widget.NewLabel("")
		lb.Truncation = fyne.TextTruncateEllipsis
		return lb
	},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < n() {
				o.(*widget.Label).SetText(text(i))
			}
		})
	l.OnSelected = func(i widget.ListItemID) {
		*sel = i
		show(i)
	}
	return l
}

// editor is a tab: the list with its buttons on the left, the form of the selected one.
func (p *orderSetupPanel) editor(l *widget.List, form *fyne.Container, add, remove func(), move func(int)) fyne.CanvasObject {
	buttons := container.NewHBox(widget.NewButtonWithIcon(T("Add"), theme.ContentAddIcon(), add),
		widget.NewButtonWithIcon(T("Remove"), theme.DeleteIcon(), remove))
	if move != nil {
		buttons.Add(widget.NewButtonWithIcon(T("Move up"), theme.MoveUpIcon(), func() { move(-1) }))
		buttons.Add(widget.NewButtonWithIcon(T("Move down"), theme.MoveDownIcon(), func() { move(1) }))
	}
	left := container.NewBorder(nil, buttons, nil, nil, l)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(form)))
	split.Offset = 0.34
	return split
}

func setForm(f *fyne.Container, o fyne.CanvasObject) {
	f.Objects = []fyne.CanvasObject{o}
	f.Refresh()
}

// submit saves the copy through the core; its problems are listed, nothing saved.
func (p *orderSetupPanel) submit() {
	s := copySetup(p.s)
	p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			return p.c.core.Orders.SaveSetup(ctx, op, s)
		},
		status: p.status, lock: []fyne.Disableable{p.save}, saved: T("Saved"),
		done: func() { p.load(p.c.core.Orders.Setup()) },
		notSaved: func(string) string {
			return T("Nothing was saved: the problems are listed below")
		},
		failed: func(err error) {
			var lines []string
			for _, e := range app.ProblemsOf(err) {
				lines = append(lines, "• "+ErrText(e))
			}
			if len(lines) == 0 {
				lines = append(lines, ErrText(err))
			}
			p.problems.SetText(strings.Join(lines, "\n"))
			p.problems.Show()
		},
	})
}

// freeID is an ID not taken yet: prefix-1, prefix-2, …
func freeID(prefix string, taken func(string) bool) string {
	return nextID(taken, prefix+"-", 1)
}

func (p *orderSetupPanel) addCategory() {
	id := freeID("category", func(id string) bool { _, ok := p.s.Category(id); return ok })
	p.s.Categories = append(p.s.Categories, app.OrderCategory{ID: id, Names: app.Names{Name: T("New category")}, Priority: app.P3,
		AcceptWithin: app.Duration(2 * 3600e9), DoneWithin: app.Duration(48 * 3600e9), VerifiedBy: app.RoleOperator})
	p.added(p.cats, len(p.s.Categories))
}

func (p *orderSetupPanel) removeCategory() {
	if i := p.catSel; i >= 0 && i < len(p.s.Categories) {
		p.s.Categories = append(p.s.Categories[:i], p.s.Categories[i+1:]...)
		p.removed(p.cats, &p.catSel, p.catForm)
	}
}

func (p *orderSetupPanel) addTeam() {
	id := freeID("team", func(id string) bool { _, ok := p.s.Team(id); return ok })
	p.s.Teams = append(p.s.Teams, app.Team{ID: id, Names: app.Names{Name: T("New team")}})
	p.added(p.teams, len(p.s.Teams))
	p.showFallback()
}

func (p *orderSetupPanel) removeTeam() {
	if i := p.teamSel; i >= 0 && i < len(p.s.Teams) {
		p.s.Teams = append(p.s.Teams[:i], p.s.Teams[i+1:]...)
		p.removed(p.teams, &p.teamSel, p.teamForm)
		p.showFallback()
	}
}

func (p *orderSetupPanel) addRule() {
	id := freeID("rule", func(id string) bool {
		for _, r := range p.s.Rules {
			if r.ID == id {
				return true
			}
		}
		return false
	})
	r := app.DispatchRule{ID: id}
	if len(p.s.Teams) > 0 {
		r.Team = p.s.Teams[0].ID
	}
	p.s.Rules = append(p.s.Rules, r)
	p.added(p.rules, len(p.s.Rules))
}

func (p *orderSetupPanel) removeRule() {
	if i := p.ruleSel; i >= 0 && i < len(p.s.Rules) {
		p.s.Rules = append(p.s.Rules[:i], p.s.Rules[i+1:]...)
		p.removed(p.rules, &p.ruleSel, p.ruleForm)
	}
}

// moveRule moves the selected rule up (-1) or down (+1): rules are tried in order.
func (p *orderSetupPanel) moveRule(by int) {
	i, j := p.ruleSel, p.ruleSel+by
	if i < 0 || j < 0 || j >= len(p.s.Rules) {
		return
	}
	p.s.Rules[i], p.s.Rules[j] = p.s.Rules[j], p.s.Rules[i]
	p.changed()
	p.rules.Refresh()
	p.rules.Select(j)
}

// added selects the thing just added at the end of a list.
func (p *orderSetupPanel) added(l *widget.List, n int) {
	p.changed()
	l.Refresh()
	l.Select(n - 1)
}

// removed clears the form of the thing removed.
func (p *orderSetupPanel) removed(l *widget.List, sel *int, form *fyne.Container) {
	p.changed()
	*sel = -1
	l.UnselectAll()
	l.Refresh()
	setForm(form, container.NewCenter(widget.NewLabel(T("Select one on the left, or add one"))))
}

// showFallback builds the tab of the fallback and the property manager.
func (p *orderSetupPanel) showFallback() {
	teamIDs, teamNames := p.teamChoices()
	team := newChoice(T("(no team)"), teamIDs, teamNames, p.s.FallbackTeam)
	team.sel.OnChanged = func(string) {
		if p.s.FallbackTeam != team.id() {
			p.s.FallbackTeam = team.id()
			p.changed()
		}
	}
	ids, labels := p.people(true)
	person := newChoice(T("(nobody)"), ids, labels, p.s.FallbackPerson)
	person.sel.OnChanged = func(string) {
		if p.s.FallbackPerson != person.id() {
			p.s.FallbackPerson = person.id()
			p.changed()
		}
	}
	ids, labels = p.people(false)
	manager := newChoice(T("(nobody)"), ids, labels, p.s.PropertyManager)
	manager.sel.OnChanged = func(string) {
		if p.s.PropertyManager != manager.id() {
			p.s.PropertyManager = manager.id()
			p.changed()
		}
	}
	form := widget.NewForm(
		widget.NewFormItem(T("Fallback team"), team.sel),
		widget.NewFormItem(T("Fallback person"), person.sel),
		widget.NewFormItem(T("Property manager"), manager.sel),
	)
	hint := widget.NewLabel(T("What no rule matches goes to the fallback (a team or a person); with none, it waits on the board for an operator. An overdue order escalates to its grid team's leader, then to the property manager."))
	hint.Wrapping = fyne.TextWrapWord
	setForm(p.fallback, container.NewVBox(hint, form))
}

// teamChoices are the teams of the copy, by ID and name.
func (p *orderSetupPanel) teamChoices() (ids, names []string) {
	for _, t := range p.s.Teams {
		ids, names = append(ids, t.ID), append(names, t.Display(english()))
	}
	return ids, names
}

// ruleSummary says a rule in a line: "Fire hazard, Clutter · Grid 1 · Mon–Fri 08:00–18:00 → team 第一网格".
func (p *orderSetupPanel) ruleSummary(r app.DispatchRule) string {
	var parts []string
	if len(r.Categories) == 0 {
		parts = append(parts, T("any category"))
	} else {
		var names []string
		for _, id := range r.Categories {
			if c, ok := p.s.Category(id); ok {
				names = append(names, c.Display(english()))
			} else {
				names = append(names, id)
			}
		}
		parts = append(parts, strings.Join(names, T(", ")))
	}
	var where []string
	for _, g := range r.Grids {
		where = append(where, p.gridName(g))
	}
	for _, b := range r.Buildings {
		where = append(where, p.buildingName(b))
	}
	if len(where) > 0 {
		parts = append(parts, strings.Join(where, T(", ")))
	}
	if r.Hours != nil {
		parts = append(parts, windowText(*r.Hours))
	}
	to := p.personName(r.Person)
	if r.Team != "" {
		to = r.Team
		if t, ok := p.s.Team(r.Team); ok {
			to = t.Display(english())
		}
		to = T("team {{.Name}}", map[string]any{"Name": to})
	}
	if to == "" {
		to = T("(nobody)")
	}
	return strings.Join(parts, " · ") + " → " + to
}

// gridName is a grid's name, or its ID when the site has no such grid (any more).
func (p *orderSetupPanel) gridName(id string) string {
	if site := p.c.core.Inventory.Site(); site != nil {
		if g, ok := site.Grid(id); ok {
			return g.Display(english())
		}
	}
	return id
}

// buildingName is a building's name, or its ID when the site has no such building.
func (p *orderSetupPanel) buildingName(id string) string {
	if site := p.c.core.Inventory.Site(); site != nil {
		if b, ok := site.Building(id); ok {
			return b.Display(english())
		}
	}
	return id
}

// personName is an account's name, or the user name when there is no such enabled account.
func (p *orderSetupPanel) personName(user string) string {
	for _, o := range p.accounts {
		if o.Username == user {
			return o.Name
		}
	}
	return user
}
