package ui

import (
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Fields the dialogs of the site's things share: choosing a grid or a building by name,
// numbers typed in either input mode.

// choice is a select over things named in the operator's language, with a first option
// for none.
type choice struct {
	sel  *widget.Select
	ids  map[string]string // label → ID
	labs map[string]string // ID → label
	none string
}

func newChoice(none string, ids []string, names []string, current string) *choice {
	ch := &choice{ids: map[string]string{none: ""}, labs: map[string]string{"": none}, none: none}
	opts := []string{none}
	for i, id := range ids {
		label := names[i] + " (" + id + ")"
		opts = append(opts, label)
		ch.ids[label], ch.labs[id] = id, label
	}
	ch.sel = widget.NewSelect(opts, nil)
	ch.set(current)
	return ch
}

func (ch *choice) set(id string) {
	if l, ok := ch.labs[id]; ok {
		ch.sel.SetSelected(l)
	} else {
		ch.sel.SetSelected(ch.none)
	}
}

// id is the chosen thing's ID ("" for none).
func (ch *choice) id() string { return ch.ids[ch.sel.Selected] }

func gridChoice(s *app.Site, current string) *choice {
	var ids, names []string
	for _, g := range s.Grids {
		ids, names = append(ids, g.ID), append(names, g.Display(english()))
	}
	return newChoice(T("(from its place on the map)"), ids, names, current)
}

func buildingChoice(s *app.Site, current string) *choice {
	var ids, names []string
	for _, b := range s.Buildings {
		ids, names = append(ids, b.ID), append(names, b.Display(english()))
	}
	return newChoice(T("(none)"), ids, names, current)
}

// number reads a number typed in a field (full-width digits too); empty is zero.
func number(e *widget.Entry, field, what string) (float64, error) {
	t := app.PlainASCII(e.Text)
	if t == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, app.Errorf(app.CodeInvalid, "{{.Value}} is not a number ({{.What}})", "Value", strings.TrimSpace(e.Text), "What", T(what)).On(field)
	}
	return v, nil
}

// numberText shows a number without trailing zeros ("" for zero when blank is allowed).
func numberText(v float64, blankZero bool) string {
	if blankZero && v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func newEntryWith(text string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	return e
}

// nextID proposes an ID not taken yet: prefix and a number from n up.
func nextID(taken func(string) bool, prefix string, n int) string {
	for {
		id := prefix + strconv.Itoa(n)
		if !taken(id) {
			return id
		}
		n++
	}
}

// tenth rounds a clicked place to a tenth of a metre: no one measures finer.
func tenth(v float64) float64 { return math.Round(v*10) / 10 }
