package ui

import (
	"context"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// A new work order from the console: its category (the priority follows, unless the operator
// chooses one), where (a building and unit from the list, or a click on the small map), what
// is to be done, and photos if there are any. The dispatch rules assign it at once when one
// matches; otherwise it waits in the board's first column.

type newOrderForm struct {
	c           *Console
	category    *widget.Select
	catIDs      []string
	priority    *widget.Select
	prioritySet bool
	settingPrio bool
	place       *placeChooser
	text        *widget.Entry
	photos      []string
	strip       *fyne.Container
	wd          *writeDialog
}

// showNewOrder opens the form (for whoever may report orders).
func (c *Console) showNewOrder() {
	op := c.Operator()
	if op == nil || !op.Role.Can(app.ActOrderReport) {
		return
	}
	f := newNewOrderForm(c)
	f.wd.Show(fyne.NewSize(720, 0))
	c.win.Canvas().Focus(f.category)
}

func newNewOrderForm(c *Console) *newOrderForm {
	f := &newOrderForm{c: c}
	var cats []string
	for _, cat := range c.core.Orders.Setup().Categories {
		cats, f.catIDs = append(cats, cat.Display(english())), append(f.catIDs, cat.ID)
	}
	f.category = widget.NewSelect(cats, func(string) {
		if cat, ok := c.core.Orders.Category(f.categoryID()); ok && !f.prioritySet {
			f.settingPrio = true
			f.priority.SetSelectedIndex(int(cat.Priority) - 1)
			f.settingPrio = false
		}
	})
	f.category.PlaceHolder = T("Category")
	prios := make([]string, len(app.Priorities))
	for i, p := range app.Priorities {
		prios[i] = p.String() + " · " + T(priorityMeaning(p))
	}
	f.priority = widget.NewSelect(prios, func(string) {
		if !f.settingPrio {
			f.prioritySet = true
		}
	})
	f.priority.PlaceHolder = T("The category's")
	f.place = newPlaceChooser(c.core.Inventory.Site(), 220)
	f.text = widget.NewMultiLineEntry()
	f.text.SetPlaceHolder(T("What is to be done: what, where exactly, since when"))
	f.text.SetMinRowsVisible(3)
	f.text.Wrapping = fyne.TextWrapWord

	f.strip = container.NewHBox()
	addPhoto := widget.NewButtonWithIcon(T("Add a photo…"), theme.FileImageIcon(), f.pickPhoto)
	if c.core.Photos == nil {
		addPhoto.Disable()
	}
	items := []*widget.FormItem{
		widget.NewFormItem(T("Category"), f.category),
		widget.NewFormItem(T("Priority"), f.priority),
		widget.NewFormItem(T("Where"), f.place.content),
		widget.NewFormItem(T("What"), f.text),
		widget.NewFormItem(T("Photos"), container.NewBorder(nil, nil, nil, addPhoto, f.strip)),
	}
	items[2].HintText = T("Choose the building, or click the place on the map")
	items[3].HintText = T("Shift+Enter makes the order")
	items[4].HintText = T("Optional: JPEG or PNG pictures")
	f.wd = newWriteForm(c, T("New work order"), T("Make order"), items, f.submit)
	f.text.OnSubmitted = func(string) { f.wd.submit() }
	f.place.unit.OnSubmitted = func(string) { c.win.Canvas().Focus(f.text) }
	return f
}

func (f *newOrderForm) categoryID() string {
	if i := f.category.SelectedIndex(); i >= 0 {
		return f.catIDs[i]
	}
	return ""
}

// request reads the fields; the core checks them again.
func (f *newOrderForm) request() (app.OrderRequest, error) {
	pl, err := f.place.orderPlace()
	if err != nil {
		return app.OrderRequest{}, err
	}
	r := app.OrderRequest{Category: f.categoryID(), Text: f.text.Text, Photos: append([]string(nil), f.photos...), Place: pl, Via: app.FromConsole}
	if i := f.priority.SelectedIndex(); i >= 0 && f.prioritySet {
		r.Priority = app.Priorities[i]
	}
	if r.Category == "" {
		return r, app.Errorf(app.CodeInvalid, "Choose a category").On("category")
	}
	return r, nil
}

func (f *newOrderForm) submit() (write, error) {
	r, err := f.request()
	if err != nil {
		return write{}, err
	}
	var made app.WorkOrder
	return write{
		run: func(ctx context.Context, op *app.Operator) (err error) {
			made, err = f.c.core.Orders.Report(ctx, op, r)
			return err
		},
		done: func() { f.c.ShowOrder(made.ID) },
	}, nil
}

// pickPhoto adds a picture from a file: made a JPEG of a sensible size off the UI thread,
// then kept in the photo store.
func (f *newOrderForm) pickPhoto() {
	if len(f.photos) >= app.MaxOrderPhotos {
		f.wd.status.failText(T("At most {{.N}} photos at a time", map[string]any{"N": app.MaxOrderPhotos}))
		return
	}
	open := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		f.wd.status.busy(T("Reading the photo…"))
		go func() {
			defer rc.Close()
			data, err := io.ReadAll(io.LimitReader(rc, maxPhotoFile+1))
			name := ""
			if err == nil {
				name, err = savePhoto(f.c.core.Photos, data)
			}
			f.c.onUI(func() {
				if err != nil {
					f.wd.status.fail(err)
					return
				}
				f.wd.status.clear()
				f.photos = append(f.photos, name)
				f.strip.Add(newPhotoThumb(f.c, name))
				f.strip.Refresh()
			})
		}()
	}, f.c.win)
	open.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}))
	open.Resize(fyne.NewSize(800, 560))
	open.Show()
}
