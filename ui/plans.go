package ui

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Plans and resources: the emergency plans (administrators and trainers create, edit,
// import and export them), the site's emergency contact network and its supply points
// (administrators edit both). Everything is checked and journaled by the core.

type plansPanel struct {
	c       *Console
	content fyne.CanvasObject
	tabs    *container.AppTabs

	plans    []app.Plan
	list     *widget.List
	selected string
	// pending is a plan being saved or imported: shown when its entry arrives.
	pending string
	detail  *fyne.Container
	newBtn  *widget.Button
	impBtn  *widget.Button

	contacts *contactsTab
	supplies *suppliesTab
}

func newPlansPanel(c *Console) panelView {
	p := &plansPanel{c: c}
	if c.core.Plans == nil {
		p.content = container.NewCenter(widget.NewLabel(T("Plans are not available")))
		return p
	}
	op := c.Operator()
	canEdit := op != nil && op.Role.Can(app.ActEditPlans)
	p.newBtn = widget.NewButtonWithIcon(T("New plan…"), theme.ContentAddIcon(), func() { p.edit(app.Plan{}, true) })
	p.impBtn = widget.NewButtonWithIcon(T("Import…"), theme.FolderOpenIcon(), p.importFile)
	if !canEdit {
		p.newBtn.Disable()
		p.impBtn.Disable()
	}
	p.list = widget.NewList(
		func() int { return len(p.plans) },
		func() fyne.CanvasObject {
			return container.NewVBox(widget.NewLabelWithStyle("Plan name template", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), muted("kinds"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.plans) {
				return
			}
			pl := p.plans[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(pl.Display(english()))
			sub := box.Objects[1].(*canvas.Text)
			sub.Text = p.planSubtitle(&pl)
			sub.Refresh()
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		if i < len(p.plans) {
			p.selected = p.plans[i].ID
			p.showPlan()
		}
	}
	p.detail = container.NewStack(container.NewCenter(widget.NewLabel(T("Select a plan to see its steps"))))
	top := container.NewVBox(heading(T("Emergency plans")), container.NewHBox(p.newBtn, p.impBtn))
	left := container.NewBorder(top, nil, nil, nil, p.list)
	split := container.NewHSplit(left, container.NewPadded(p.detail))
	split.Offset = 0.26

	p.contacts = newContactsTab(c)
	p.supplies = newSuppliesTab(c)
	p.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(T("Plans"), theme.DocumentIcon(), split),
		container.NewTabItemWithIcon(T("Contacts"), theme.AccountIcon(), p.contacts.content),
		container.NewTabItemWithIcon(T("Supplies"), theme.StorageIcon(), p.supplies.content),
	)
	p.content = p.tabs
	p.reload()
	if len(p.plans) > 0 {
		p.list.Select(0)
	}
	return p
}

func (p *plansPanel) Object() fyne.CanvasObject { return p.content }

func (p *plansPanel) planSubtitle(pl *app.Plan) string {
	var kinds []string
	for _, k := range pl.AlarmKinds {
		kinds = append(kinds, T(app.AlarmKindLabel(k)))
	}
	s := T("{{.N}} steps", map[string]any{"N": len(pl.Steps)})
	if len(kinds) > 0 {
		s += " · " + strings.Join(kinds, ", ")
	}
	if len(app.PlanMissing(pl, p.c.core.Inventory.Site())) > 0 {
		s += " · ⚠ " + T("Incomplete")
	}
	return s
}

// gapLabel names a contact the site lacks: a role in the operator's language, an ID as the
// plan wrote it.
func gapLabel(g app.ContactGap) string {
	if g.Role {
		return T(g.Label())
	}
	return g.Ref
}

// nameSep separates names in a sentence: "、" in Chinese, ", " in English.
func nameSep() string {
	if Language() == "zh-CN" {
		return "、"
	}
	return ", "
}

// missingNote says why a plan is incomplete on this site (plan_gaps.go in the core), or nil:
// whom the site lacks, and that the plan opens as it is.
func missingNote(pl *app.Plan, site *app.Site) fyne.CanvasObject {
	missing := app.PlanMissing(pl, site)
	if len(missing) == 0 {
		return nil
	}
	var names []string
	for _, g := range missing {
		names = append(names, gapLabel(g))
	}
	note := widget.NewLabel("⚠ " + T("Incomplete: the site has no contact for {{.List}}. Add them under Contacts; the plan opens as it is, and its steps say whom the site lacks.",
		map[string]any{"List": strings.Join(names, nameSep())}))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	return note
}

func (p *plansPanel) reload() {
	p.plans = p.c.core.Plans.List()
	p.list.Refresh()
	reselect(p.list, len(p.plans), func(i int) string { return p.plans[i].ID }, &p.selected, p.detail, T("Select a plan to see its steps"))
}

// OnEntry follows the plans, the contacts and the supplies.
func (p *plansPanel) OnEntry(e app.Entry) {
	if p.list == nil {
		return
	}
	switch {
	case strings.HasPrefix(string(e.Kind), "plan."):
		if p.pending != "" && e.Subject == app.SubjectPlan(p.pending) {
			p.selected, p.pending = p.pending, ""
		}
		p.reload()
		if p.selected != "" {
			p.showPlan()
		}
	case e.Kind == app.KindContactsUpdated || e.Kind == app.KindSiteImported:
		p.contacts.reload()
		// Whom the site lacks may have changed: the plans' incomplete marks with it.
		p.reload()
		if p.selected != "" {
			p.showPlan()
		}
	case strings.HasPrefix(string(e.Kind), "supplies."):
		p.supplies.reload()
	}
}

// showPlan renders the selected plan: what it is for, its levels, its steps by phase with
// whom to call and what to take (and where it is kept).
func (p *plansPanel) showPlan() {
	pl, ok := p.c.core.Plans.Get(p.selected)
	if !ok {
		return
	}
	en := english()
	op := p.c.Operator()
	canEdit := op != nil && op.Role.Can(app.ActEditPlans)
	edit := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() { p.edit(pl, false) })
	export := widget.NewButtonWithIcon(T("Export…"), theme.DocumentSaveIcon(), func() { p.exportFile(pl.ID) })
	del := widget.NewButtonWithIcon(T("Delete…"), theme.DeleteIcon(), func() { p.deletePlan(pl) })
	if !canEdit {
		edit.Disable()
		del.Disable()
	}
	body := container.NewVBox(heading(pl.Display(en)), container.NewHBox(edit, export, del))
	if note := missingNote(&pl, p.c.core.Inventory.Site()); note != nil {
		body.Add(note)
	}
	if s := pl.DisplaySummary(en); s != "" {
		body.Add(wrapLabel(s))
	}
	var kinds, roles []string
	for _, k := range pl.AlarmKinds {
		kinds = append(kinds, T(app.AlarmKindLabel(k)))
	}
	for _, r := range pl.Roles {
		roles = append(roles, T(r.Label()))
	}
	rows := []kvRow{kv("Suggested for", strings.Join(kinds, ", ")), kv("Roles", strings.Join(roles, ", ")),
		kv("Opens at", T(pl.StartLevel().Label())), kv("Version", fmt.Sprintf("%d · %s · %s", pl.Version, operatorName(pl.UpdatedBy, p.c.operatorDisplay(pl.UpdatedBy)), pl.UpdatedAt.Local().Format("2006-01-02 15:04")))}
	for _, l := range []app.Level{app.LevelI, app.LevelII, app.LevelIII, app.LevelIV} {
		if t := pl.LevelText(l, en); t != "" {
			rows = append(rows, kvRow{l.Label(), wrapLabel(t)})
		}
	}
	body.Add(details(rows))
	for _, ph := range app.Phases {
		var steps []app.Step
		for _, s := range pl.Steps {
			if s.Phase == ph {
				steps = append(steps, s)
			}
		}
		if len(steps) == 0 {
			continue
		}
		body.Add(heading(T(ph.Label())))
		for _, s := range steps {
			body.Add(p.stepCard(&pl, s))
		}
	}
	if hist, err := p.c.core.Plans.History(context.Background(), pl.ID); err == nil && len(hist) > 0 {
		body.Add(heading(T("Changes")))
		for _, e := range hist {
			body.Add(wrapMuted(fmt.Sprintf("%s  %s  %s", e.Time.Local().Format("2006-01-02 15:04:05"), T(planEntryLabel(e.Kind)),
				operatorName(e.Operator, p.c.operatorDisplay(e.Operator)))))
		}
	}
	p.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	p.detail.Refresh()
}

func planEntryLabel(k app.EntryKind) string {
	switch k {
	case app.KindPlansSeeded:
		return "Installed with the default plans"
	case app.KindPlanCreated:
		return "Created"
	case app.KindPlanUpdated:
		return "Changed"
	case app.KindPlanImported:
		return "Imported"
	case app.KindPlanDeleted:
		return "Deleted"
	}
	return string(k)
}

// stepCard shows one step of a plan.
func (p *plansPanel) stepCard(pl *app.Plan, s app.Step) fyne.CanvasObject {
	en := english()
	meta := []string{T(s.Role.Label())}
	if s.Limit > 0 {
		meta = append(meta, T("within {{.D}}", map[string]any{"D": formatDuration(s.Limit.D())}))
	}
	if s.MinLevel != 0 {
		meta = append(meta, T("from {{.Level}}", map[string]any{"Level": T(s.MinLevel.Label())}))
	}
	title := widget.NewLabel(s.DisplayTitle(en))
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	lines := []string{strings.Join(meta, " · ")}
	if d := s.DisplayDetail(en); d != "" {
		lines = append(lines, d)
	}
	if len(s.DependsOn) > 0 {
		var ds []string
		for _, id := range s.DependsOn {
			if x, ok := pl.Step(id); ok {
				ds = append(ds, x.DisplayTitle(en))
			}
		}
		lines = append(lines, T("After")+": "+strings.Join(ds, "; "))
	}
	if len(s.Contacts) > 0 {
		site := p.c.core.Inventory.Site()
		missing := map[string]bool{}
		for _, g := range app.MissingContacts(site, s.Contacts) {
			missing[g.Ref] = true
		}
		var cs []string
		for _, r := range s.Contacts {
			l := contactRefLabel(site, r)
			if missing[r] {
				l += " (" + T("no contact on this site") + ")"
			}
			cs = append(cs, l)
		}
		lines = append(lines, T("Call")+": "+strings.Join(cs, ", "))
	}
	if len(s.Supplies) > 0 {
		var parts []string
		for _, k := range s.Supplies {
			t := T(k.Label())
			if p.c.core.Supplies != nil {
				var where []string
				for _, src := range p.c.core.Supplies.Nearest(k, nil, 3) {
					where = append(where, fmt.Sprintf("%s ×%d", src.Point.Display(en), src.Item.Quantity))
				}
				if len(where) > 0 {
					t += " (" + strings.Join(where, ", ") + ")"
				} else {
					t += " (" + T("none in stock") + ")"
				}
			}
			parts = append(parts, t)
		}
		lines = append(lines, T("Take")+": "+strings.Join(parts, "; "))
	}
	return container.NewPadded(container.New(layout.NewCustomPaddedVBoxLayout(0), title, wrapMuted(strings.Join(lines, "\n"))))
}

// contactRefLabel names a step's contact reference: a contact of the site, a role of the
// contact network, the grid's worker or the family.
func contactRefLabel(site *app.Site, ref string) string {
	switch ref {
	case app.ContactGridWorker:
		return T("the grid's worker")
	case app.ContactFamily:
		return T("the resident's family")
	}
	if site != nil {
		for _, c := range site.Contacts {
			if c.ID == ref {
				return c.Display(english()) + " " + c.Phone
			}
		}
	}
	return T(app.ContactRoleLabel(ref))
}

func (p *plansPanel) deletePlan(pl app.Plan) {
	showConfirm(T("Delete plan"), T("Delete the plan {{.Name}}? Incidents that used it keep their copy.", map[string]any{"Name": pl.Display(english())}),
		func(ok bool) {
			if !ok {
				return
			}
			p.run(func(ctx context.Context, op *app.Operator) error { return p.c.core.Plans.Delete(ctx, op, pl.ID) })
		}, p.c.win)
}

// run performs an action through the console's write (off the UI thread).
func (p *plansPanel) run(action func(context.Context, *app.Operator) error) {
	p.c.write(write{run: action})
}

// exportFile saves a plan as a JSON file the operator picks.
func (p *plansPanel) exportFile(id string) {
	data, err := p.c.core.Plans.Export(id)
	if err != nil {
		p.c.showError(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			p.c.showError(err)
			return
		}
		if w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(data); err != nil {
			p.c.showError(app.Errorf(app.CodeUnavailable, "The file cannot be written: {{.Why}}", "Why", err.Error()))
			return
		}
		dialog.ShowInformation(T("Plan exported"), T("Saved to {{.Path}}", map[string]any{"Path": w.URI().Path()}), p.c.win)
	}, p.c.win)
	d.SetFileName(id + ".json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// importFile reads a plan file the operator picks; the core checks it and refuses it with
// its reasons.
func (p *plansPanel) importFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.c.showError(err)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, 4<<20))
		if err != nil {
			p.c.showError(app.Errorf(app.CodeUnavailable, "The file cannot be read: {{.Why}}", "Why", err.Error()))
			return
		}
		p.importData(data, filepath.Base(r.URI().Path()))
	}, p.c.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// importData imports a plan file's content (off the UI thread); the plan is shown when
// its journal entry arrives, a refusal with its reasons.
func (p *plansPanel) importData(data []byte, name string) {
	if pl, err := app.ParsePlan(data); err == nil {
		p.pending = pl.ID
	}
	p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) error {
			_, err := p.c.core.Plans.Import(ctx, op, data, name, app.ImportedInConsole)
			return err
		},
		notSaved: func(why string) string {
			return T("The plan {{.File}} was not imported: {{.Why}}", map[string]any{"File": name, "Why": why})
		},
	})
}
