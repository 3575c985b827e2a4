package app

import (
	"slices"
	"strings"
	"time"
)

// Phase groups the steps of an emergency plan.
type Phase string

const (
	PhaseAlert    Phase = "alert"
	PhaseRespond  Phase = "respond"
	PhaseEvacuate Phase = "evacuate"
	PhaseRecover  Phase = "recover"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseAlert, PhaseRespond, PhaseEvacuate, PhaseRecover}

// Label is the English name of the phase (the translation key).
func (ph Phase) Label() string {
	switch ph {
	case PhaseAlert:
		return "Alert"
	case PhaseRespond:
		return "Respond"
	case PhaseEvacuate:
		return "Evacuate"
	case PhaseRecover:
		return "Recover"
	}
	return string(ph)
}

// Index is the phase's place in Phases (len(Phases) when unknown).
func (ph Phase) Index() int {
	for i, x := range Phases {
		if x == ph {
			return i
		}
	}
	return len(Phases)
}

// Level is an emergency response level: I is the most severe, IV the least.
type Level int

const (
	LevelI   Level = 1
	LevelII  Level = 2
	LevelIII Level = 3
	LevelIV  Level = 4
)

// Levels lists the levels from the least to the most severe (the order a commander raises them).
var Levels = []Level{LevelIV, LevelIII, LevelII, LevelI}

func (l Level) String() string {
	switch l {
	case LevelI:
		return "I"
	case LevelII:
		return "II"
	case LevelIII:
		return "III"
	case LevelIV:
		return "IV"
	}
	return "?"
}

// Label is the English name of the level (the translation key).
func (l Level) Label() string {
	switch l {
	case LevelI:
		return "Level I"
	case LevelII:
		return "Level II"
	case LevelIII:
		return "Level III"
	case LevelIV:
		return "Level IV"
	}
	return "Any level"
}

// Valid reports whether l is I–IV.
func (l Level) Valid() bool { return l >= LevelI && l <= LevelIV }

// Raised returns the next more severe level (I stays I).
func (l Level) Raised() Level {
	if l > LevelI {
		return l - 1
	}
	return LevelI
}

// Lowered returns the next less severe level (IV stays IV).
func (l Level) Lowered() Level {
	if l < LevelIV {
		return l + 1
	}
	return LevelIV
}

// TeamRole names who carries out a step: the plan lists the roles it uses.
type TeamRole string

// TeamRoles are the roles the console knows by name; a plan may define others.
var TeamRoles = []TeamRole{"commander", "control_room", "guard", "grid_worker", "building_lead", "property", "engineer", "medic", "volunteer", "committee"}

// Label is the English name of a known role (the translation key); others are shown as written.
func (r TeamRole) Label() string {
	switch r {
	case "commander":
		return "Incident commander"
	case "control_room":
		return "Control room operator"
	case "guard":
		return "Security guard"
	case "grid_worker":
		return "Grid worker"
	case "building_lead":
		return "Building leader"
	case "property":
		return "Property staff"
	case "engineer":
		return "Property engineer"
	case "medic":
		return "First aider"
	case "volunteer":
		return "Volunteer"
	case "committee":
		return "Residents' committee"
	}
	return string(r)
}

// Step is one thing to do in a plan.
type Step struct {
	ID       string   `json:"id"`
	Phase    Phase    `json:"phase"`
	Title    string   `json:"title"`
	TitleEn  string   `json:"title_en,omitempty"`
	Detail   string   `json:"detail,omitempty"` // how, in a sentence or two
	DetailEn string   `json:"detail_en,omitempty"`
	Role     TeamRole `json:"role"`            // responsible role: one of the plan's roles
	Limit    Duration `json:"limit,omitempty"` // to be done within this time of activation; 0: no limit
	// Contacts to call: a contact ID of the site, a contact role (fire, police, medical…),
	// "grid_worker" (the incident grid's worker) or "family" (the resident's family).
	Contacts  []string     `json:"contacts,omitempty"`
	Supplies  []SupplyKind `json:"supplies,omitempty"` // supply kinds to take
	DependsOn []string     `json:"depends_on,omitempty"`
	// MinLevel: the step applies only at this level or a more severe one (0: always).
	MinLevel Level `json:"min_level,omitempty"`
}

// DisplayTitle returns the English title when asked and present.
func (s *Step) DisplayTitle(english bool) string {
	if english && s.TitleEn != "" {
		return s.TitleEn
	}
	return s.Title
}

// DisplayDetail returns the English detail when asked and present.
func (s *Step) DisplayDetail(english bool) string {
	if english && s.DetailEn != "" {
		return s.DetailEn
	}
	return s.Detail
}

// AppliesAt reports whether the step is part of the checklist at level l.
func (s *Step) AppliesAt(l Level) bool { return s.MinLevel == 0 || l <= s.MinLevel }

// Plan is an emergency plan (预案): steps to follow when something happens.
type Plan struct {
	ID string `json:"id"`
	Names
	Summary    string     `json:"summary,omitempty"` // when the plan applies, in a sentence
	SummaryEn  string     `json:"summary_en,omitempty"`
	AlarmKinds []string   `json:"alarm_kinds,omitempty"` // alarm kinds that suggest this plan
	Roles      []TeamRole `json:"roles"`
	// Levels says what each level I–IV means and adds (index 0 is level I), in the
	// site's language; LevelsEn in English.
	Levels   []string `json:"levels,omitempty"`
	LevelsEn []string `json:"levels_en,omitempty"`
	// DefaultLevel is the level an incident opens at (IV when not set).
	DefaultLevel Level  `json:"default_level,omitempty"`
	Steps        []Step `json:"steps"`

	Version   int       `json:"version,omitempty"` // raised by every change
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Clone returns a copy of the plan that shares no slice with it: what the plans service
// hands out and keeps, so that an editor changing its copy never changes the saved plan.
func (pl Plan) Clone() Plan {
	pl.AlarmKinds = slices.Clone(pl.AlarmKinds)
	pl.Roles = slices.Clone(pl.Roles)
	pl.Levels, pl.LevelsEn = slices.Clone(pl.Levels), slices.Clone(pl.LevelsEn)
	pl.Steps = slices.Clone(pl.Steps)
	for i := range pl.Steps {
		st := &pl.Steps[i]
		st.Contacts, st.Supplies, st.DependsOn = slices.Clone(st.Contacts), slices.Clone(st.Supplies), slices.Clone(st.DependsOn)
	}
	return pl
}

// StartLevel is the level an incident of this plan opens at.
func (pl *Plan) StartLevel() Level {
	if pl.DefaultLevel.Valid() {
		return pl.DefaultLevel
	}
	return LevelIV
}

// LevelText says what level l means in this plan, in the asked language.
func (pl *Plan) LevelText(l Level, english bool) string {
	i := int(l) - 1
	if english && i >= 0 && i < len(pl.LevelsEn) && pl.LevelsEn[i] != "" {
		return pl.LevelsEn[i]
	}
	if i >= 0 && i < len(pl.Levels) {
		return pl.Levels[i]
	}
	return ""
}

// DisplaySummary returns the English summary when asked and present.
func (pl *Plan) DisplaySummary(english bool) string {
	if english && pl.SummaryEn != "" {
		return pl.SummaryEn
	}
	return pl.Summary
}

// Step returns the step with the given ID.
func (pl *Plan) Step(id string) (*Step, bool) {
	for i := range pl.Steps {
		if pl.Steps[i].ID == id {
			return &pl.Steps[i], true
		}
	}
	return nil, false
}

// HasRole reports whether the plan lists the role.
func (pl *Plan) HasRole(r TeamRole) bool {
	for _, x := range pl.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// SuggestedFor reports whether an alarm of this kind suggests the plan.
func (pl *Plan) SuggestedFor(kind string) bool {
	for _, k := range pl.AlarmKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Validate checks a plan and reports every problem: step IDs that are not unique,
// unknown phases and roles, dependencies on missing steps or in a circle.
func (pl *Plan) Validate() error {
	var p Problems
	checkID(&p, "id", pl.ID)
	checkName(&p, "name", pl.Name)
	if len(pl.Steps) == 0 {
		p.Add("steps", "Plan {{.ID}} has no steps", "ID", pl.ID)
	}
	if len(pl.Levels) > 4 || len(pl.LevelsEn) > 4 {
		p.Add("levels", "A plan describes at most four levels (I to IV)")
	}
	if pl.DefaultLevel != 0 && !pl.DefaultLevel.Valid() {
		p.Add("default_level", "Plan {{.ID}} opens at an unknown level", "ID", pl.ID)
	}
	for _, k := range pl.AlarmKinds {
		if !ValidID(k) {
			p.Add("alarm_kinds", "{{.Kind}} is not an alarm kind", "Kind", k)
		}
	}
	roles := map[TeamRole]bool{}
	for _, r := range pl.Roles {
		if !ValidID(string(r)) {
			p.Add("roles", "{{.Role}} cannot be a role: use letters, digits, '-', '_' or '.'", "Role", r)
		}
		if roles[r] {
			p.Add("roles", "The role {{.Role}} is listed twice", "Role", r)
		}
		roles[r] = true
	}
	ids := map[string]*Step{}
	for i := range pl.Steps {
		s := &pl.Steps[i]
		checkID(&p, "steps.id", s.ID)
		if ids[s.ID] != nil {
			p.Add("steps.id", "Step {{.ID}} appears twice", "ID", s.ID)
		}
		ids[s.ID] = s
		if strings.TrimSpace(s.Title) == "" {
			p.Add("steps.title", "Step {{.ID}} needs a title", "ID", s.ID)
		}
		if s.Phase.Index() == len(Phases) {
			p.Add("steps.phase", "Step {{.ID}} has unknown phase {{.Phase}}", "ID", s.ID, "Phase", s.Phase)
		}
		if !roles[s.Role] {
			if s.Role == "" {
				p.Add("steps.role", "Step {{.ID}} needs a responsible role", "ID", s.ID)
			} else {
				p.Add("steps.role", "Step {{.ID}} is for role {{.Role}}, which the plan does not list", "ID", s.ID, "Role", s.Role)
			}
		}
		if s.Limit < 0 {
			p.Add("steps.limit", "Step {{.ID}} has a negative time limit", "ID", s.ID)
		}
		if s.MinLevel != 0 && !s.MinLevel.Valid() {
			p.Add("steps.min_level", "Step {{.ID}} has an unknown level", "ID", s.ID)
		}
		for _, c := range s.Contacts {
			if !ValidID(c) {
				p.Add("steps.contacts", "Step {{.ID}} calls {{.Contact}}, which is not a contact ID or role", "ID", s.ID, "Contact", c)
			}
		}
		for _, k := range s.Supplies {
			if !k.Valid() {
				p.Add("steps.supplies", "Step {{.ID}} needs unknown supply kind {{.Kind}}", "ID", s.ID, "Kind", k)
			}
		}
	}
	for _, s := range pl.Steps {
		for _, d := range s.DependsOn {
			if ids[d] == nil {
				p.Add("steps.depends_on", "Step {{.ID}} depends on unknown step {{.Dep}}", "ID", s.ID, "Dep", d)
			} else if d == s.ID {
				p.Add("steps.depends_on", "Step {{.ID}} depends on itself", "ID", s.ID)
			}
		}
	}
	if len(p) == 0 {
		if cyc := findCycle(pl.Steps); len(cyc) > 0 {
			p.Add("steps.depends_on", "The steps of plan {{.ID}} depend on each other in a circle: {{.Steps}}", "ID", pl.ID, "Steps", strings.Join(cyc, " → "))
		}
	}
	return p.Err()
}

// findCycle returns the steps of a dependency circle (the first repeated at the end), or nil.
func findCycle(steps []Step) []string {
	deps := map[string][]string{}
	for _, s := range steps {
		deps[s.ID] = s.DependsOn
	}
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var path []string
	var cycle []string
	var visit func(string) bool
	visit = func(id string) bool {
		switch state[id] {
		case active:
			for i, x := range path {
				if x == id {
					cycle = append(append([]string{}, path[i:]...), id)
				}
			}
			return true
		case done:
			return false
		}
		state[id] = active
		path = append(path, id)
		for _, d := range deps[id] {
			if visit(d) {
				return true
			}
		}
		path = path[:len(path)-1]
		state[id] = done
		return false
	}
	for _, s := range steps {
		if visit(s.ID) {
			return cycle
		}
	}
	return nil
}

// StepsAt returns the steps that apply at a level.
func (pl *Plan) StepsAt(l Level) []Step {
	var out []Step
	for _, s := range pl.Steps {
		if s.AppliesAt(l) {
			out = append(out, s)
		}
	}
	return out
}

// IncidentState is open or closed.
type IncidentState string

const (
	IncidentOpen   IncidentState = "open"
	IncidentClosed IncidentState = "closed"
)

// StepStatus is the progress of one checklist step.
type StepStatus string

const (
	StepPending StepStatus = "pending"
	StepDone    StepStatus = "done"
	StepSkipped StepStatus = "skipped"
)

// Label is the English name of a step status (the translation key).
func (s StepStatus) Label() string {
	switch s {
	case StepPending:
		return "To do"
	case StepDone:
		return "Done"
	case StepSkipped:
		return "Skipped (status)" // shown as "Skipped" (en.json): "Skipped" alone names skipped video frames
	}
	return string(s)
}

// StepProgress records who ticked or skipped a step, when, and why.
type StepProgress struct {
	StepID string     `json:"step"`
	Status StepStatus `json:"status"`
	By     string     `json:"by,omitempty"`
	ByName string     `json:"by_name,omitempty"`
	At     time.Time  `json:"at,omitzero"`
	Level  Level      `json:"level,omitempty"`  // the incident's level at the time
	Reason string     `json:"reason,omitempty"` // required when skipped
	Note   string     `json:"note,omitempty"`
}

// Incident is an emergency being handled from a plan.
type Incident struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	PlanID string `json:"plan,omitempty"`
	// Plan is the plan as it was when the incident opened: later edits of the plan do not
	// change a running checklist.
	Plan      *Plan          `json:"plan_snapshot,omitempty"`
	Level     Level          `json:"level"`
	State     IncidentState  `json:"state"`
	Drill     bool           `json:"drill,omitempty"`
	Kind      string         `json:"kind,omitempty"` // the alarm kind it was opened for
	AlarmIDs  []int64        `json:"alarms,omitempty"`
	DeviceIDs []string       `json:"devices,omitempty"` // the devices of its alarms (a resident's bracelet…)
	GridID    string         `json:"grid,omitempty"`
	Building  string         `json:"building,omitempty"`
	Position  *Point         `json:"position,omitempty"`
	OpenedBy  string         `json:"opened_by"`
	OpenedAt  time.Time      `json:"opened_at"`
	Progress  []StepProgress `json:"progress,omitempty"`
	Levels    []LevelChange  `json:"levels,omitempty"` // every level it had; the first is the opening level
	Calls     []CallRecord   `json:"calls,omitempty"`
	Notes     []IncidentNote `json:"notes,omitempty"`
	ClosedBy  string         `json:"closed_by,omitempty"`
	ClosedAt  time.Time      `json:"closed_at,omitzero"`
	Summary   string         `json:"summary,omitempty"`
	Outcome   Outcome        `json:"outcome,omitempty"` // what it turned out to be (set when it closed)
}

// Validate checks an incident.
func (in *Incident) Validate() error {
	var p Problems
	if strings.TrimSpace(in.Title) == "" {
		p.Add("title", "An incident needs a title")
	}
	if !in.Level.Valid() {
		p.Add("level", "An incident's level must be I to IV")
	}
	switch in.State {
	case IncidentOpen:
	case IncidentClosed:
		if strings.TrimSpace(in.Summary) == "" {
			p.Add("summary", "Closing an incident needs a summary")
		}
	default:
		p.Add("state", "Unknown incident state {{.State}}", "State", in.State)
	}
	if in.OpenedBy == "" || in.OpenedAt.IsZero() {
		p.Add("opened_by", "An incident must record who opened it and when")
	}
	for _, s := range in.Progress {
		if s.Status == StepSkipped && strings.TrimSpace(s.Reason) == "" {
			p.Add("progress", "Skipping step {{.ID}} needs a reason", "ID", s.StepID)
		}
	}
	if in.Plan != nil {
		if err := in.Plan.Validate(); err != nil {
			p = append(p, Errorf(CodeInvalid, "The incident's plan is not valid: {{.Why}}", "Why", err.Error()).On("plan"))
		}
	}
	return p.Err()
}
