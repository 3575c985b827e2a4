package app

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Shift handover (交接班): the outgoing operator hands the guard room to the incoming one.
// Both sign with their own passwords. What is open at that moment (alarms, incidents,
// overdue checklist steps) and the outgoing operator's note, the duty log (值班日志), are
// journaled in one entry, in the same transaction as the outgoing operator's sign-out and
// the incoming operator's sign-in: the journal never shows one without the others.

// KindShiftHandover is a handover; Data: Handover. Its subject is shift:<seq>, so
// `watchpost journal --subject shift:` lists the duty log.
const KindShiftHandover EntryKind = "shift.handover"

// SubjectShift is the journal subject of a handover: the shift it starts.
func SubjectShift(id int64) string { return "shift:" + strconv.FormatInt(id, 10) }

// StampHandover gives a handover entry its subject shift:<seq> once the journal has
// numbered it (the journal calls it, as it does for alarms and drill runs).
func StampHandover(e *Entry) {
	if e.Kind == KindShiftHandover && e.Seq != 0 {
		e.Subject = SubjectShift(e.Seq)
	}
}

// MaxHandoverNote is the longest duty log note, in characters.
const MaxHandoverNote = 4000

// Handover is one shift handover as journaled.
type Handover struct {
	ID           int64          `json:"id,omitempty"` // its entry's sequence number (filled when read back)
	At           time.Time      `json:"at"`
	Outgoing     string         `json:"outgoing"` // user names; both signed with their passwords
	OutgoingName string         `json:"outgoing_name,omitempty"`
	Incoming     string         `json:"incoming"`
	IncomingName string         `json:"incoming_name,omitempty"`
	Note         string         `json:"note"`
	Open         OpenAtHandover `json:"open"`
}

// OpenAtHandover is what the outgoing shift leaves open to the next one.
type OpenAtHandover struct {
	Alarms    []Alarm            `json:"alarms,omitempty"` // in the desk's order, without their marks and pictures
	Counts    AlarmCounts        `json:"counts,omitempty"` // the open alarms by priority
	Incidents []HandoverIncident `json:"incidents,omitempty"`
	Overdue   []OverdueStep      `json:"overdue,omitempty"` // checklist steps of running incidents past their limit
	// Maintenance lists the devices, grids and kinds in maintenance or test mode (no alarms,
	// or test alarms) and until when.
	Maintenance []Maintenance `json:"maintenance,omitempty"`
}

// Empty reports whether nothing was open.
func (o *OpenAtHandover) Empty() bool {
	return len(o.Alarms) == 0 && len(o.Incidents) == 0 && len(o.Overdue) == 0 && len(o.Maintenance) == 0
}

// AlarmIDs lists the open alarms' IDs.
func (o *OpenAtHandover) AlarmIDs() []int64 {
	out := make([]int64, len(o.Alarms))
	for i, a := range o.Alarms {
		out[i] = a.ID
	}
	return out
}

// HandoverIncident is a running incident at a handover.
type HandoverIncident struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Level  Level  `json:"level"`
	Drill  bool   `json:"drill,omitempty"`
	PlanID string `json:"plan,omitempty"`
}

// OverdueStep is a checklist step of a running incident that is past its time limit.
type OverdueStep struct {
	Incident int64     `json:"incident"`
	Step     string    `json:"step"`
	Title    string    `json:"title"`
	TitleEn  string    `json:"title_en,omitempty"`
	Due      time.Time `json:"due"`
}

// DisplayTitle returns the English title when asked and present.
func (s *OverdueStep) DisplayTitle(english bool) string {
	if english && s.TitleEn != "" {
		return s.TitleEn
	}
	return s.Title
}

// HandoverRequest is what the handover dialog collects: the outgoing operator's password
// (signed in is not enough: the handover is signed), the incoming operator's name and
// password, and the duty log note.
type HandoverRequest struct {
	OutgoingPassword string
	Incoming         string
	IncomingPassword string
	Note             string
}

// Shifts hands the guard room's shift over and reads the duty log back.
type Shifts struct {
	acc       *Accounts
	desk      *AlarmDesk
	incidents *Incidents // nil: no incident command in this process
	rec       *Recorder
	clock     Clock
	arming    *Arming // nil: no maintenance to pass on
}

// UseArming has the handover pass on the maintenances and tests running.
func (s *Shifts) UseArming(a *Arming) { s.arming = a }

// NewShifts builds the service.
func NewShifts(acc *Accounts, desk *AlarmDesk, incidents *Incidents, rec *Recorder, clock Clock) *Shifts {
	return &Shifts{acc: acc, desk: desk, incidents: incidents, rec: rec, clock: clock}
}

// OpenNow is what is open at this moment: what a handover would pass on.
func (s *Shifts) OpenNow() OpenAtHandover {
	var o OpenAtHandover
	o.Counts = AlarmCounts{}
	for _, a := range s.desk.Open() {
		// The journal keeps the alarm itself; the handover names it and what it was.
		a.Ack, a.Dispatch, a.Resolve, a.Image, a.Position = nil, nil, nil, "", nil
		o.Alarms = append(o.Alarms, a)
		o.Counts[a.Priority]++
	}
	if s.arming != nil {
		o.Maintenance = s.arming.Maintenances(s.clock.Now())
	}
	if s.incidents == nil {
		return o
	}
	now := s.clock.Now()
	for _, in := range s.incidents.Running() {
		o.Incidents = append(o.Incidents, HandoverIncident{ID: in.ID, Title: in.Title, Level: in.Level, Drill: in.Drill, PlanID: in.PlanID})
		for _, it := range in.Checklist(now) {
			if it.Applicable && it.Urgency == UrgencyOverdue {
				o.Overdue = append(o.Overdue, OverdueStep{Incident: in.ID, Step: it.Step.ID, Title: it.Step.Title, TitleEn: it.Step.TitleEn, Due: it.Due})
			}
		}
	}
	return o
}

// Handover hands the shift from the signed-in operator to the incoming one. Both passwords
// are checked (a wrong one journals nothing and counts towards the sign-in lockout); both
// must be allowed to keep the guard room. It journals the handover with what is open and
// the note, the outgoing operator's sign-out and the incoming operator's sign-in in one
// transaction, and returns the incoming operator, now signed in.
func (s *Shifts) Handover(ctx context.Context, outgoing *Operator, req HandoverRequest) (*Operator, Handover, error) {
	if err := Authorize(outgoing, ActHandOver); err != nil {
		return nil, Handover{}, err
	}
	note := strings.TrimSpace(req.Note)
	incoming := strings.TrimSpace(req.Incoming)
	var p Problems
	if incoming == "" {
		p.Add("incoming", "Enter the user name of the operator who takes over")
	} else if incoming == outgoing.Username {
		p.Add("incoming", "The shift is handed over to another operator, not to {{.U}}", "U", incoming)
	}
	if note == "" {
		p.Add("note", "Write the duty log: what happened on the shift and what the next shift must know")
	} else if utf8.RuneCountInString(note) > MaxHandoverNote {
		p.Add("note", "The duty log note is too long (at most {{.N}} characters)", "N", MaxHandoverNote)
	}
	if err := p.Err(); err != nil {
		return nil, Handover{}, err
	}
	if _, _, _, err := s.acc.check(ctx, outgoing.Username, req.OutgoingPassword); err != nil {
		if err == errBadCredentials {
			err = Errorf(CodeUnauthenticated, "Your password is wrong").On("outgoing_password")
		}
		return nil, Handover{}, err
	}
	in, _, _, err := s.acc.check(ctx, incoming, req.IncomingPassword)
	if err != nil {
		if err == errBadCredentials {
			err = Errorf(CodeUnauthenticated, "Wrong user name or password of the operator who takes over").On("incoming_password")
		}
		return nil, Handover{}, err
	}
	if !in.Role.Can(ActHandOver) {
		return nil, Handover{}, Errorf(CodeForbidden, "{{.Name}} is a {{.Role}} and cannot take over the guard room", "Name", in.Name, "Role", in.Role.Label()).On("incoming")
	}
	h := Handover{
		At: s.clock.Now(), Outgoing: outgoing.Username, OutgoingName: outgoing.Name,
		Incoming: in.Username, IncomingName: in.Name, Note: note, Open: s.OpenNow(),
	}
	out, err := s.rec.Record(ctx,
		NewEntry(KindShiftHandover, "", outgoing.Username, h), // the journal gives it shift:<seq>
		NewEntry(KindSignedOut, SubjectOperator(outgoing.Username), outgoing.Username, nil),
		NewEntry(KindSignedIn, SubjectOperator(in.Username), in.Username, nil),
	)
	if err != nil {
		return nil, Handover{}, err
	}
	h.ID = out[0].Seq
	return in, h, nil
}

// HandoverOf reads the handover of a shift.handover entry.
func HandoverOf(e *Entry) (Handover, error) {
	var h Handover
	if err := e.Decode(&h); err != nil {
		return h, err
	}
	h.ID = e.Seq
	return h, nil
}

// Recent returns the latest n handovers, newest first: the duty log.
func (s *Shifts) Recent(ctx context.Context, n int) ([]Handover, error) {
	es, err := s.rec.Journal.Query(ctx, JournalQuery{Subject: "shift:", Kinds: []EntryKind{KindShiftHandover}, Latest: n})
	if err != nil {
		return nil, err
	}
	out := make([]Handover, 0, len(es))
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind != KindShiftHandover {
			continue
		}
		h, err := HandoverOf(&es[i])
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, nil
}
