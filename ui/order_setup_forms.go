package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The forms of the order set-up panel: a category, a team, a dispatch rule. Each edit is
// written into the panel's copy at once (nothing reaches the core before Save); a field
// that cannot be read says so under it and leaves the copy as it was.

// checkSet is a set of check boxes in columns over ids (labelled), ticked for selected; an
// ID selected that is not among ids (a grid the site no longer has) is shown too, labelled
// by unknown, so that it can be unticked. onChange gets the ticked IDs in the offered order.
func checkSet(ids, labels, selected []string, cols int, unknown func(id string) string, onChange func([]string)) fyne.CanvasObject {
	ids, labels = slices.Clone(ids), slices.Clone(labels)
	for _, s := range selected {
		if !slices.Contains(ids, s) {
			ids, labels = append(ids, s), append(labels, unknown(s))
		}
	}
	checks := make([]*widget.Check, len(ids))
	objs := make([]fyne.CanvasObject, len(ids))
	for i := range ids {
		checks[i] = widget.NewCheck(labels[i], nil)
		checks[i].SetChecked(slices.Contains(selected, ids[i]))
		objs[i] = checks[i]
	}
	for _, ch := range checks {
		ch.OnChanged = func(bool) {
			var on []string
			for i, c := range checks {
				if c.Checked {
					on = append(on, ids[i])
				}
			}
			onChange(on)
		}
	}
	if len(objs) == 0 {
		return muted(T("(none on this site)"))
	}
	return container.NewGridWithColumns(cols, objs...)
}

// problemLine is the line under a field that says why what was typed is not taken.
func problemLine() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func sayField(l *widget.Label, err error) {
	if err == nil {
		l.Hide()
		return
	}
	l.SetText(ErrText(err))
	l.Show()
}

// idEntry is the ID of a thing: typed for a new one, fixed once saved (orders and rules
// name it).
func idEntry(id string, saved bool, set func(string)) *widget.Entry {
	e := newEntryWith(id)
	if saved {
		e.Disable()
	}
	e.OnChanged = func(s string) { set(app.PlainASCII(strings.TrimSpace(s))) }
	return e
}

// namesFields are the name in Chinese and in English.
func namesFields(n *app.Names, changed func()) (*widget.Entry, *widget.Entry) {
	zh, en := newEntryWith(n.Name), newEntryWith(n.NameEn)
	zh.OnChanged = func(s string) { n.Name = s; changed() }
	en.OnChanged = func(s string) { n.NameEn = s; changed() }
	return zh, en
}

// limitEntry is a time limit typed as 30m, 2h or 1h30m (plans_editor.go reads it).
func limitEntry(d *app.Duration, changed func()) (*widget.Entry, *widget.Label) {
	e, bad := newEntryWith(limitText(d.D())), problemLine()
	e.SetPlaceHolder("2h")
	e.OnChanged = func(s string) {
		v, err := parseLimit(s)
		if err != nil {
			sayField(bad, err)
			return
		}
		sayField(bad, nil)
		*d = app.Duration(v)
		changed()
	}
	return e, bad
}

// showCategory shows the form of category i.
func (p *orderSetupPanel) showCategory(i int) {
	if i < 0 || i >= len(p.s.Categories) {
		return
	}
	c := &p.s.Categories[i]
	changed := func() { p.changed(); p.cats.RefreshItem(i) }
	_, saved := p.saved.Category(c.ID)
	id := idEntry(c.ID, saved, func(s string) { c.ID = s; changed() })
	zh, en := namesFields(&c.Names, changed)
	prios := []string{"P1", "P2", "P3", "P4"}
	prio := widget.NewSelect(prios, nil)
	prio.SetSelectedIndex(int(c.Priority) - 1)
	prio.OnChanged = func(string) { c.Priority = app.Priority(prio.SelectedIndex() + 1); changed() }
	accept, acceptBad := limitEntry(&c.AcceptWithin, changed)
	done, doneBad := limitEntry(&c.DoneWithin, changed)
	roles := make([]string, len(app.Roles))
	for k, r := range app.Roles {
		roles[k] = T(r.Label())
	}
	verify := widget.NewSelect(roles, nil)
	verify.SetSelectedIndex(slices.Index(app.Roles, c.VerifiedBy))
	verify.OnChanged = func(string) {
		if k := verify.SelectedIndex(); k >= 0 {
			c.VerifiedBy = app.Roles[k]
			changed()
		}
	}
	photo := widget.NewCheck(T("A photo of the result is required"), nil)
	photo.SetChecked(c.PhotoRequired)
	photo.OnChanged = func(on bool) { c.PhotoRequired = on; changed() }
	setForm(p.catForm, widget.NewForm(
		widget.NewFormItem(T("Identifier"), id),
		widget.NewFormItem(T("Name"), zh),
		widget.NewFormItem(T("Name (English)"), en),
		widget.NewFormItem(T("Priority"), prio),
		widget.NewFormItem(T("Time to accept"), container.NewVBox(accept, acceptBad)),
		widget.NewFormItem(T("Time to finish"), container.NewVBox(done, doneBad)),
		widget.NewFormItem(T("Verified by"), verify),
		widget.NewFormItem("", photo),
	))
}

// robotKinds are the group chat robots a team may have ("" none).
var robotKinds = []string{"", "wecom", "dingtalk"}

func robotKindLabel(k string) string {
	switch k {
	case "wecom":
		return T("WeCom (企业微信)")
	case "dingtalk":
		return T("DingTalk (钉钉)")
	}
	return T("None")
}

// showTeam shows the form of team i.
func (p *orderSetupPanel) showTeam(i int) {
	if i < 0 || i >= len(p.s.Teams) {
		return
	}
	t := &p.s.Teams[i]
	changed := func() { p.changed(); p.teams.RefreshItem(i) }
	savedTeam, saved := p.saved.Team(t.ID)
	id := idEntry(t.ID, saved, func(s string) { t.ID = s; changed() })
	zh, en := namesFields(&t.Names, changed)
	unknownPerson := func(u string) string { return T("{{.U}} (no enabled account)", map[string]any{"U": u}) }
	ids, labels := p.people(true)
	members := checkSet(ids, labels, t.Members, 2, unknownPerson, func(on []string) { t.Members = on; changed() })
	ids, labels = p.people(false)
	leader := newChoice(T("(nobody)"), ids, labels, t.Leader)
	leader.sel.OnChanged = func(string) { t.Leader = leader.id(); changed() }
	grids := checkSet(p.siteGrids(), p.siteGridNames(), t.Grids, 3, p.notOnSite, func(on []string) { t.Grids = on; changed() })

	// The robot: its webhook and secret are write-only (the saved ones are kept for a blank field).
	var orig *app.GroupRobot
	if saved && savedTeam.Robot != nil {
		orig = savedTeam.Robot
	}
	kinds := make([]string, len(robotKinds))
	for k, r := range robotKinds {
		kinds[k] = robotKindLabel(r)
	}
	kind := widget.NewSelect(kinds, nil)
	webhook, secret := widget.NewEntry(), widget.NewPasswordEntry()
	webhook.SetPlaceHolder("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
	if orig != nil {
		red := app.OrderSetup{Teams: []app.Team{{Robot: orig}}}.Redacted().Teams[0].Robot
		webhook.SetPlaceHolder(red.Webhook + "  " + T("(saved)"))
		if orig.Secret != "" {
			secret.SetPlaceHolder("•••••• " + T("(saved)"))
		}
	}
	enable := func() {
		if t.Robot == nil {
			webhook.Disable()
			secret.Disable()
		} else {
			webhook.Enable()
			secret.Enable()
		}
	}
	cur := ""
	if t.Robot != nil {
		cur = t.Robot.Kind
	}
	kind.SetSelectedIndex(max(slices.Index(robotKinds, cur), 0))
	kind.OnChanged = func(string) {
		k := robotKinds[max(kind.SelectedIndex(), 0)]
		switch {
		case k == "":
			t.Robot = nil
		case t.Robot == nil:
			t.Robot = &app.GroupRobot{Kind: k}
			if orig != nil {
				t.Robot.Webhook, t.Robot.Secret = orig.Webhook, orig.Secret
			}
			if webhook.Text != "" {
				t.Robot.Webhook = webhook.Text
			}
			if secret.Text != "" {
				t.Robot.Secret = secret.Text
			}
		default:
			t.Robot.Kind = k
		}
		enable()
		changed()
	}
	webhook.OnChanged = func(s string) {
		if t.Robot == nil {
			return
		}
		t.Robot.Webhook = strings.TrimSpace(s)
		if t.Robot.Webhook == "" && orig != nil {
			t.Robot.Webhook = orig.Webhook // blank keeps the saved one
		}
		changed()
	}
	secret.OnChanged = func(s string) {
		if t.Robot == nil {
			return
		}
		t.Robot.Secret = strings.TrimSpace(s)
		if t.Robot.Secret == "" && orig != nil {
			t.Robot.Secret = orig.Secret
		}
		changed()
	}
	enable()
	robotHint := muted(T("Write-only: a blank field keeps the saved address or secret. DingTalk signs with the secret."))
	setForm(p.teamForm, widget.NewForm(
		widget.NewFormItem(T("Identifier"), id),
		widget.NewFormItem(T("Name"), zh),
		widget.NewFormItem(T("Name (English)"), en),
		widget.NewFormItem(T("Members"), members),
		widget.NewFormItem(T("Leader"), leader.sel),
		widget.NewFormItem(T("Grids"), grids),
		widget.NewFormItem(T("Group robot"), kind),
		widget.NewFormItem(T("Webhook"), webhook),
		widget.NewFormItem(T("Secret"), secret),
		widget.NewFormItem("", robotHint),
	))
}

// siteGrids and siteGridNames are the site's grids, by ID and by name.
func (p *orderSetupPanel) siteGrids() []string {
	var out []string
	if site := p.c.core.Inventory.Site(); site != nil {
		for _, g := range site.Grids {
			out = append(out, g.ID)
		}
	}
	return out
}

func (p *orderSetupPanel) siteGridNames() []string {
	var out []string
	for _, id := range p.siteGrids() {
		out = append(out, p.gridName(id))
	}
	return out
}

// notOnSite labels an ID the set-up names but the site no longer has.
func (p *orderSetupPanel) notOnSite(id string) string {
	return T("{{.ID}} (not on the site)", map[string]any{"ID": id})
}

// showRule shows the form of rule i.
func (p *orderSetupPanel) showRule(i int) {
	if i < 0 || i >= len(p.s.Rules) {
		return
	}
	r := &p.s.Rules[i]
	changed := func() { p.changed(); p.rules.RefreshItem(i) }
	savedRule := slices.ContainsFunc(p.saved.Rules, func(x app.DispatchRule) bool { return x.ID == r.ID })
	id := idEntry(r.ID, savedRule, func(s string) { r.ID = s; changed() })

	var catIDs, catNames []string
	for _, c := range p.s.Categories {
		catIDs, catNames = append(catIDs, c.ID), append(catNames, c.Display(english()))
	}
	unknownCat := func(id string) string { return T("{{.ID}} (no such category)", map[string]any{"ID": id}) }
	cats := checkSet(catIDs, catNames, r.Categories, 3, unknownCat, func(on []string) { r.Categories = on; changed() })
	grids := checkSet(p.siteGrids(), p.siteGridNames(), r.Grids, 3, p.notOnSite, func(on []string) { r.Grids = on; changed() })
	var bIDs, bNames []string
	if site := p.c.core.Inventory.Site(); site != nil {
		for _, b := range site.Buildings {
			bIDs, bNames = append(bIDs, b.ID), append(bNames, b.Display(english()))
		}
	}
	buildings := checkSet(bIDs, bNames, r.Buildings, 4, p.notOnSite, func(on []string) { r.Buildings = on; changed() })

	// Hours: any time, or these days and times.
	dayIDs, dayNames := make([]string, 7), make([]string, 7)
	for k, d := range weekOrder {
		dayIDs[k], dayNames[k] = d.String(), dayShort(d)
	}
	hoursBox := container.NewVBox()
	showHours := func() {
		if r.Hours == nil {
			hoursBox.Objects = nil
			hoursBox.Refresh()
			return
		}
		var on []string
		for _, d := range r.Hours.Days {
			on = append(on, d.String())
		}
		days := checkSet(dayIDs, dayNames, on, 7, func(s string) string { return s }, func(on []string) {
			r.Hours.Days = nil
			for _, d := range weekOrder {
				if slices.Contains(on, d.String()) {
					r.Hours.Days = append(r.Hours.Days, d)
				}
			}
			slices.Sort(r.Hours.Days)
			changed()
		})
		bad := problemLine()
		tod := func(v *app.TimeOfDay) *widget.Entry {
			e := newEntryWith(v.String())
			e.OnChanged = func(s string) {
				t, err := app.ParseTimeOfDay(app.PlainASCII(s))
				sayField(bad, err)
				if err == nil {
					*v = t
					changed()
				}
			}
			return e
		}
		times := container.NewHBox(widget.NewLabel(T("from")), sized(tod(&r.Hours.Start), 80), widget.NewLabel(T("to")), sized(tod(&r.Hours.End), 80))
		hoursBox.Objects = []fyne.CanvasObject{days, times, bad}
		hoursBox.Refresh()
	}
	limited := widget.NewCheck(T("Only at these hours"), nil)
	limited.SetChecked(r.Hours != nil)
	limited.OnChanged = func(on bool) {
		if on && r.Hours == nil {
			r.Hours = &app.Window{Days: []time.Weekday{1, 2, 3, 4, 5}, Start: 8 * 60, End: 18 * 60}
		} else if !on {
			r.Hours = nil
		}
		showHours()
		changed()
	}
	showHours()

	// To whom: one team or one person.
	teamIDs, teamNames := p.teamChoices()
	team := newChoice(T("(no team)"), teamIDs, teamNames, r.Team)
	ids, labels := p.people(true)
	person := newChoice(T("(nobody)"), ids, labels, r.Person)
	toTeam, toPerson := T("A team"), T("A person")
	to := widget.NewRadioGroup([]string{toTeam, toPerson}, nil)
	to.Horizontal = true
	enableTo := func() {
		if to.Selected == toPerson {
			team.sel.Disable()
			person.sel.Enable()
		} else {
			person.sel.Disable()
			team.sel.Enable()
		}
	}
	// pick takes what the form says (only once it is changed: a team the set-up no longer
	// has stays named, for the core to refuse with the reason).
	pick := func() {
		enableTo()
		if to.Selected == toPerson {
			r.Team, r.Person = "", person.id()
		} else {
			r.Team, r.Person = team.id(), ""
		}
	}
	if r.Person != "" {
		to.SetSelected(toPerson)
	} else {
		to.SetSelected(toTeam)
	}
	enableTo()
	to.OnChanged = func(string) { pick(); changed() }
	team.sel.OnChanged = func(string) { pick(); changed() }
	person.sel.OnChanged = func(string) { pick(); changed() }
	hint := muted(T("No category, grid or building ticked: any. Rules are tried from the top; the first that matches gives the order."))
	setForm(p.ruleForm, widget.NewForm(
		widget.NewFormItem(T("Identifier"), id),
		widget.NewFormItem(T("Categories"), cats),
		widget.NewFormItem(T("Grids"), grids),
		widget.NewFormItem(T("Buildings"), buildings),
		widget.NewFormItem(T("Hours"), container.NewVBox(limited, hoursBox)),
		widget.NewFormItem(T("Give to"), container.NewVBox(to, team.sel, person.sel)),
		widget.NewFormItem("", hint),
	))
}
