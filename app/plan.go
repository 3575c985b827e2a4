package app

import (
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

// Level is an emergency response level: I is the most severe, IV the least.
type Level int

const (
	LevelI   Level = 1
	LevelII  Level = 2
	LevelIII Level = 3
	LevelIV  Level = 4
)

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

// Valid reports whether l is I–IV.
func (l Level) Valid() bool { return l >= LevelI && l <= LevelIV }

// Step is one thing to do in a plan.
type Step struct {
	ID        string   `json:"id"`
	Phase     Phase    `json:"phase"`
	Title     string   `json:"title"`
	TitleEn   string   `json:"title_en,omitempty"`
	Role      string   `json:"role"`            // responsible role: commander, guard, grid worker, property, volunteer…
	Limit     Duration `json:"limit,omitempty"` // to be done within this time of activation; 0: no limit
	Contacts  []string `json:"contacts,omitempty"`
	Supplies  []string `json:"supplies,omitempty"`
	DependsOn []string `json:"depends_on,omitempty"`
	// MinLevel: the step applies only at this level or a more severe one (0: always).
	MinLevel Level `json:"min_level,omitempty"`
}

// Plan is an emergency plan (预案): steps to follow when something happens.
type Plan struct {
	ID string `json:"id"`
	Names
	AlarmKinds []string `json:"alarm_kinds,omitempty"` // alarm kinds that suggest this plan
	Roles      []string `json:"roles,omitempty"`
	Levels     []string `json:"levels,omitempty"` // what each level I–IV adds, in words
	Steps      []Step   `json:"steps"`
}

// Validate checks a plan: unique step IDs, known phases, dependencies that exist and do
// not loop.
func (pl *Plan) Validate() error {
	var p Problems
	checkID(&p, "id", pl.ID)
	checkName(&p, "name", pl.Name)
	if len(pl.Steps) == 0 {
		p.Add("steps", "Plan {{.ID}} has no steps", "ID", pl.ID)
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
		valid := false
		for _, ph := range Phases {
			valid = valid || s.Phase == ph
		}
		if !valid {
			p.Add("steps.phase", "Step {{.ID}} has unknown phase {{.Phase}}", "ID", s.ID, "Phase", s.Phase)
		}
		if s.Limit < 0 {
			p.Add("steps.limit", "Step {{.ID}} has a negative time limit", "ID", s.ID)
		}
		if s.MinLevel != 0 && !s.MinLevel.Valid() {
			p.Add("steps.min_level", "Step {{.ID}} has an unknown level", "ID", s.ID)
		}
	}
	for _, s := range pl.Steps {
		for _, d := range s.DependsOn {
			if ids[d] == nil {
				p.Add("steps.depends_on", "Step {{.ID}} depends on unknown step {{.Dep}}", "ID", s.ID, "Dep", d)
			}
		}
	}
	if len(p) == 0 && hasCycle(pl.Steps) {
		p.Add("steps.depends_on", "The steps of plan {{.ID}} depend on each other in a circle", "ID", pl.ID)
	}
	return p.Err()
}

func hasCycle(steps []Step) bool {
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
	var visit func(string) bool
	visit = func(id string) bool {
		switch state[id] {
		case active:
			return true
		case done:
			return false
		}
		state[id] = active
		for _, d := range deps[id] {
			if visit(d) {
				return true
			}
		}
		state[id] = done
		return false
	}
	for _, s := range steps {
		if visit(s.ID) {
			return true
		}
	}
	return false
}

// StepsAt returns the steps that apply at a level.
func (pl *Plan) StepsAt(l Level) []Step {
	var out []Step
	for _, s := range pl.Steps {
		if s.MinLevel == 0 || l <= s.MinLevel {
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

// StepProgress records who ticked or skipped a step, when, and why.
type StepProgress struct {
	StepID string     `json:"step"`
	Status StepStatus `json:"status"`
	By     string     `json:"by,omitempty"`
	At     time.Time  `json:"at,omitempty"`
	Reason string     `json:"reason,omitempty"` // required when skipped
}

// Incident is an emergency being handled from a plan.
type Incident struct {
	ID       int64          `json:"id"`
	Title    string         `json:"title"`
	PlanID   string         `json:"plan,omitempty"`
	Level    Level          `json:"level"`
	State    IncidentState  `json:"state"`
	Drill    bool           `json:"drill,omitempty"`
	AlarmIDs []int64        `json:"alarms,omitempty"`
	OpenedBy string         `json:"opened_by"`
	OpenedAt time.Time      `json:"opened_at"`
	Progress []StepProgress `json:"progress,omitempty"`
	ClosedBy string         `json:"closed_by,omitempty"`
	ClosedAt time.Time      `json:"closed_at,omitempty"`
	Summary  string         `json:"summary,omitempty"`
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
	return p.Err()
}
