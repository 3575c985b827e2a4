package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// The plan editor (administrators and trainers): the plan's names, the alarm kinds that
// suggest it, its roles and levels, and its steps (add, edit, remove, reorder), each step
// with its phase, role, time limit, contacts, supplies, dependencies and level. The core
// checks the whole plan on saving and the editor shows every reason it refuses.

// baseAlarmKinds are the alarm kinds the rules raise, offered in the editor.
var baseAlarmKinds = []string{app.AlarmFire, app.AlarmMedical, app.AlarmFall, app.AlarmVitals, app.AlarmWelfare,
	app.AlarmDoorForced, app.AlarmDoorHeld, app.AlarmManhole, app.AlarmManholeWater, app.AlarmStreetlight,
	app.AlarmUnknownVehicle, app.AlarmZombieVehicle, app.AlarmTamper, app.AlarmOffline}

type planEditor struct {
	p     *plansPanel
	pl    app.Plan
	isNew bool
	d     dialog.Dialog

	id, name, nameEn, summary, summaryEn *widget.Entry
	level                                *widget.Select
	kinds                                *picker
	roles                                *picker
	otherRoles                           *widget.Entry
	levels, levelsEn                     [4]*widget.Entry
	steps                                *fyne.Container
	save                                 *widget.Button
	status                               *writeStatus // the save's progress, a refusal with its reasons
}

// picker is a set of check boxes laid out in columns. It keeps the order of the values it
// was given (a plan's roles, a step's supplies): saving a picker nobody touched hands back
// the saved list as it was, not re-sorted into the options' order.
type picker struct {
	content fyne.CanvasObject
	checks  []*widget.Check
	values  []string
	initial []string
}

func newPicker(cols int, labels, values, selected []string) *picker {
	pk := &picker{values: values, initial: selected}
	on := map[string]bool{}
	for _, v := range selected {
		on[v] = true
	}
	var objs []fyne.CanvasObject
	for i, l := range labels {
		c := widget.NewCheck(l, nil)
		c.SetChecked(on[values[i]])
		pk.checks = append(pk.checks, c)
		objs = append(objs, c)
	}
	pk.content = container.NewGridWithColumns(cols, objs...)
	return pk
}

// Selected returns the values checked: those it was given that are still checked, in
// their order, then those checked since, in option order.
func (pk *picker) Selected() []string {
	checked := map[string]bool{}
	for i, c := range pk.checks {
		checked[pk.values[i]] = c.Checked
	}
	var out []string
	for _, v := range pk.initial {
		if checked[v] && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for i, c := range pk.checks {
		if c.Checked && !slices.Contains(out, pk.values[i]) {
			out = append(out, pk.values[i])
		}
	}
	return out
}

func (pk *picker) set(value string, on bool) {
	for i, v := range pk.values {
		if v == value {
			pk.checks[i].SetChecked(on)
		}
	}
}

// edit opens the editor on a plan (a new one when isNew).
func (p *plansPanel) edit(pl app.Plan, isNew bool) *planEditor {
	e := &planEditor{p: p, pl: pl, isNew: isNew}
	if isNew && pl.ID == "" {
		e.pl.Roles = []app.TeamRole{"commander", "control_room", "guard"}
		e.pl.DefaultLevel = app.LevelIV
	}
	e.pl.Steps = append([]app.Step(nil), pl.Steps...)
	e.build()
	return e
}

func (e *planEditor) build() {
	pl := &e.pl
	e.id = textEntry(pl.ID, T("e.g. fire-residential"))
	if !e.isNew {
		e.id.Disable()
	}
	e.name = textEntry(pl.Name, T("Name in Chinese"))
	e.nameEn = textEntry(pl.NameEn, T("Name in English"))
	e.summary = textEntry(pl.Summary, T("When the plan applies"))
	e.summaryEn = textEntry(pl.SummaryEn, T("When the plan applies, in English"))
	levelOpts := make([]string, len(app.Levels))
	for i, l := range app.Levels {
		levelOpts[i] = T(l.Label())
	}
	e.level = widget.NewSelect(levelOpts, nil)
	for i, l := range app.Levels {
		if l == pl.StartLevel() {
			e.level.SetSelectedIndex(i)
		}
	}

	kinds := append([]string(nil), baseAlarmKinds...)
	for _, other := range e.p.c.core.Plans.List() {
		for _, k := range append(other.AlarmKinds, pl.AlarmKinds...) {
			if !contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	kindLabels := make([]string, len(kinds))
	for i, k := range kinds {
		kindLabels[i] = T(app.AlarmKindLabel(k))
	}
	e.kinds = newPicker(4, kindLabels, kinds, pl.AlarmKinds)

	var roleVals, roleLabels []string
	for _, r := range app.TeamRoles {
		roleVals = append(roleVals, string(r))
		roleLabels = append(roleLabels, T(r.Label()))
	}
	var others []string
	var chosen []string
	for _, r := range pl.Roles {
		chosen = append(chosen, string(r))
		if !contains(roleVals, string(r)) {
			others = append(others, string(r))
		}
	}
	e.roles = newPicker(4, roleLabels, roleVals, chosen)
	e.otherRoles = textEntry(strings.Join(others, ", "), T("Other roles, as IDs separated by commas"))

	for i := 0; i < 4; i++ {
		e.levels[i] = textEntry(at(pl.Levels, i), T("What this level means and adds"))
		e.levelsEn[i] = textEntry(at(pl.LevelsEn, i), T("The same in English"))
	}
	e.steps = container.NewVBox()
	e.fillSteps()

	levelRows := widget.NewForm()
	for i, l := range []app.Level{app.LevelI, app.LevelII, app.LevelIII, app.LevelIV} {
		levelRows.Append(T(l.Label()), container.NewGridWithColumns(2, e.levels[i], e.levelsEn[i]))
	}
	form := widget.NewForm(
		widget.NewFormItem(T("Plan ID"), e.id),
		widget.NewFormItem(T("Name"), container.NewGridWithColumns(2, e.name, e.nameEn)),
		widget.NewFormItem(T("Applies when"), container.NewGridWithColumns(2, e.summary, e.summaryEn)),
		widget.NewFormItem(T("Opens at"), e.level),
	)
	addStep := widget.NewButtonWithIcon(T("Add step…"), theme.ContentAddIcon(), func() {
		e.editStep(-1, app.Step{Phase: app.PhaseRespond, Role: e.firstRole()})
	})
	body := container.NewVBox(
		form,
		section(T("Suggested for these alarms"), e.kinds.content),
		section(T("Roles"), e.roles.content, e.otherRoles),
		section(T("Levels"), levelRows),
		section(T("Steps"), e.steps, container.NewHBox(addStep)),
	)
	e.save = widget.NewButtonWithIcon(T("Save plan"), theme.DocumentSaveIcon(), e.submit)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButton(T("Cancel"), func() { e.d.Hide() })
	e.status = newWriteStatus()
	buttons := container.NewVBox(e.status.content, container.NewHBox(layout.NewSpacer(), cancel, e.save))
	title := T("New plan")
	if !e.isNew {
		title = T("Edit plan {{.Name}}", map[string]any{"Name": e.pl.Display(english())})
	}
	e.d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(body)), e.p.c.win)
	e.d.Resize(fyne.NewSize(1180, 800))
	e.d.Show()
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// currentRoles are the roles ticked and typed in the editor: the plan's roles still there,
// in their saved order, then the new ones.
func (e *planEditor) currentRoles() []app.TeamRole {
	var now []app.TeamRole
	for _, r := range e.roles.Selected() {
		now = append(now, app.TeamRole(r))
	}
	for _, r := range strings.Split(e.otherRoles.Text, ",") {
		if r = strings.TrimSpace(r); r != "" {
			now = append(now, app.TeamRole(r))
		}
	}
	var out []app.TeamRole
	for _, r := range e.pl.Roles {
		if slices.Contains(now, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, r := range now {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func (e *planEditor) firstRole() app.TeamRole {
	if rs := e.currentRoles(); len(rs) > 0 {
		return rs[0]
	}
	return ""
}

// fillSteps lists the steps with their controls.
func (e *planEditor) fillSteps() {
	en := english()
	var objs []fyne.CanvasObject
	for i := range e.pl.Steps {
		i := i
		s := e.pl.Steps[i]
		meta := []string{T(s.Phase.Label()), T(s.Role.Label())}
		if s.Limit > 0 {
			meta = append(meta, formatDuration(s.Limit.D()))
		}
		if s.MinLevel != 0 {
			meta = append(meta, T("from {{.Level}}", map[string]any{"Level": T(s.MinLevel.Label())}))
		}
		label := widget.NewLabel(fmt.Sprintf("%d. %s", i+1, s.DisplayTitle(en)))
		label.TextStyle.Bold = true
		label.Truncation = fyne.TextTruncateEllipsis
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { e.move(i, -1) })
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { e.move(i, 1) })
		edit := widget.NewButtonWithIcon(T("Edit…"), theme.DocumentCreateIcon(), func() { e.editStep(i, e.pl.Steps[i]) })
		del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.removeStep(i) })
		if i == 0 {
			up.Disable()
		}
		if i == len(e.pl.Steps)-1 {
			down.Disable()
		}
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(up, down, edit, del),
			container.NewVBox(label, muted(s.ID+" · "+strings.Join(meta, " · ")))))
	}
	if len(objs) == 0 {
		objs = append(objs, wrapMuted(T("No steps yet")))
	}
	e.steps.Objects = objs
	e.steps.Refresh()
}

func (e *planEditor) move(i, d int) {
	j := i + d
	if j < 0 || j >= len(e.pl.Steps) {
		return
	}
	e.pl.Steps[i], e.pl.Steps[j] = e.pl.Steps[j], e.pl.Steps[i]
	e.fillSteps()
}

func (e *planEditor) removeStep(i int) {
	id := e.pl.Steps[i].ID
	e.pl.Steps = append(e.pl.Steps[:i:i], e.pl.Steps[i+1:]...)
	// Steps that waited for it no longer do.
	for k := range e.pl.Steps {
		var deps []string
		for _, d := range e.pl.Steps[k].DependsOn {
			if d != id {
				deps = append(deps, d)
			}
		}
		e.pl.Steps[k].DependsOn = deps
	}
	e.fillSteps()
}

// limitText writes a time limit as parseLimit reads it: "5m", "90s", "1h30m".
func limitText(d time.Duration) string {
	s := d.String() // "2m0s", "1h0m0s", "1m30s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseLimit reads a time limit: "5m", "90s", "1h30m", or a number of minutes; empty: none.
func parseLimit(s string) (time.Duration, error) {
	s = app.PlainASCII(s) // "1。5" from pinyin's Chinese mode is 1.5
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Minute)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, app.Errorf(app.CodeInvalid, "{{.Value}} is not a time limit: write minutes, or e.g. 90s, 5m, 1h", "Value", s)
	}
	return d, nil
}

// editStep edits step i (i < 0: a new step).
func (e *planEditor) editStep(i int, s app.Step) {
	en := english()
	site := e.p.c.core.Inventory.Site()
	id := textEntry(s.ID, T("e.g. call-119"))
	title := textEntry(s.Title, T("What to do, in Chinese"))
	titleEn := textEntry(s.TitleEn, T("What to do, in English"))
	detail := textEntry(s.Detail, T("How (optional)"))
	detailEn := textEntry(s.DetailEn, T("How, in English (optional)"))

	phaseLabels := make([]string, len(app.Phases))
	for k, ph := range app.Phases {
		phaseLabels[k] = T(ph.Label())
	}
	phase := widget.NewSelect(phaseLabels, nil)
	for k, ph := range app.Phases {
		if ph == s.Phase {
			phase.SetSelectedIndex(k)
		}
	}
	roles := e.currentRoles()
	roleLabels := make([]string, len(roles))
	for k, r := range roles {
		roleLabels[k] = T(r.Label())
	}
	role := widget.NewSelect(roleLabels, nil)
	for k, r := range roles {
		if r == s.Role {
			role.SetSelectedIndex(k)
		}
	}
	limit := textEntry("", T("minutes, or e.g. 90s, 5m, 1h; empty: no limit"))
	if s.Limit > 0 {
		limit.SetText(limitText(s.Limit.D()))
	}
	minOpts := []string{T("Any level")}
	minVals := []app.Level{0}
	for _, l := range []app.Level{app.LevelI, app.LevelII, app.LevelIII, app.LevelIV} {
		minOpts = append(minOpts, T("from {{.Level}}", map[string]any{"Level": T(l.Label())}))
		minVals = append(minVals, l)
	}
	minLevel := widget.NewSelect(minOpts, nil)
	for k, l := range minVals {
		if l == s.MinLevel {
			minLevel.SetSelectedIndex(k)
		}
	}

	var cVals, cLabels []string
	if site != nil {
		for _, c := range site.Contacts {
			cVals = append(cVals, c.ID)
			cLabels = append(cLabels, c.Display(en))
		}
	}
	for _, r := range app.ContactRoles {
		if !contains(cVals, r) {
			cVals = append(cVals, r)
			cLabels = append(cLabels, T("Every contact: {{.Role}}", map[string]any{"Role": T(app.ContactRoleLabel(r))}))
		}
	}
	cVals = append(cVals, app.ContactGridWorker, app.ContactFamily)
	cLabels = append(cLabels, T("the grid's worker"), T("the resident's family"))
	for _, c := range s.Contacts {
		if !contains(cVals, c) {
			cVals = append(cVals, c)
			cLabels = append(cLabels, c)
		}
	}
	contacts := newPicker(3, cLabels, cVals, s.Contacts)

	var sVals, sLabels, chosen []string
	for _, k := range app.SupplyKinds {
		sVals = append(sVals, string(k))
		sLabels = append(sLabels, T(k.Label()))
	}
	for _, k := range s.Supplies {
		chosen = append(chosen, string(k))
	}
	supplies := newPicker(4, sLabels, sVals, chosen)

	var dVals, dLabels []string
	for k, o := range e.pl.Steps {
		if k == i {
			continue
		}
		dVals = append(dVals, o.ID)
		dLabels = append(dLabels, o.DisplayTitle(en))
	}
	deps := newPicker(2, dLabels, dVals, s.DependsOn)

	form := widget.NewForm(
		widget.NewFormItem(T("Step ID"), id),
		widget.NewFormItem(T("Phase"), phase),
		widget.NewFormItem(T("Title"), container.NewGridWithColumns(2, title, titleEn)),
		widget.NewFormItem(T("How"), container.NewGridWithColumns(2, detail, detailEn)),
		widget.NewFormItem(T("Responsible role"), role),
		widget.NewFormItem(T("Time limit"), limit),
		widget.NewFormItem(T("Applies"), minLevel),
	)
	body := container.NewVBox(form,
		section(T("Whom to call"), contacts.content),
		section(T("Supplies to take"), supplies.content),
		section(T("After these steps"), deps.content))
	var d dialog.Dialog
	ok := widget.NewButtonWithIcon(T("OK"), theme.ConfirmIcon(), func() {
		lim, err := parseLimit(limit.Text)
		if err != nil {
			dialog.ShowError(errors.New(ErrText(err)), e.p.c.win)
			return
		}
		next := s
		next.ID = strings.TrimSpace(id.Text)
		next.Title, next.TitleEn = strings.TrimSpace(title.Text), strings.TrimSpace(titleEn.Text)
		next.Detail, next.DetailEn = strings.TrimSpace(detail.Text), strings.TrimSpace(detailEn.Text)
		if k := phase.SelectedIndex(); k >= 0 {
			next.Phase = app.Phases[k]
		}
		if k := role.SelectedIndex(); k >= 0 {
			next.Role = roles[k]
		}
		next.Limit = app.Duration(lim)
		if k := minLevel.SelectedIndex(); k >= 0 {
			next.MinLevel = minVals[k]
		}
		next.Contacts = contacts.Selected()
		next.Supplies = nil
		for _, k := range supplies.Selected() {
			next.Supplies = append(next.Supplies, app.SupplyKind(k))
		}
		next.DependsOn = deps.Selected()
		if next.ID == "" {
			next.ID = e.freeStepID(next.Phase)
		}
		if i < 0 {
			e.pl.Steps = append(e.pl.Steps, next)
		} else {
			old := e.pl.Steps[i].ID
			e.pl.Steps[i] = next
			if old != next.ID {
				for k := range e.pl.Steps {
					for m, dep := range e.pl.Steps[k].DependsOn {
						if dep == old {
							e.pl.Steps[k].DependsOn[m] = next.ID
						}
					}
				}
			}
		}
		e.fillSteps()
		d.Hide()
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(T("Cancel"), func() { d.Hide() })
	heading := T("New step")
	if i >= 0 {
		heading = T("Edit step")
	}
	d = dialog.NewCustomWithoutButtons(heading, container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, ok), nil, nil, container.NewVScroll(body)), e.p.c.win)
	d.Resize(fyne.NewSize(1060, 760))
	d.Show()
}

// freeStepID makes an unused step ID from the phase.
func (e *planEditor) freeStepID(ph app.Phase) string {
	used := map[string]bool{}
	for _, s := range e.pl.Steps {
		used[s.ID] = true
	}
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s-%d", ph, n)
		if !used[id] {
			return id
		}
	}
}

// collect reads the editor into a plan.
func (e *planEditor) collect() app.Plan {
	pl := e.pl
	pl.ID = strings.TrimSpace(e.id.Text)
	pl.Name, pl.NameEn = strings.TrimSpace(e.name.Text), strings.TrimSpace(e.nameEn.Text)
	pl.Summary, pl.SummaryEn = strings.TrimSpace(e.summary.Text), strings.TrimSpace(e.summaryEn.Text)
	if k := e.level.SelectedIndex(); k >= 0 && app.Levels[k] != pl.StartLevel() {
		pl.DefaultLevel = app.Levels[k] // unset stays unset while it shows the default
	}
	pl.AlarmKinds = e.kinds.Selected()
	pl.Roles = e.currentRoles()
	pl.Levels, pl.LevelsEn = nil, nil
	zh, en := false, false
	for i := 0; i < 4; i++ {
		zh = zh || strings.TrimSpace(e.levels[i].Text) != ""
		en = en || strings.TrimSpace(e.levelsEn[i].Text) != ""
	}
	for i := 0; i < 4; i++ {
		if zh {
			pl.Levels = append(pl.Levels, strings.TrimSpace(e.levels[i].Text))
		}
		if en {
			pl.LevelsEn = append(pl.LevelsEn, strings.TrimSpace(e.levelsEn[i].Text))
		}
	}
	return pl
}

// submit saves the plan; a refusal is shown with every reason and the editor stays open.
// The saved plan is shown when its journal entry arrives.
func (e *planEditor) submit() {
	pl := e.collect()
	e.p.pending = pl.ID
	e.p.c.write(write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			if e.isNew {
				_, err = e.p.c.core.Plans.Create(ctx, op, pl)
			} else {
				_, err = e.p.c.core.Plans.Update(ctx, op, pl)
			}
			return err
		},
		status: e.status, lock: []fyne.Disableable{e.save},
		done:           e.d.Hide,
		nothingChanged: func() { e.d.Hide(); e.p.c.showNothingChanged() },
		notSaved:       func(why string) string { return T("The plan was not saved: {{.Why}}", map[string]any{"Why": why}) },
	})
}
