package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Deleting a camera, a device or a building (administrators) asks first, and says what the
// delete affects (app.Inventory.DeleteImpact): "2 open alarms; used by drill 3号楼火灾演练".
// The core deletes a thing in use only when the delete is confirmed, so the answer here is
// what it needs.

// confirmDelete asks, then deletes. done runs once it is deleted.
func (c *Console) confirmDelete(kind app.ItemKind, id string, name string, done func()) {
	impact := c.core.Inventory.DeleteImpact(kind, id)
	title := T("Delete")
	msg := T("Delete {{.Name}}? This cannot be undone; the journal keeps what it was.", map[string]any{"Name": name})
	if len(impact) > 0 {
		msg = T("Delete {{.Name}}? It is still in use: {{.What}}.", map[string]any{"Name": name, "What": impactText(impact)})
	}
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		if !ok {
			return
		}
		c.write(write{
			run: func(ctx context.Context, op *app.Operator) error {
				inv := c.core.Inventory
				switch kind {
				case app.ItemCamera:
					return inv.DeleteCamera(ctx, op, id, true)
				case app.ItemDevice:
					return inv.DeleteDevice(ctx, op, id, true)
				case app.ItemBuilding:
					return inv.DeleteBuilding(ctx, op, id, true)
				}
				return app.Errorf(app.CodeInvalid, "Only cameras, devices and buildings are deleted here")
			},
			done: done,
		})
	}, c.win)
	d.SetConfirmText(T("Delete"))
	if len(impact) > 0 {
		d.SetConfirmText(T("Delete anyway"))
		d.SetConfirmImportance(widget.DangerImportance)
	}
	d.SetDismissText(T("Cancel"))
	d.Show()
}

// impactText says what a delete affects, in the operator's language.
func impactText(impact []app.Impact) string {
	var parts []string
	for _, i := range impact {
		names := namesText(i.Items)
		switch i.Kind {
		case app.ImpactOpenAlarms:
			parts = append(parts, T("{{.N}} open alarms", map[string]any{"N": i.Count}))
		case app.ImpactIncident:
			parts = append(parts, T("a running incident of plan {{.Names}}", map[string]any{"Names": names}))
		case app.ImpactDrill:
			parts = append(parts, T("used by drill {{.Names}}", map[string]any{"Names": names}))
		case app.ImpactDevices:
			parts = append(parts, T("{{.N}} devices ({{.Names}})", map[string]any{"N": i.Count, "Names": names}))
		case app.ImpactCameras:
			parts = append(parts, T("{{.N}} cameras ({{.Names}})", map[string]any{"N": i.Count, "Names": names}))
		case app.ImpactSupplies:
			parts = append(parts, T("{{.N}} supply points ({{.Names}})", map[string]any{"N": i.Count, "Names": names}))
		case app.ImpactAnalytics:
			parts = append(parts, T("its video analytics"))
		}
	}
	return strings.Join(parts, T("; "))
}

// namesText lists up to three names, then how many more.
func namesText(items []app.Names) string {
	var out []string
	for i, n := range items {
		if i == 3 {
			out = append(out, T("{{.N}} more", map[string]any{"N": len(items) - 3}))
			break
		}
		out = append(out, n.Display(english()))
	}
	return strings.Join(out, T(", "))
}
