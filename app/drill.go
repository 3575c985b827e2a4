package app

import (
	"encoding/json"
	"strconv"
	"time"
)

// The journal kinds of a drill run. Recording and replay read them: never rename them.
const (
	KindDrillStarted  EntryKind = "drill.started"  // Data: DrillRun; its Seq is the run's ID
	KindDrillInjected EntryKind = "drill.injected" // Data: DrillInjection
	KindDrillStopped  EntryKind = "drill.stopped"  // Data: DrillRun with EndedAt and Score
)

// SubjectDrill is the subject of a drill run's entries.
func SubjectDrill(run int64) string { return "drill:" + strconv.FormatInt(run, 10) }

// DrillRun is one run of a drill scenario, as journaled when it starts and when it stops.
type DrillRun struct {
	ID        int64       `json:"id"` // the Seq of its drill.started entry
	Scenario  string      `json:"scenario"`
	Name      string      `json:"name"`
	NameEn    string      `json:"name_en,omitempty"`
	PlanID    string      `json:"plan,omitempty"`
	Cameras   []string    `json:"cameras,omitempty"` // cameras near the drill's devices and cameras
	StartedAt time.Time   `json:"started_at"`
	Version   int         `json:"version,omitempty"` // the scenario's version it ran
	By        string      `json:"by"`                // who started it
	EndedAt   *time.Time  `json:"ended_at,omitempty"`
	EndedBy   string      `json:"ended_by,omitempty"`
	Score     *DrillScore `json:"score,omitempty"`
}

// Names returns the run's names for display.
func (r *DrillRun) Names() Names { return Names{Name: r.Name, NameEn: r.NameEn} }

// DrillInjection is what one timed injection of a run did.
type DrillInjection struct {
	Run  int64    `json:"run"`
	At   Duration `json:"at"`   // its offset from the start of the run
	What string   `json:"what"` // InjectDevice, InjectDetection or InjectNote
	// Device, Camera and Note say what was injected; Alarms what it raised.
	Device string  `json:"device,omitempty"`
	Camera string  `json:"camera,omitempty"`
	Note   string  `json:"note,omitempty"`
	NoteEn string  `json:"note_en,omitempty"`
	Alarms []int64 `json:"alarms,omitempty"` // the alarms it raised (device messages)
	Error  string  `json:"error,omitempty"`  // why it could not be injected
}

// DisplayNote returns the English note when asked and present.
func (in *DrillInjection) DisplayNote(english bool) string {
	if english && in.NoteEn != "" {
		return in.NoteEn
	}
	return in.Note
}

// StampDrillRun gives a drill.started entry its run ID once the journal has assigned its
// sequence number: the run's ID is that number, like an alarm's. Journals call it while
// appending, so the entry on disk already carries its own ID.
func StampDrillRun(e *Entry) {
	if e.Kind != KindDrillStarted || e.Seq == 0 {
		return
	}
	e.Subject = SubjectDrill(e.Seq)
	var run DrillRun
	if json.Unmarshal(e.Data, &run) != nil || run.ID == e.Seq {
		return
	}
	run.ID = e.Seq
	if b, err := json.Marshal(run); err == nil {
		e.Data = b
	}
}

// DrillRunOf reads the run of a drill.started or drill.stopped entry.
func DrillRunOf(e *Entry) (DrillRun, error) {
	var run DrillRun
	if err := e.Decode(&run); err != nil {
		return run, err
	}
	if run.ID == 0 && e.Kind == KindDrillStarted {
		run.ID = e.Seq
	}
	return run, nil
}

// Journal kinds of drill scenarios (not drill events themselves: editing a scenario is
// not part of a drill). The journal is where scenarios are kept: each entry holds the
// whole scenario, and the service folds them at start.
const (
	KindDrillScenarioSeeded  EntryKind = "drill.scenario_seeded"  // Data: DrillScenario (a default, first seen)
	KindDrillScenarioSaved   EntryKind = "drill.scenario_saved"   // Data: DrillScenario
	KindDrillScenarioDeleted EntryKind = "drill.scenario_deleted" // Data: {"id"}
)

// SubjectDrillScenario is the subject of a scenario's entries. It sorts apart from the
// runs' "drill:" so that a subject query for either never meets the other.
func SubjectDrillScenario(id string) string { return "drill-scenario:" + id }
