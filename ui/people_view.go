package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Residents' personal fields are shown masked (139****5601, 赵*, ***) in the device panel and
// on the map. Whoever may see full records (app.ActViewPerson) opens one with a reason, which
// the core journals; the duty operator handling an open alarm sees its resident in full
// without being asked (the alarm is the reason, journaled by People.ForAlarm once).

// alarmResident is the resident shown with alarm a of device d.
func (c *Console) alarmResident(a *app.Alarm, d *app.Device) *app.Person {
	if d == nil || d.Person == nil {
		return nil
	}
	// In full to whoever handles alarms while this one is open (People.ForAlarm journals it).
	if d.Person.Erased || a == nil || !a.State.Open() || app.Authorize(c.Operator(), app.ActAckAlarm) != nil {
		return d.Person.Masked()
	}
	id := a.ID
	key := fmt.Sprintf("%s/%d", c.Operator().Username, id)
	if !c.residentsShown[key] { // the journal write once per alarm, off the UI thread
		if c.residentsShown == nil {
			c.residentsShown = map[string]bool{}
		}
		c.residentsShown[key] = true
		c.write(write{run: func(ctx context.Context, op *app.Operator) error {
			_, err := c.core.People.ForAlarm(ctx, op, id)
			return err
		}})
	}
	return d.Person
}

// personRows are a resident's facts as the device panel and the map show them.
func personRows(pr *app.Person) []kvRow {
	if pr == nil {
		return nil
	}
	if pr.Erased {
		return []kvRow{kv("Resident", T("erased"))}
	}
	resident := pr.Name
	if pr.Age > 0 {
		resident = fmt.Sprintf("%s, %d", pr.Name, pr.Age)
	}
	rows := []kvRow{kv("Resident", resident)}
	if pr.Phone != "" {
		rows = append(rows, kv("Phone", pr.Phone))
	}
	if pr.Contact != "" {
		rows = append(rows, kv("Family contact", strings.TrimSpace(pr.Contact+"  "+pr.ContactPhone)))
	}
	if pr.Note != "" {
		rows = append(rows, kv("Notes", pr.Note))
	}
	return rows
}

// fullRecordButton opens the full record of a device's resident, for those allowed; nil
// for the others and for a device without a (remaining) resident.
func (c *Console) fullRecordButton(d *app.Device) fyne.CanvasObject {
	if d.Person == nil || d.Person.Erased || app.Authorize(c.Operator(), app.ActViewPerson) != nil {
		return nil
	}
	id := d.ID
	return widget.NewButton(T("Full record…"), func() { c.askFullRecord(id) })
}

// askFullRecord asks why, then shows the resident's full record (the view is journaled).
func (c *Console) askFullRecord(deviceID string) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder(T("e.g. the family called to check"))
	status := newWriteStatus()
	var dlg dialog.Dialog
	var open *widget.Button
	open = widget.NewButton(T("Show"), func() {
		var got *app.Person
		c.write(write{
			status: status,
			lock:   []fyne.Disableable{open},
			run: func(ctx context.Context, op *app.Operator) error {
				p, err := c.core.People.View(ctx, op, deviceID, reason.Text)
				got = p
				return err
			},
			done: func() {
				dlg.Hide()
				c.showFullRecord(got)
			},
		})
	})
	open.Importance = widget.HighImportance
	body := container.NewVBox(
		widget.NewLabel(T("Why do you open this resident's full record? It is written to the journal.")),
		reason, status.content, container.NewHBox(open))
	dlg = dialog.NewCustom(T("Full record"), T("Cancel"), body, c.win)
	dlg.Resize(fyne.NewSize(480, 220))
	dlg.Show()
	c.win.Canvas().Focus(reason)
}

func (c *Console) showFullRecord(pr *app.Person) {
	if pr == nil {
		return
	}
	rows := personRows(pr)
	if pr.ID != "" {
		rows = append([]kvRow{kv("Person ID", pr.ID)}, rows...)
	}
	d := dialog.NewCustom(T("Full record"), T("Close"), details(rows), c.win)
	d.Resize(fyne.NewSize(480, 300))
	d.Show()
}

// eraseResidentButton erases a device's resident (one who moved out) for administrators: their
// key is deleted, so their fields are unreadable everywhere, the journal included.
func (c *Console) eraseResidentButton(d *app.Device) fyne.CanvasObject {
	op := c.Operator()
	if d.Person == nil || d.Person.Erased || app.Authorize(op, app.ActManageOperators) != nil || app.Authorize(op, app.ActViewPerson) != nil {
		return nil
	}
	id := d.ID
	b := widget.NewButton(T("Erase resident…"), func() { c.askEraseResident(id) })
	b.Importance = widget.DangerImportance
	return b
}

func (c *Console) askEraseResident(deviceID string) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder(T("e.g. moved out"))
	status := newWriteStatus()
	var dlg dialog.Dialog
	var erase *widget.Button
	erase = widget.NewButton(T("Erase"), func() {
		c.write(write{
			status: status,
			lock:   []fyne.Disableable{erase},
			run: func(ctx context.Context, op *app.Operator) error {
				return c.core.People.Erase(ctx, op, deviceID, reason.Text)
			},
			done: func() { dlg.Hide() },
		})
	})
	erase.Importance = widget.DangerImportance
	body := container.NewVBox(
		widget.NewLabel(T("The resident's name, phones, contact and notes become unreadable everywhere, in the journal too. This cannot be undone. Why?")),
		reason, status.content, container.NewHBox(erase))
	dlg = dialog.NewCustom(T("Erase resident"), T("Cancel"), body, c.win)
	dlg.Resize(fyne.NewSize(520, 240))
	dlg.Show()
	c.win.Canvas().Focus(reason)
}
