package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Journal kinds of emergency plans.
const (
	KindPlansSeeded  EntryKind = "plan.seeded"   // Data: Plan (each default plan on first start)
	KindPlanCreated  EntryKind = "plan.created"  // Data: Plan
	KindPlanUpdated  EntryKind = "plan.updated"  // Data: Plan
	KindPlanImported EntryKind = "plan.imported" // Data: PlanImport
	KindPlanDeleted  EntryKind = "plan.deleted"  // Data: {"id"}
)

// SubjectPlan is the journal subject of a plan.
func SubjectPlan(id string) string { return "plan:" + id }

// PlanImport is the journal data of an imported plan.
type PlanImport struct {
	Plan Plan   `json:"plan"`
	File string `json:"file,omitempty"`
	Via  string `json:"via,omitempty"` // ImportedInConsole or ImportedByCLI
}

// PlanStore keeps the plans; each write journals its entry in the same transaction.
type PlanStore interface {
	Plans(ctx context.Context) ([]Plan, error) // in the order they were added
	// SavePlans inserts or replaces plans and journals the entries in the same transaction.
	SavePlans(ctx context.Context, plans []Plan, entries ...Entry) ([]Entry, error)
	DeletePlan(ctx context.Context, id string, e Entry) (Entry, error)
}

// Plans keeps the emergency plans. Administrators and trainers edit them; every change is
// validated (with every reason it fails) and journaled with who.
type Plans struct {
	store PlanStore
	rec   *Recorder
	inv   *Inventory
	clock Clock

	mu    sync.RWMutex
	plans []Plan
	write sync.Mutex // one change at a time: IDs and versions stay consistent
}

// NewPlans builds the service; call Load before use. inv (optional) lets plans be checked
// against the site's contacts.
func NewPlans(store PlanStore, rec *Recorder, inv *Inventory, clock Clock) *Plans {
	s := &Plans{store: store, rec: rec, inv: inv, clock: clock}
	rec.Bus.Fold(reloadOn("plans", s.Load, KindPlansSeeded, KindPlanCreated, KindPlanUpdated, KindPlanImported, KindPlanDeleted))
	return s
}

// Load reads the plans.
func (s *Plans) Load(ctx context.Context) error {
	ps, err := s.store.Plans(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.plans = ps
	s.mu.Unlock()
	return nil
}

// List returns the plans in their order.
func (s *Plans) List() []Plan {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Plan, len(s.plans))
	for i := range s.plans {
		out[i] = s.plans[i].Clone()
	}
	return out
}

// Get returns a plan by ID.
func (s *Plans) Get(id string) (Plan, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.plans {
		if p.ID == id {
			return p.Clone(), true
		}
	}
	return Plan{}, false
}

// Suggest returns the plans an alarm of this kind suggests, then the others.
func (s *Plans) Suggest(kind string) (suggested, others []Plan) {
	for _, p := range s.List() {
		if kind != "" && p.SuggestedFor(kind) {
			suggested = append(suggested, p)
		} else {
			others = append(others, p)
		}
	}
	return suggested, others
}

// Check validates a plan and, when a site is set up, that the contacts its steps call are
// in the site's contact network (by ID or role).
func (s *Plans) Check(p *Plan) error { return s.checkKeeping(p, nil) }

// checkKeeping is Check for an edit of prev: a contact prev already called and the site
// lacks is a gap the plans panel shows (plan_gaps.go), not a reason to refuse the edit;
// only a reference the edit brings in must be known (a typo is caught as it is typed).
func (s *Plans) checkKeeping(p, prev *Plan) error {
	var site *Site
	if s.inv != nil {
		site = s.inv.Site()
	}
	return checkPlan(p, site, prev)
}

// CheckPlan validates a plan against a site (nil: only the plan itself).
func CheckPlan(p *Plan, site *Site) error { return checkPlan(p, site, nil) }

func checkPlan(p *Plan, site *Site, prev *Plan) error {
	had := map[string]bool{}
	if prev != nil {
		for _, st := range prev.Steps {
			for _, c := range st.Contacts {
				had[c] = true
			}
		}
	}
	err := p.Validate()
	var probs Problems
	if err != nil {
		if j, ok := err.(*Error); ok && j.Message == "{{.List}}" {
			if u, ok := j.Err.(interface{ Unwrap() []error }); ok {
				for _, x := range u.Unwrap() {
					if e, ok := x.(*Error); ok {
						probs = append(probs, e)
					}
				}
			}
		} else if e, ok := err.(*Error); ok {
			probs = append(probs, e)
		} else {
			return err
		}
	}
	for _, st := range p.Steps {
		for _, c := range st.Contacts {
			if ValidID(c) && !had[c] && !KnownContactRef(site, c) {
				probs.Add("steps.contacts", "Step {{.ID}} calls {{.Contact}}, which is not a contact ID or role", "ID", st.ID, "Contact", c)
			}
		}
	}
	return probs.Err()
}

// normalize trims the texts and drops empty list entries an editor leaves behind.
func normalizePlan(p *Plan) {
	p.ID = strings.TrimSpace(p.ID)
	p.Name = strings.TrimSpace(p.Name)
	p.NameEn = strings.TrimSpace(p.NameEn)
	trim := func(in []string) []string {
		var out []string
		for _, s := range in {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	p.AlarmKinds = trim(p.AlarmKinds)
	for i := range p.Steps {
		st := &p.Steps[i]
		st.ID = strings.TrimSpace(st.ID)
		st.Title = strings.TrimSpace(st.Title)
		st.TitleEn = strings.TrimSpace(st.TitleEn)
		st.Contacts = trim(st.Contacts)
		st.DependsOn = trim(st.DependsOn)
	}
}

// Seed stores the default plans when there are none (first start), journaled as
// plan.seeded by the system. It returns how many it added. Each plan must be valid in
// itself; one that calls a contact the site lacks is seeded all the same and shown
// incomplete (Gaps): a new site has no contacts yet, and must start.
func (s *Plans) Seed(ctx context.Context, defaults []Plan) (int, error) {
	s.write.Lock()
	defer s.write.Unlock()
	if len(s.List()) > 0 || len(defaults) == 0 {
		return 0, nil
	}
	now := s.clock.Now()
	for i := range defaults {
		p := &defaults[i]
		normalizePlan(p)
		p.Version, p.UpdatedBy, p.UpdatedAt = 1, SystemActor, now
		if err := p.Validate(); err != nil {
			return 0, Errorf(CodeInvalid, "The default plan {{.ID}} is not valid: {{.Why}}", "ID", p.ID, "Why", err.Error())
		}
	}
	entries := make([]Entry, len(defaults))
	for i, p := range defaults {
		entries[i] = NewEntry(KindPlansSeeded, SubjectPlan(p.ID), SystemActor, p)
	}
	out, err := s.store.SavePlans(ctx, defaults, entries...)
	if err != nil {
		return 0, err
	}
	s.rec.Published(out...) // the fold reads the plans back before subscribers see the entries
	return len(defaults), nil
}

// save writes one plan (created, updated or imported) and keeps it in memory.
func (s *Plans) save(ctx context.Context, p Plan, mustExist bool, by string, entry func(Plan) Entry) (Plan, error) {
	s.write.Lock()
	defer s.write.Unlock()
	normalizePlan(&p)
	prev, exists := s.Get(p.ID)
	switch {
	case mustExist && !exists:
		return Plan{}, Errorf(CodeNotFound, "There is no plan {{.ID}}", "ID", p.ID)
	case !mustExist && exists:
		return Plan{}, Errorf(CodeConflict, "A plan with the ID {{.ID}} exists already", "ID", p.ID).On("id")
	}
	if exists && samePlan(p, prev) {
		return prev, ErrUnchanged()
	}
	p.Version = prev.Version + 1
	p.UpdatedBy, p.UpdatedAt = by, s.clock.Now()
	var was *Plan
	if exists {
		was = &prev
	}
	if err := s.checkKeeping(&p, was); err != nil {
		return Plan{}, err
	}
	out, err := s.store.SavePlans(ctx, []Plan{p}, entry(p))
	if err != nil {
		return Plan{}, err
	}
	s.rec.Published(out...) // the fold reads the plans back before subscribers see the entry
	return p, nil
}

// samePlan reports whether p is prev again, apart from its version and who saved it when.
func samePlan(p, prev Plan) bool {
	p.Version, p.UpdatedBy, p.UpdatedAt = prev.Version, prev.UpdatedBy, prev.UpdatedAt
	return sameJSON(p, prev)
}

// Create adds a new plan (administrators and trainers).
func (s *Plans) Create(ctx context.Context, op *Operator, p Plan) (Plan, error) {
	if err := Authorize(op, ActEditPlans); err != nil {
		return Plan{}, err
	}
	return s.save(ctx, p, false, op.Username, func(p Plan) Entry {
		return NewEntry(KindPlanCreated, SubjectPlan(p.ID), op.Username, p)
	})
}

// Update changes an existing plan (administrators and trainers). Running incidents keep
// the version they opened with.
func (s *Plans) Update(ctx context.Context, op *Operator, p Plan) (Plan, error) {
	if err := Authorize(op, ActEditPlans); err != nil {
		return Plan{}, err
	}
	return s.save(ctx, p, true, op.Username, func(p Plan) Entry {
		return NewEntry(KindPlanUpdated, SubjectPlan(p.ID), op.Username, p)
	})
}

// ParsePlan reads a plan file (JSON). Unknown fields are refused: a misspelt key would
// otherwise be lost without a word.
func ParsePlan(data []byte) (Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Plan{}, Errorf(CodeInvalid, "The file is not a plan: {{.Why}}", "Why", err.Error()).Wrap(err)
	}
	if dec.More() {
		return Plan{}, Errorf(CodeInvalid, "The file is not a plan: {{.Why}}", "Why", "more than one JSON value")
	}
	return p, nil
}

// Where a plan file was imported from (PlanImport.Via).
const (
	ImportedInConsole = "console" // the Plans panel
	ImportedByCLI     = "cli"     // watchpost plans import
)

// Import checks and adds a plan from a file (administrators and trainers), journaled as
// theirs with the file's name and where it came in (via: ImportedInConsole or
// ImportedByCLI). The command line names its operator too: nobody imports as the system.
func (s *Plans) Import(ctx context.Context, op *Operator, data []byte, file, via string) (Plan, error) {
	if err := Authorize(op, ActEditPlans); err != nil {
		return Plan{}, err
	}
	p, err := ParsePlan(data)
	if err != nil {
		return Plan{}, err
	}
	return s.save(ctx, p, false, op.Username, func(p Plan) Entry {
		return NewEntry(KindPlanImported, SubjectPlan(p.ID), op.Username, PlanImport{Plan: p, File: file, Via: via})
	})
}

// Export returns a plan as an indented JSON file that Import reads back.
func (s *Plans) Export(id string) ([]byte, error) {
	p, ok := s.Get(id)
	if !ok {
		return nil, Errorf(CodeNotFound, "There is no plan {{.ID}}", "ID", id)
	}
	return MarshalPlan(p)
}

// MarshalPlan writes a plan as indented JSON (without its edit history).
func MarshalPlan(p Plan) ([]byte, error) {
	p.Version, p.UpdatedBy, p.UpdatedAt = 0, "", time.Time{}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, Errorf(CodeInternal, "The plan cannot be written").Wrap(err)
	}
	return b.Bytes(), nil
}

// Delete removes a plan (administrators and trainers). Incidents that used it keep their copy.
func (s *Plans) Delete(ctx context.Context, op *Operator, id string) error {
	if err := Authorize(op, ActEditPlans); err != nil {
		return err
	}
	s.write.Lock()
	defer s.write.Unlock()
	if _, ok := s.Get(id); !ok {
		return Errorf(CodeNotFound, "There is no plan {{.ID}}", "ID", id)
	}
	e, err := s.store.DeletePlan(ctx, id, NewEntry(KindPlanDeleted, SubjectPlan(id), op.Username, map[string]string{"id": id}))
	if err != nil {
		return err
	}
	s.rec.Published(e) // the fold reads the plans back before subscribers see the entry
	return nil
}

// History returns the journal entries of a plan, oldest first: who changed it and when.
func (s *Plans) History(ctx context.Context, id string) ([]Entry, error) {
	return s.rec.Journal.Query(ctx, JournalQuery{Subject: SubjectPlan(id)})
}
