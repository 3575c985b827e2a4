package app_test

import (
	"context"
	"errors"
	"image"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

// Every role (and nobody, and a disabled account) against every exported core method that
// takes an operator. The methods are found by reading the core's code (roles_code_test.go):
// a new one without a row here fails. Each row says which actions its call needs, and the
// code must check exactly those, so a check that is dropped or changed fails too. What a
// role may do comes from the permission table (Role.Can): allowed, the call is not refused,
// succeeds, and what it journals is the operator's (the system's, for nobody where the row
// says so); refused, the error is exactly Authorize's refusal and nothing was written.

// roleRow is one core method in the table.
type roleRow struct {
	method string       // "Type.Method", as the code names it
	needs  []app.Action // the actions this call needs: exactly those the method's code checks
	// system says why nobody signed in (nil) is the system here and is not refused; empty:
	// nil is refused as not signed in.
	system string
	// alsoBy names who else an allowed call journals as (besides the operator), and why.
	alsoBy []string
	// call prepares what the call works on (that is not part of what the refusal must
	// leave untouched) and returns the call.
	call func(t *testing.T, c *roleCore, op *app.Operator) func() error
}

var bg = context.Background()

func roleTable() []roleRow {
	return append([]roleRow{
		// Accounts
		{method: "Accounts.ChangePassword", needs: []app.Action{app.ActManageOperators},
			// Someone else's password: administrators reset it (their own needs the old one).
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.acc.ChangePassword(bg, op, "duty2", "", "reset-password") }
			}},
		{method: "Accounts.Create", needs: []app.Action{app.ActManageOperators},
			system: "the demo's accounts and a new site's first administrator are created by the system",
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				u := "new" + strconv.Itoa(c.next())
				return func() error {
					_, err := c.acc.Create(bg, op, app.Operator{Username: u, Name: "新人", Role: app.RoleOperator}, "sunshine-new")
					return err
				}
			}},
		{method: "Accounts.List", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.acc.List(bg, op); return err }
			}},
		{method: "Accounts.Disable", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				u := c.account(t, false)
				return func() error { return c.acc.Disable(bg, op, u) }
			}},
		{method: "Accounts.Enable", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				u := c.account(t, true)
				return func() error { return c.acc.Enable(bg, op, u) }
			}},
		{method: "Accounts.ResetPassword", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.acc.ResetPassword(bg, op, "duty2", "given-by-admin") }
			}},
		{method: "Accounts.SetRole", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				u := c.account(t, false)
				return func() error { return c.acc.SetRole(bg, op, u, app.RoleCommander) }
			}},
		{method: "Accounts.Edit", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				u := c.account(t, false)
				return func() error { return c.acc.Edit(bg, op, u, app.OperatorEdit{Name: "新名字", Phone: "13800001111"}) }
			}},
		{method: "Permissions.Set", needs: []app.Action{app.ActManageOperators},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				t.Cleanup(app.ResetPermissions)
				acts := app.RoleActions(app.RoleTrainer)
				if c.next()%2 == 0 {
					acts = append(acts, app.ActRaiseAlarm)
				}
				return func() error {
					err := c.perms.Set(bg, op, app.RoleTrainer, acts)
					app.ResetPermissions() // the table's other calls are judged by the defaults
					return err
				}
			}},
		{method: "Accounts.SignOut", needs: nil, // anyone may leave, a disabled account too
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.acc.SignOut(bg, op) }
			}},

		// Arming: schedules and holidays are the administrator's, maintenance and test also the commander's
		{method: "Arming.SetSchedule", needs: []app.Action{app.ActEditArming},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.arming.SetSchedule(bg, op, nightDoor()) }
			}},
		{method: "Arming.ClearSchedule", needs: []app.Action{app.ActEditArming},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				require.NoError(t, c.arming.SetSchedule(bg, roleAdmin, nightDoor()))
				return func() error { return c.arming.ClearSchedule(bg, op, nightDoor().Target) }
			}},
		{method: "Arming.SetCalendar", needs: []app.Action{app.ActEditArming},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cal := app.HolidayCalendar{Days: []app.CalendarDay{{Date: "2026-10-01", Kind: app.DayHoliday, Name: "国庆节"}}}
				return func() error { return c.arming.SetCalendar(bg, op, cal) }
			}},
		{method: "Arming.StartMaintenance", needs: []app.Action{app.ActMaintenance},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.arming.StartMaintenance(bg, op, smokeMaintenance()); return err }
			}},
		{method: "Arming.EndMaintenance", needs: []app.Action{app.ActMaintenance},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				_, err := c.arming.StartMaintenance(bg, roleAdmin, smokeMaintenance())
				require.NoError(t, err)
				return func() error { return c.arming.EndMaintenance(bg, op, smokeMaintenance().Target) }
			}},

		// The alarm desk
		// People: residents' full records (people.go)
		{method: "People.View", needs: []app.Action{app.ActViewPerson},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.people.View(bg, op, "bracelet-b07-0502", "家属来电核实"); return err }
			}},
		{method: "People.Export", needs: []app.Action{app.ActViewPerson},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.people.Export(bg, op, "移交街道办"); return err }
			}},
		{method: "People.ForAlarm", needs: []app.Action{app.ActAckAlarm},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.alarm(t)
				return func() error { _, err := c.people.ForAlarm(bg, op, id); return err }
			}},
		{method: "People.Erase", needs: []app.Action{app.ActManageOperators, app.ActViewPerson},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.people.Erase(bg, op, "bracelet-b07-0502", "已搬走") }
			}},
		{method: "AlarmDesk.Acknowledge", needs: []app.Action{app.ActAckAlarm},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.alarm(t)
				return func() error { _, err := c.desk.Acknowledge(bg, op, id, "我来处理"); return err }
			}},
		{method: "AlarmDesk.Dispatch", needs: []app.Action{app.ActDispatchAlarm},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.acknowledged(t)
				return func() error { _, err := c.desk.Dispatch(bg, op, id, "保安 张三", ""); return err }
			}},
		{method: "AlarmDesk.Raise", needs: []app.Action{app.ActRaiseAlarm},
			system: "the rules raise alarms as the system",
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				a := app.Alarm{Kind: app.AlarmFire, Priority: app.P2, Cause: "巡逻发现冒烟", CameraID: "cam-hand-" + strconv.Itoa(c.next())}
				return func() error { _, err := c.desk.Raise(bg, op, a); return err }
			}},
		{method: "AlarmDesk.Resolve", needs: []app.Action{app.ActResolveAlarm},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.acknowledged(t)
				return func() error { _, err := c.desk.Resolve(bg, op, id, app.OutcomeFalse, "误报"); return err }
			}},

		// Incident command
		{method: "ContactBook.Save", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cs := c.contacts.Contacts()
				require.NotEmpty(t, cs)
				cs[0].Note = "值班 " + strconv.Itoa(c.next()) // a change: an unchanged save writes nothing
				return func() error { return c.contacts.Save(bg, op, cs) }
			}},
		{method: "Incidents.AddNote", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.incident(t)
				return func() error { _, err := c.incidents.AddNote(bg, op, id, "现场已隔离"); return err }
			}},
		{method: "Incidents.Close", needs: []app.Action{app.ActRunIncident, app.ActResolveAlarm, app.ActAckAlarm},
			// With a new alarm linked, resolved on closing: acknowledged and resolved as the operator's.
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id, a := c.incident(t), c.alarm(t)
				_, err := c.incidents.LinkAlarm(bg, roleAdmin, id, a)
				require.NoError(t, err)
				req := app.CloseRequest{Summary: "误报，已复位", Outcome: app.OutcomeFalse, Alarms: app.AlarmsResolve}
				return func() error { _, err := c.incidents.Close(bg, op, id, req); return err }
			}},
		{method: "Incidents.LinkAlarm", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id, a := c.incident(t), c.alarm(t)
				return func() error { _, err := c.incidents.LinkAlarm(bg, op, id, a); return err }
			}},
		{method: "Incidents.LogCall", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.incident(t)
				call := app.CallRecord{Contact: "fire", Name: "消防", Phone: "119", Result: app.CallReached}
				return func() error { _, err := c.incidents.LogCall(bg, op, id, call); return err }
			}},
		{method: "AuditTrail.Records", needs: []app.Action{app.ActViewAudit},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.audit.Records(bg, op, app.AuditFilter{}); return err }
			}},
		{method: "AuditTrail.Exported", needs: []app.Action{app.ActViewAudit},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.audit.Exported(bg, op, app.AuditExport{File: "audit.csv", Format: "csv"}) }
			}},
		{method: "Incidents.Open", needs: []app.Action{app.ActOpenIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error {
					_, err := c.incidents.Open(bg, op, app.OpenRequest{PlanID: "fire-residential", GridID: "g1"})
					return err
				}
			}},
		{method: "Incidents.SetLevel", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.incident(t)
				return func() error { _, err := c.incidents.SetLevel(bg, op, id, app.LevelII, "火势扩大"); return err }
			}},
		{method: "Incidents.Skip", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id, step := c.incident(t), firstStep(t, c)
				return func() error { _, err := c.incidents.Skip(bg, op, id, step, "不适用"); return err }
			}},
		{method: "Incidents.Tick", needs: []app.Action{app.ActRunIncident},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id, step := c.incident(t), firstStep(t, c)
				return func() error { _, err := c.incidents.Tick(bg, op, id, step, ""); return err }
			}},
		{method: "Supplies.Delete", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				sp, err := c.supplies.Save(bg, roleAdmin, supplyPoint(c))
				require.NoError(t, err)
				return func() error { return c.supplies.Delete(bg, op, sp.ID) }
			}},
		{method: "Supplies.Save", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				sp := supplyPoint(c)
				return func() error { _, err := c.supplies.Save(bg, op, sp); return err }
			}},

		// Plans
		{method: "Plans.Create", needs: []app.Action{app.ActEditPlans},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				p := smallPlan()
				p.ID = "role-" + strconv.Itoa(c.next())
				return func() error { _, err := c.plans.Create(bg, op, p); return err }
			}},
		{method: "Plans.Delete", needs: []app.Action{app.ActEditPlans},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				p := smallPlan()
				p.ID = "role-" + strconv.Itoa(c.next())
				_, err := c.plans.Create(bg, roleAdmin, p)
				require.NoError(t, err)
				return func() error { return c.plans.Delete(bg, op, p.ID) }
			}},
		{method: "Plans.Import", needs: []app.Action{app.ActEditPlans},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				p := smallPlan()
				p.ID = "role-" + strconv.Itoa(c.next())
				data, err := app.MarshalPlan(p)
				require.NoError(t, err)
				return func() error { _, err := c.plans.Import(bg, op, data, p.ID+".json", app.ImportedByCLI); return err }
			}},
		{method: "Plans.Update", needs: []app.Action{app.ActEditPlans},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				p, ok := c.plans.Get("fire-residential")
				require.True(t, ok)
				p.NameEn = "Residential fire " + strconv.Itoa(c.next())
				return func() error { _, err := c.plans.Update(bg, op, p); return err }
			}},

		// Drills and replay
		{method: "Drills.Delete", needs: []app.Action{app.ActRunDrill},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				sc, ok := c.drills.Scenario("fall-night")
				require.True(t, ok)
				sc.ID = "role-" + strconv.Itoa(c.next())
				_, err := c.drills.Save(bg, roleAdmin, sc)
				require.NoError(t, err)
				return func() error { return c.drills.Delete(bg, op, sc.ID) }
			}},
		{method: "Drills.Save", needs: []app.Action{app.ActRunDrill},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				sc, ok := c.drills.Scenario("fall-night")
				require.True(t, ok)
				sc.ID = "role-" + strconv.Itoa(c.next())
				return func() error { _, err := c.drills.Save(bg, op, sc); return err }
			}},
		{method: "Drills.Start", needs: []app.Action{app.ActRunDrill},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				c.stopDrill(t)
				return func() error { _, err := c.drills.Start(bg, op, "fall-night"); return err }
			}},
		{method: "Drills.Stop", needs: []app.Action{app.ActRunDrill},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				run := c.drill(t)
				return func() error { _, err := c.drills.Stop(bg, op, run); return err }
			}},
		{method: "Replays.Open", needs: []app.Action{app.ActReplay},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				run := c.drill(t)
				c.stopDrill(t)
				return func() error { _, err := c.replays.Open(bg, op, app.ReplayOfDrill, run); return err }
			}},
		{method: "Replays.Targets", needs: []app.Action{app.ActReplay},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.replays.Targets(bg, op); return err }
			}},

		// The site
		{method: "Inventory.AddDevice", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				d := app.Device{ID: "smoke-role-" + strconv.Itoa(c.next()), Kind: app.KindSmoke, Names: app.Names{Name: "新烟感"}, Position: app.Point{X: 38, Y: 68}}
				return func() error { return c.inv.AddDevice(bg, op, d) }
			}},
		{method: "DeviceCredentials.AddDevice", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				d := app.Device{ID: "smoke-cred-" + strconv.Itoa(c.next()), Kind: app.KindSmoke, Names: app.Names{Name: "新烟感"}, Position: app.Point{X: 38, Y: 68}}
				return func() error { _, err := c.creds.AddDevice(bg, op, d, true); return err }
			}},
		{method: "DeviceCredentials.Generate", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error {
					_, err := c.creds.Generate(bg, op, app.CredentialsRegenerated, "smoke-b03-u2-12")
					return err
				}
			}},
		{method: "DeviceCredentials.ImportSite", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				site, err := assets.DemoSite()
				require.NoError(t, err)
				site.Demo = false
				return func() error { _, err := c.creds.ImportSite(bg, op, site); return err }
			}},
		{method: "Inventory.ImportSite", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				site, err := assets.DemoSite()
				require.NoError(t, err)
				return func() error { return c.inv.ImportSite(bg, op, site) }
			}},
		{method: "Inventory.MoveCamera", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := camera(t, c)
				return func() error { return c.inv.MoveCamera(bg, op, cam.ID, cam.Position, cam.Direction+10) }
			}},
		{method: "Inventory.MoveDevice", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				d, ok := c.inv.Device("smoke-b03-u2-12")
				require.True(t, ok)
				to := app.Point{X: d.Position.X + 1, Y: d.Position.Y}
				return func() error { return c.inv.MoveDevice(bg, op, d.ID, to) }
			}},
		{method: "Inventory.SaveGrid", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				g := c.inv.Site().Grids[0]
				g.Worker.Name = "王芳"
				return func() error { return c.inv.SaveGrid(bg, op, g) }
			}},
		{method: "Inventory.SetBackground", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.inv.SetBackground(bg, op, nil, "", nil) }
			}},
		{method: "Inventory.SetCameraAnalytics", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := camera(t, c)
				cfg := app.CameraAnalytics{}
				if cam.Analytics != nil {
					cfg = *cam.Analytics
				}
				cfg.FPS = float64(1 + c.next()%10) // a change: an unchanged save writes nothing
				return func() error { return c.inv.SetCameraAnalytics(bg, op, cam.ID, cfg) }
			}},
		{method: "Inventory.SetCameraSettings", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := camera(t, c)
				set := app.CameraSettings{Name: "南门 " + strconv.Itoa(c.next()), NameEn: cam.NameEn, MainURL: cam.MainURL, SubURL: cam.SubURL}
				return func() error { return c.inv.SetCameraSettings(bg, op, cam.ID, set) }
			}},
		{method: "Inventory.UpdateCamera", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := camera(t, c)
				cam.Name = "南门 " + strconv.Itoa(c.next())
				return func() error { return c.inv.UpdateCamera(bg, op, cam) }
			}},
		// The site's things (inventory_things.go); deletes confirmed, as the console asks first.
		{method: "Inventory.AddCamera", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := app.Camera{ID: "cam-role-" + strconv.Itoa(c.next()), Names: app.Names{Name: "新摄像机"}, MainURL: "rtsp://u:pw@10.0.0.9/main", Position: app.Point{X: 38, Y: 68}}
				return func() error { return c.inv.AddCamera(bg, op, cam) }
			}},
		{method: "Inventory.SaveCameraForm", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				f := app.FormOf(camera(t, c))
				f.Camera.Name = "南门 " + strconv.Itoa(c.next())
				return func() error { return c.inv.SaveCameraForm(bg, op, f, false) }
			}},
		{method: "Inventory.DeleteCamera", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.inv.DeleteCamera(bg, op, "cam-gate-s", true) }
			}},
		{method: "Inventory.UpdateDevice", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				d, ok := c.inv.Device("smoke-b03-u2-12")
				require.True(t, ok)
				next := *d
				next.Name = "烟感 " + strconv.Itoa(c.next())
				return func() error { return c.inv.UpdateDevice(bg, op, next) }
			}},
		{method: "Inventory.DeleteDevice", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { return c.inv.DeleteDevice(bg, op, "smoke-b03-u2-12", true) }
			}},
		{method: "Inventory.SaveBuilding", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				b := app.Building{ID: "b-role-" + strconv.Itoa(c.next()), Names: app.Names{Name: "新楼"}, Floors: 6,
					Footprint: app.Polygon{{X: 30, Y: 60}, {X: 40, Y: 60}, {X: 40, Y: 70}, {X: 30, Y: 70}}}
				return func() error { return c.inv.SaveBuilding(bg, op, b) }
			}},
		{method: "Inventory.DeleteBuilding", needs: []app.Action{app.ActEditSite},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.inv.Site().Buildings[0].ID
				return func() error { return c.inv.DeleteBuilding(bg, op, id, true) }
			}},

		// Video
		{method: "Recording.Open", needs: []app.Action{app.ActView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				id := c.recordingWithAClip(t)
				return func() error { _, err := c.recording.Open(bg, op, id); return err }
			}},
		{method: "Wall.DeleteView", needs: []app.Action{app.ActView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				if op != nil { // the operator's own view, put there by the store
					c.st.views[op.Username+"/南门"] = app.WallView{Name: "南门", Operator: op.Username, Layout: app.Layout4}
				}
				return func() error { return c.wall.DeleteView(bg, op, "南门") }
			}},
		{method: "Wall.SaveView", needs: []app.Action{app.ActView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				v := app.WallView{Name: "南门", Layout: app.Layout4, Cameras: []string{"cam-gate-s"}}
				return func() error { return c.wall.SaveView(bg, op, v) }
			}},
		{method: "Wall.Snapshot", needs: []app.Action{app.ActSnapshot},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				cam := camera(t, c)
				img := image.NewRGBA(image.Rect(0, 0, 4, 4))
				return func() error { _, err := c.wall.Snapshot(bg, op, &cam, img); return err }
			}},
		{method: "Wall.Views", needs: []app.Action{app.ActView},
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				return func() error { _, err := c.wall.Views(bg, op); return err }
			}},

		// The console
		{method: "Settings.Update", needs: []app.Action{app.ActView, app.ActChangeSettings},
			// The broker's password: not a personal setting, so it needs the settings permission.
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				next := c.settings.Get()
				next.Broker.Password = "s3cret-" + strconv.Itoa(c.next())
				return func() error { return c.settings.Update(bg, op, next) }
			}},
		{method: "Shifts.Handover", needs: []app.Action{app.ActHandOver},
			alsoBy: []string{"duty2"}, // the incoming operator's sign-in is journaled as theirs
			call: func(t *testing.T, c *roleCore, op *app.Operator) func() error {
				req := app.HandoverRequest{Incoming: "duty2", IncomingPassword: "sunshine-duty2", Note: "平安无事，3号楼烟感已复位"}
				if op != nil {
					req.OutgoingPassword = "sunshine-" + op.Username
				}
				return func() error { _, _, err := c.shifts.Handover(bg, op, req); return err }
			}},
	}, orderRows()...)
}

func nightDoor() app.ArmingSchedule {
	return app.ArmingSchedule{Target: app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindDoor)},
		Schedule: app.WeeklySchedule{Windows: []app.Window{{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}, Start: 22 * 60, End: 6 * 60}}}}
}

func smokeMaintenance() app.MaintenanceRequest {
	return app.MaintenanceRequest{Target: app.ArmTarget{Scope: app.ScopeKind, ID: string(app.KindSmoke)}, Mode: app.ModeMaintenance,
		For: 2 * time.Hour, Reason: "年检"}
}

func firstStep(t *testing.T, c *roleCore) string {
	p, ok := c.plans.Get("fire-residential")
	require.True(t, ok)
	return p.Steps[0].ID
}

func camera(t *testing.T, c *roleCore) app.Camera {
	cam, ok := c.inv.Site().Camera("cam-gate-s")
	require.True(t, ok)
	return *cam
}

func supplyPoint(c *roleCore) app.SupplyPoint {
	return app.SupplyPoint{ID: "cab-role-" + strconv.Itoa(c.next()), Names: app.Names{Name: "3号楼消防箱"}, Position: app.Point{X: 38, Y: 68},
		Items: []app.SupplyItem{{Kind: "extinguisher", Quantity: 4, Minimum: 2, Expiry: "2031-10-31"}}}
}

// allowed says what the permission table allows op for the row's call.
func (r *roleRow) allowed(op *app.Operator) bool {
	if len(r.needs) == 0 {
		return true
	}
	if op == nil {
		return r.system != ""
	}
	if op.Disabled {
		return false
	}
	for _, a := range r.needs {
		if !op.Role.Can(a) {
			return false
		}
	}
	return true
}

// refusals are the errors Authorize gives op for the needed actions it lacks: a refused call
// returns one of them, exactly.
func (r *roleRow) refusals(op *app.Operator) []*app.Error {
	var out []*app.Error
	for _, a := range r.needs {
		if err := app.Authorize(op, a); err != nil {
			out = append(out, err.(*app.Error))
		}
	}
	return out
}

func TestEveryRoleAgainstEveryCoreMethod(t *testing.T) {
	methods := readCoreCode(t).operatorMethods()
	rows := roleTable()

	byName := map[string]bool{}
	for _, r := range rows {
		require.False(t, byName[r.method], "%s has two rows", r.method)
		byName[r.method] = true
		m, ok := methods[r.method]
		if !assert.True(t, ok, "%s has a row but the core has no such method taking an operator", r.method) {
			continue
		}
		assert.Empty(t, m.problems, "%s (%s)", r.method, m.at)
		assert.ElementsMatch(t, r.needs, m.checks, "%s (%s): its row says it needs %v, its code checks %v", r.method, m.at, r.needs, m.checks)
	}
	var missing []string
	for name := range methods {
		if !byName[name] {
			missing = append(missing, name+" ("+methods[name].at+")")
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "these take an operator but have no row in roleTable (roles_test.go): say which actions they need")

	ops := tableOperators(t)
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, r := range rows {
		t.Run(r.method, func(t *testing.T) {
			c := newRoleCore(t)
			for _, who := range names {
				op := ops[who]
				call := r.call(t, c, op)
				before := c.st.trace()
				seq, _ := c.st.LastSeq(bg)
				panicked, err := callSafely(call)
				if !assert.Nil(t, panicked, "%s as %s panicked", r.method, who) {
					continue
				}
				if r.allowed(op) {
					assert.False(t, app.IsCode(err, app.CodeForbidden) || app.IsCode(err, app.CodeUnauthenticated),
						"%s as %s: the permission table allows it, yet it was refused: %v", r.method, who, err)
					if app.IsCode(err, app.CodeUnchanged) {
						err = nil // allowed, and there was nothing to change: nothing is written
					}
					if !assert.NoError(t, err, "%s as %s", r.method, who) {
						continue
					}
					by := app.SystemActor
					if op != nil {
						by = op.Username
					}
					for _, e := range c.st.since(seq) {
						assert.Contains(t, append([]string{by}, r.alsoBy...), e.Operator, "%s as %s journaled %s as %q", r.method, who, e.Kind, e.Operator)
					}
					continue
				}
				var got *app.Error
				if assert.True(t, errors.As(err, &got), "%s as %s: the permission table refuses it, yet it returned %v", r.method, who, err) {
					assert.Contains(t, r.refusals(op), got, "%s as %s: refused with Authorize's refusal, exactly", r.method, who)
				}
				if !assert.Equal(t, before, c.st.trace(), "%s as %s: a refusal leaves no trace", r.method, who) {
					for _, e := range c.st.since(seq) {
						t.Logf("%s as %s journaled %s by %q", r.method, who, e.Kind, e.Operator)
					}
				}
			}
		})
	}
}

// callSafely calls a core method; a panic (a missing check dereferencing nobody) is reported
// for its row, and the table goes on.
func callSafely(call func() error) (panicked any, err error) {
	defer func() { panicked = recover() }()
	return nil, call()
}
