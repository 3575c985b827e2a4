package app

import (
	"context"
	"sort"
	"sync"
)

// The permission table: which role may do which action. The code has the defaults; an
// administrator changes them (Permissions.Set), every change journaled; the store keeps the
// changes (how the table differs from the defaults), and every console folds them back from
// the store when a change is journaled, wherever it was made. Authorize and Role.Can read the
// table in force: a package value behind a lock, so that the many callers of Authorize stay
// as they are. Administrators may do everything, whatever the table says.

// KindPermissionsChanged is an administrator's change of a role's actions. Data: PermissionChange.
const KindPermissionsChanged EntryKind = "permissions.changed"

// defaultPermissions are each role's actions as the site starts with them. The duty operator
// opens an incident from a plan (at 03:00 the guard starts the fire plan alone) and the
// commander takes it over and runs it; the commander also edits plans and replays incidents
// for the debrief.
var defaultPermissions = map[Role][]Action{
	RoleOperator: {ActView, ActAckAlarm, ActDispatchAlarm, ActResolveAlarm, ActRaiseAlarm, ActSnapshot, ActHandOver,
		ActOpenIncident, ActOrderView, ActOrderReport, ActOrderDispatch, ActOrderVerify},
	RoleCommander: {ActView, ActAckAlarm, ActDispatchAlarm, ActResolveAlarm, ActRaiseAlarm, ActSnapshot, ActRunIncident,
		ActHandOver, ActOpenIncident, ActEditPlans, ActReplay, ActMaintenance, ActViewPerson,
		ActOrderView, ActOrderReport, ActOrderDispatch, ActOrderVerify},
	RoleTrainer: {ActView, ActRunDrill, ActEditPlans, ActSnapshot, ActReplay},
	// The phone pages' people: a grid worker reports and handles hazards and checks the
	// corridor clutter and e-bikes of the grid; property staff also assign within the
	// property and verify repairs; the repair crew works on what it is given.
	RoleGridWorker:  {ActOrderView, ActOrderReport, ActOrderWork, ActOrderVerify},
	RoleProperty:    {ActOrderView, ActOrderReport, ActOrderWork, ActOrderDispatch, ActOrderVerify},
	RoleMaintenance: {ActOrderView, ActOrderReport, ActOrderWork},
}

// Actions lists every action the table has, in the order the permission table shows them.
var Actions = []Action{ActView, ActAckAlarm, ActDispatchAlarm, ActResolveAlarm, ActRaiseAlarm, ActSnapshot, ActHandOver,
	ActOpenIncident, ActRunIncident, ActEditPlans, ActRunDrill, ActReplay, ActEditSite, ActMaintenance, ActEditArming, ActChangeSettings, ActManageOperators, ActViewPerson,
	ActOrderView, ActOrderReport, ActOrderWork, ActOrderDispatch, ActOrderVerify, ActOrderSetup}

// PermissionGrant is one cell of the table that differs from the defaults.
type PermissionGrant struct {
	Role    Role   `json:"role"`
	Action  Action `json:"action"`
	Allowed bool   `json:"allowed"`
}

// PermissionChange is what one change journals: the role and the actions given and taken.
type PermissionChange struct {
	Role    Role     `json:"role"`
	Granted []Action `json:"granted,omitempty"`
	Revoked []Action `json:"revoked,omitempty"`
}

// PermissionStore keeps the table's differences from the defaults; each write also appends
// its journal entry in the same transaction.
type PermissionStore interface {
	PermissionGrants(ctx context.Context) ([]PermissionGrant, error)
	SavePermissionGrants(ctx context.Context, grants []PermissionGrant, e Entry) (Entry, error)
}

// table is the permission table in force.
var table struct {
	mu   sync.RWMutex
	role map[Role]map[Action]bool
}

func init() { installPermissions(nil) }

// installPermissions puts the defaults changed by grants in force.
func installPermissions(grants []PermissionGrant) {
	next := map[Role]map[Action]bool{}
	for r, acts := range defaultPermissions {
		next[r] = map[Action]bool{}
		for _, a := range acts {
			next[r][a] = true
		}
	}
	for _, g := range grants {
		if g.Role == RoleAdmin || !g.Role.Valid() {
			continue
		}
		if next[g.Role] == nil {
			next[g.Role] = map[Action]bool{}
		}
		next[g.Role][g.Action] = g.Allowed
	}
	table.mu.Lock()
	table.role = next
	table.mu.Unlock()
}

func permitted(r Role, a Action) bool {
	table.mu.RLock()
	defer table.mu.RUnlock()
	return table.role[r][a]
}

// RoleActions returns what the role may do now, in the order of Actions.
func RoleActions(r Role) []Action {
	var out []Action
	for _, a := range Actions {
		if r.Can(a) {
			out = append(out, a)
		}
	}
	return out
}

// ResetPermissions puts the defaults back in force in this process (tests).
func ResetPermissions() { installPermissions(nil) }

// Permissions is the service that changes the table.
type Permissions struct {
	store PermissionStore
	rec   *Recorder
	mu    sync.Mutex // one change at a time: each is computed from the table in force
}

// NewPermissions builds the service; it folds every journaled change back from the store.
func NewPermissions(st PermissionStore, rec *Recorder) *Permissions {
	p := &Permissions{store: st, rec: rec}
	rec.Bus.Fold(reloadOn("permissions", p.Load, KindPermissionsChanged))
	return p
}

// Load puts the stored table in force.
func (p *Permissions) Load(ctx context.Context) error {
	grants, err := p.store.PermissionGrants(ctx)
	if err != nil {
		return err
	}
	installPermissions(grants)
	return nil
}

// Set gives role exactly the actions allowed (administrators; the administrator's own rights
// cannot be changed). Nothing to change: CodeUnchanged.
func (p *Permissions) Set(ctx context.Context, actor *Operator, role Role, allowed []Action) error {
	if err := Authorize(actor, ActManageOperators); err != nil {
		return err
	}
	if !role.Valid() {
		return Errorf(CodeInvalid, "Unknown role {{.Role}}", "Role", role)
	}
	if role == RoleAdmin {
		return Errorf(CodeInvalid, "An administrator may do everything: that cannot be changed")
	}
	want := map[Action]bool{}
	for _, a := range allowed {
		if !knownAction(a) {
			return Errorf(CodeInvalid, "Unknown action {{.Action}}", "Action", a)
		}
		want[a] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := PermissionChange{Role: role}
	for _, a := range Actions {
		switch now := role.Can(a); {
		case want[a] && !now:
			ch.Granted = append(ch.Granted, a)
		case !want[a] && now:
			ch.Revoked = append(ch.Revoked, a)
		}
	}
	if len(ch.Granted)+len(ch.Revoked) == 0 {
		return ErrUnchanged()
	}
	// The stored grants: every role's difference from the defaults, this role's as wanted.
	var grants []PermissionGrant
	for _, r := range Roles {
		if r == RoleAdmin {
			continue
		}
		for _, a := range Actions {
			has := r.Can(a)
			if r == role {
				has = want[a]
			}
			if has != isDefault(r, a) {
				grants = append(grants, PermissionGrant{Role: r, Action: a, Allowed: has})
			}
		}
	}
	sort.Slice(grants, func(i, j int) bool {
		if grants[i].Role != grants[j].Role {
			return grants[i].Role < grants[j].Role
		}
		return grants[i].Action < grants[j].Action
	})
	e, err := p.store.SavePermissionGrants(ctx, grants, NewEntry(KindPermissionsChanged, "role:"+string(role), actor.Username, ch))
	if err != nil {
		return err
	}
	p.rec.Published(e)
	return nil
}

func isDefault(r Role, a Action) bool {
	for _, x := range defaultPermissions[r] {
		if x == a {
			return true
		}
	}
	return false
}

func knownAction(a Action) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}
