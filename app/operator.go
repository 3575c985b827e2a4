package app

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what an operator is allowed to do.
type Role string

const (
	RoleOperator  Role = "operator"  // guard-room operator: watches, handles alarms
	RoleCommander Role = "commander" // emergency commander: runs incidents
	RoleTrainer   Role = "trainer"   // runs drills and replays
	RoleAdmin     Role = "admin"     // configures the site, operators and settings
	// The people outside the guard room, on the phone pages: they take work orders.
	RoleGridWorker  Role = "grid_worker" // 网格员: patrols a grid, reports and handles hazards
	RoleProperty    Role = "property"    // 物业: the property company's staff and managers
	RoleMaintenance Role = "maintenance" // the repair crew
)

// Roles lists the roles in the order the UI offers them.
var Roles = []Role{RoleOperator, RoleCommander, RoleTrainer, RoleAdmin, RoleGridWorker, RoleProperty, RoleMaintenance}

// PhoneRole reports whether the role works on the phone pages rather than at the console.
func (r Role) PhoneRole() bool {
	return r == RoleGridWorker || r == RoleProperty || r == RoleMaintenance
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Label is the English name of the role; it is also the translation key.
func (r Role) Label() string {
	switch r {
	case RoleOperator:
		return "Duty operator"
	case RoleCommander:
		return "Commander"
	case RoleTrainer:
		return "Trainer"
	case RoleAdmin:
		return "Administrator"
	case RoleGridWorker:
		return "Grid worker"
	case RoleProperty:
		return "Property staff"
	case RoleMaintenance:
		return "Repair crew"
	}
	return string(r)
}

// Action is something an operator can do that the core checks against the role.
type Action string

const (
	ActView            Action = "view" // see the console
	ActAckAlarm        Action = "alarm.acknowledge"
	ActDispatchAlarm   Action = "alarm.dispatch"
	ActResolveAlarm    Action = "alarm.resolve"
	ActRaiseAlarm      Action = "alarm.raise" // a manual alarm
	ActRunIncident     Action = "incident.run"
	ActEditPlans       Action = "plans.edit"
	ActRunDrill        Action = "drill.run"
	ActEditSite        Action = "site.edit"
	ActManageOperators Action = "operators.manage"
	ActChangeSettings  Action = "settings.change"
	ActSnapshot        Action = "camera.snapshot"
	ActHandOver        Action = "shift.hand_over"    // hand the guard room's shift over (交接班), and take it
	ActRestore         Action = "backup.restore"     // replace the database with a backup (administrators only)
	ActOpenIncident    Action = "incident.open"      // open an incident from a plan (the guard at 03:00); running it is ActRunIncident
	ActReplay          Action = "replay.open"        // replay drill runs and incidents (a debrief)
	ActEditArming      Action = "arming.edit"        // arming schedules and the holiday calendar (布防计划)
	ActMaintenance     Action = "device.maintenance" // put devices in maintenance or test mode, and end it
	ActOrderView       Action = "order.view"         // see the work orders (the board, the assessment)
	ActOrderReport     Action = "order.report"       // report a hazard: a new work order
	ActOrderWork       Action = "order.work"         // accept, work on and finish the orders given to one or one's team
	ActOrderDispatch   Action = "order.dispatch"     // assign, reassign, cancel, merge orders; dispatch an alarm as an order
	ActOrderVerify     Action = "order.verify"       // verify and close a done order, or reopen it (as its category says)
	ActOrderSetup      Action = "order.setup"        // edit the categories, teams and dispatch rules
)

// Label says what the action is, as the end of "A trainer may not …" (English, also the
// translation key); an action without a label is shown by its code.
func (a Action) Label() string {
	switch a {
	case ActView:
		return "use the console"
	case ActAckAlarm:
		return "acknowledge alarms"
	case ActDispatchAlarm:
		return "dispatch alarms"
	case ActResolveAlarm:
		return "resolve alarms"
	case ActRaiseAlarm:
		return "raise alarms by hand"
	case ActRunIncident:
		return "run incidents"
	case ActEditPlans:
		return "edit plans and drills"
	case ActRunDrill:
		return "run drills"
	case ActOpenIncident:
		return "open incidents from a plan"
	case ActReplay:
		return "replay drills and incidents"
	case ActEditSite:
		return "change the site"
	case ActManageOperators:
		return "manage operators"
	case ActChangeSettings:
		return "change settings"
	case ActSnapshot:
		return "take camera snapshots"
	case ActHandOver:
		return "hand over or take over the shift"
	case ActRestore:
		return "restore a backup"
	case ActViewAudit:
		return "read the audit trail"
	case ActEditArming:
		return "edit arming schedules and holidays"
	case ActMaintenance:
		return "put devices in maintenance or test mode"
	case ActViewPerson:
		return "see residents' full records"
	case ActOrderView:
		return "see work orders"
	case ActOrderReport:
		return "report hazards as work orders"
	case ActOrderWork:
		return "work on the orders given to them"
	case ActOrderDispatch:
		return "assign and cancel work orders"
	case ActOrderVerify:
		return "verify and close work orders"
	case ActOrderSetup:
		return "edit order categories, teams and dispatch rules"
	}
	return string(a)
}

// Can reports whether the role allows the action, by the permission table in force
// (permissions.go): the defaults, as an administrator has changed them. Admins may do
// everything.
func (r Role) Can(a Action) bool {
	if r == RoleAdmin {
		return true
	}
	return permitted(r, a)
}

// Operator is a person who signs in to the console.
type Operator struct {
	Username  string    `json:"username"`
	Name      string    `json:"name"` // shown in the header and the journal views
	Role      Role      `json:"role"`
	Phone     string    `json:"phone,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// MustChange: an administrator reset the password; the operator changes it at the next
	// sign-in before doing anything else (Authorize refuses everything until then).
	MustChange bool `json:"must_change,omitempty"`
}

// Validate checks an operator account.
func (o *Operator) Validate() error {
	var p Problems
	if !ValidID(o.Username) || o.Username == SystemActor {
		p.Add("username", "{{.U}} cannot be a user name: use letters, digits, '-', '_' or '.'", "U", o.Username)
	}
	checkName(&p, "name", o.Name)
	if !o.Role.Valid() {
		p.Add("role", "Unknown role {{.Role}}", "Role", o.Role)
	}
	if o.Phone != "" && !validPhone(o.Phone) {
		p.Add("phone", "{{.Phone}} is not a phone number", "Phone", o.Phone)
	}
	return p.Err()
}

// Authorize returns a forbidden error unless the operator may do the action. Every service
// calls it first: hiding a button is not enough.
func Authorize(op *Operator, a Action) error {
	if op == nil {
		return Errorf(CodeUnauthenticated, "Please sign in first")
	}
	if op.Disabled {
		return Errorf(CodeForbidden, "The account {{.U}} is disabled", "U", op.Username)
	}
	if op.MustChange {
		return Errorf(CodeForbidden, "Change the password of {{.U}} first: an administrator reset it", "U", op.Username)
	}
	if !op.Role.Can(a) {
		return Errorf(CodeForbidden, "A {{.Role}} may not {{.Action}}", "Role", op.Role.Label(), "Action", a.Label())
	}
	return nil
}

// MinPasswordLength is the shortest password accepted for a new or changed password.
const MinPasswordLength = 10

// knownPasswords are passwords that are published or guessed first: the demo's own (printed
// in the README), the product's name, and the defaults people type. Compared in lower case,
// and also with trailing digits and punctuation taken off ("Password123!" is "password"), so
// the list stays short.
var knownPasswords = map[string]bool{
	"sunshine-demo": true, "sunshine": true, // the demo community's published password
	"watchpost": true, "shouwang": true, // the product (守望)
	"password": true, "passw0rd": true, "p@ssw0rd": true, "admin": true, "administrator": true,
	"qwerty": true, "qwertyuiop": true, "iloveyou": true, "abc": true, "abcdefghij": true,
	"1234567890": true, "0123456789": true, "0987654321": true, "12345678910": true,
}

// CheckPassword returns why a new password is not acceptable, or nil: at least
// MinPasswordLength characters, no spaces around it, not a known default.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return Errorf(CodeInvalid, "A password needs at least {{.N}} characters", "N", MinPasswordLength).On("password")
	}
	if strings.TrimSpace(pw) != pw {
		return Errorf(CodeInvalid, "A password cannot start or end with a space").On("password")
	}
	lower := strings.ToLower(pw)
	base := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if knownPasswords[lower] || knownPasswords[base] || strings.Count(lower, lower[:1]) == len(lower) {
		return Errorf(CodeInvalid, "This password is too well known: choose another").On("password")
	}
	return nil
}

// CheckPasswordFor is CheckPassword for the account username: the password cannot be the
// user name either (in any case).
func CheckPasswordFor(username, pw string) error {
	if err := CheckPassword(pw); err != nil {
		return err
	}
	if strings.EqualFold(strings.TrimSpace(pw), strings.TrimSpace(username)) {
		return Errorf(CodeInvalid, "The password cannot be the user name").On("password")
	}
	return nil
}
