package ui

import (
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// buildingPicker chooses a building of the site from a list (typing a building's name
// through an input method, or its ID, is slow and error-prone; the list is the site's).
// Its first option is "no building". A saved building the site no longer has stays as it
// is until another is chosen, and the list says which it was.
type buildingPicker struct {
	Select *widget.Select // what goes on the form
	ids    []string       // "" for no building
	saved  string
}

func newBuildingPicker(site *app.Site, saved string) *buildingPicker {
	p := &buildingPicker{ids: []string{""}, saved: saved}
	labels := []string{T("No building")}
	if site != nil {
		for _, b := range site.Buildings {
			p.ids = append(p.ids, b.ID)
			labels = append(labels, b.Display(english()))
		}
	}
	p.Select = widget.NewSelect(labels, nil)
	found := false
	for i, id := range p.ids {
		if id == saved {
			p.Select.SetSelectedIndex(i)
			found = true
		}
	}
	if !found {
		p.Select.PlaceHolder = T("Building {{.ID}} (not on the site)", map[string]any{"ID": saved})
	}
	return p
}

// ID returns the chosen building's ID ("" for none; the saved one while none is chosen).
func (p *buildingPicker) ID() string {
	if i := p.Select.SelectedIndex(); i >= 0 {
		return p.ids[i]
	}
	return p.saved
}

// Building returns the chosen building, if one is.
func (p *buildingPicker) Building(site *app.Site) (*app.Building, bool) {
	if site == nil || p.ID() == "" {
		return nil, false
	}
	return site.Building(p.ID())
}
