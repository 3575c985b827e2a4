package app

import (
	"slices"
	"strings"
	"time"
)

// The order set-up is the site's categories of orders, its teams and its dispatch rules, one
// document that administrators edit (every change journaled) and that every new order is
// dispatched by.

// KindOrderSetupChanged is an administrator's change of the categories, teams or rules.
// Data: OrderSetup.
const KindOrderSetupChanged EntryKind = "orders.setup_changed"

// OrderCategory is a kind of order with its time limits and who verifies it.
type OrderCategory struct {
	ID string `json:"id"`
	Names
	Priority     Priority `json:"priority"`
	AcceptWithin Duration `json:"accept_within"` // an order not accepted by then escalates
	DoneWithin   Duration `json:"done_within"`   // an order not done by then escalates
	// VerifiedBy is the role whose members verify and close a done order (an administrator
	// may always).
	VerifiedBy Role `json:"verified_by"`
	// PhotoRequired: a done order needs a photo as proof.
	PhotoRequired bool `json:"photo_required,omitempty"`
}

// Team is a group of people who take orders: a grid's workers, the property's repair crew.
// Members see the team's orders and the first to accept takes one. The leader is whom an
// overdue order of the team's grids escalates to first.
type Team struct {
	ID string `json:"id"`
	Names
	Members []string `json:"members"`          // user names
	Leader  string   `json:"leader,omitempty"` // user name
	Grids   []string `json:"grids,omitempty"`  // the grids this team is the grid team of
	// Robot is the team's group chat robot (WeCom or DingTalk) new and escalated orders are
	// posted to; nil: none.
	Robot *GroupRobot `json:"robot,omitempty"`
}

// GroupRobot is a group chat robot's webhook (the secret signs DingTalk's requests). The
// webhook's key and the secret are the site's secrets: never journaled in clear (the store
// seals main_url-like secrets; see Redacted).
type GroupRobot struct {
	Kind    string `json:"kind"` // wecom or dingtalk
	Webhook string `json:"webhook"`
	Secret  string `json:"secret,omitempty"`
}

// DispatchRule gives new orders to a team or a person: those of its categories (any when
// none), in its grids or buildings (anywhere when none), during its hours (any time when
// nil). The first rule that matches assigns.
type DispatchRule struct {
	ID         string   `json:"id"`
	Categories []string `json:"categories,omitempty"`
	Grids      []string `json:"grids,omitempty"`
	Buildings  []string `json:"buildings,omitempty"`
	Hours      *Window  `json:"hours,omitempty"` // Days and Start–End (crossing midnight allowed)
	Team       string   `json:"team,omitempty"`
	Person     string   `json:"person,omitempty"`
}

// OrderSetup is the whole set-up.
type OrderSetup struct {
	Categories []OrderCategory `json:"categories"`
	Teams      []Team          `json:"teams"`
	Rules      []DispatchRule  `json:"rules"`
	// Fallback takes what no rule matches (a team or a person); none: the order waits on the
	// board for an operator.
	FallbackTeam   string `json:"fallback_team,omitempty"`
	FallbackPerson string `json:"fallback_person,omitempty"`
	// PropertyManager is whom an overdue order escalates to after the grid's leader.
	PropertyManager string `json:"property_manager,omitempty"`
}

// Category returns the category id.
func (s *OrderSetup) Category(id string) (*OrderCategory, bool) {
	for i := range s.Categories {
		if s.Categories[i].ID == id {
			return &s.Categories[i], true
		}
	}
	return nil, false
}

// Team returns the team id.
func (s *OrderSetup) Team(id string) (*Team, bool) {
	for i := range s.Teams {
		if s.Teams[i].ID == id {
			return &s.Teams[i], true
		}
	}
	return nil, false
}

// GridTeam returns the team whose grids include grid.
func (s *OrderSetup) GridTeam(grid string) (*Team, bool) {
	for i := range s.Teams {
		if slices.Contains(s.Teams[i].Grids, grid) {
			return &s.Teams[i], true
		}
	}
	return nil, false
}

// Order categories every site starts with (administrators add, rename and retime them).
const (
	CatFireHazard = "fire_hazard"  // 消防隐患
	CatClutter    = "clutter"      // 楼道堆物
	CatEBike      = "ebike"        // e-bike charging indoors
	CatFacility   = "facility"     // facility damage
	CatOrder      = "public_order" // public order
	CatSanitation = "sanitation"
	CatCare       = "elderly_care"
	CatDevice     = "device_fault" // a device's fault (automatic)
	CatSupplies   = "supplies"     // emergency supplies expired or short (automatic)
	CatOther      = "other"
)

// DefaultOrderCategories are the categories of a new site.
func DefaultOrderCategories() []OrderCategory {
	h := func(n float64) Duration { return Duration(time.Duration(n * float64(time.Hour))) }
	return []OrderCategory{
		{ID: CatFireHazard, Names: Names{Name: "消防隐患", NameEn: "Fire hazard"}, Priority: P2, AcceptWithin: h(0.5), DoneWithin: h(2), VerifiedBy: RoleOperator, PhotoRequired: true},
		{ID: CatClutter, Names: Names{Name: "楼道堆物", NameEn: "Corridor or exit clutter"}, Priority: P3, AcceptWithin: h(1), DoneWithin: h(24), VerifiedBy: RoleGridWorker, PhotoRequired: true},
		{ID: CatEBike, Names: Names{Name: "电动车违规充电", NameEn: "E-bike charging indoors"}, Priority: P2, AcceptWithin: h(0.5), DoneWithin: h(2), VerifiedBy: RoleGridWorker, PhotoRequired: true},
		{ID: CatFacility, Names: Names{Name: "设施损坏", NameEn: "Facility damage"}, Priority: P3, AcceptWithin: h(2), DoneWithin: h(48), VerifiedBy: RoleProperty, PhotoRequired: true},
		{ID: CatOrder, Names: Names{Name: "治安秩序", NameEn: "Public order"}, Priority: P2, AcceptWithin: h(0.5), DoneWithin: h(4), VerifiedBy: RoleOperator},
		{ID: CatSanitation, Names: Names{Name: "环境卫生", NameEn: "Sanitation"}, Priority: P4, AcceptWithin: h(4), DoneWithin: h(48), VerifiedBy: RoleProperty},
		{ID: CatCare, Names: Names{Name: "老人关怀", NameEn: "Elderly care"}, Priority: P2, AcceptWithin: h(1), DoneWithin: h(4), VerifiedBy: RoleOperator},
		{ID: CatDevice, Names: Names{Name: "设备故障", NameEn: "Device fault"}, Priority: P3, AcceptWithin: h(4), DoneWithin: h(72), VerifiedBy: RoleProperty},
		{ID: CatSupplies, Names: Names{Name: "应急物资", NameEn: "Emergency supplies"}, Priority: P3, AcceptWithin: h(8), DoneWithin: h(7 * 24), VerifiedBy: RoleProperty},
		{ID: CatOther, Names: Names{Name: "其他", NameEn: "Other"}, Priority: P3, AcceptWithin: h(2), DoneWithin: h(48), VerifiedBy: RoleOperator},
	}
}

// Limits of the set-up.
const (
	MaxOrderCategories = 50
	MaxTeams           = 100
	MaxTeamMembers     = 200
	MaxDispatchRules   = 500
)

// Validate checks the set-up against the site and the accounts that exist (users: the user
// names of enabled accounts). A rule that cannot match anything (a category, grid, building,
// team or person that does not exist, or hours of no day) is refused with the reason.
func (s *OrderSetup) Validate(site *Site, users map[string]Role) error {
	var p Problems
	if len(s.Categories) == 0 {
		p.Add("categories", "At least one category of orders is needed")
	}
	if len(s.Categories) > MaxOrderCategories {
		p.Add("categories", "At most {{.N}} categories", "N", MaxOrderCategories)
	}
	if len(s.Teams) > MaxTeams {
		p.Add("teams", "At most {{.N}} teams", "N", MaxTeams)
	}
	if len(s.Rules) > MaxDispatchRules {
		p.Add("rules", "At most {{.N}} dispatch rules", "N", MaxDispatchRules)
	}
	seen := map[string]bool{}
	for _, c := range s.Categories {
		switch {
		case !ValidID(c.ID):
			p.Add("categories", "{{.ID}} cannot be a category ID: use letters, digits, '-', '_' or '.'", "ID", c.ID)
		case seen[c.ID]:
			p.Add("categories", "Two categories have the ID {{.ID}}", "ID", c.ID)
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Name) == "" {
			p.Add("categories", "Category {{.ID}} needs a name", "ID", c.ID)
		}
		if !c.Priority.Valid() {
			p.Add("categories", "Category {{.ID}}: priority must be P1 to P4", "ID", c.ID)
		}
		if c.AcceptWithin.D() < time.Minute || c.DoneWithin.D() < c.AcceptWithin.D() || c.DoneWithin.D() > 90*24*time.Hour {
			p.Add("categories", "Category {{.ID}}: the time to accept is at least a minute, and the time to finish at least that and at most 90 days", "ID", c.ID)
		}
		if !c.VerifiedBy.Valid() {
			p.Add("categories", "Category {{.ID}}: unknown role {{.Role}} to verify it", "ID", c.ID, "Role", c.VerifiedBy)
		}
	}
	enabled := func(u string) bool { _, ok := users[u]; return ok }
	seenTeam := map[string]bool{}
	for _, t := range s.Teams {
		switch {
		case !ValidID(t.ID):
			p.Add("teams", "{{.ID}} cannot be a team ID: use letters, digits, '-', '_' or '.'", "ID", t.ID)
		case seenTeam[t.ID]:
			p.Add("teams", "Two teams have the ID {{.ID}}", "ID", t.ID)
		}
		seenTeam[t.ID] = true
		if strings.TrimSpace(t.Name) == "" {
			p.Add("teams", "Team {{.ID}} needs a name", "ID", t.ID)
		}
		if len(t.Members) == 0 {
			p.Add("teams", "Team {{.ID}} has nobody in it", "ID", t.ID)
		}
		if len(t.Members) > MaxTeamMembers {
			p.Add("teams", "Team {{.ID}} has more than {{.N}} members", "ID", t.ID, "N", MaxTeamMembers)
		}
		for _, m := range t.Members {
			if !enabled(m) {
				p.Add("teams", "Team {{.ID}}: there is no enabled account {{.U}}", "ID", t.ID, "U", m)
			}
		}
		if t.Leader != "" && !enabled(t.Leader) {
			p.Add("teams", "Team {{.ID}}: its leader {{.U}} has no enabled account", "ID", t.ID, "U", t.Leader)
		}
		for _, g := range t.Grids {
			if _, ok := site.Grid(g); site != nil && !ok {
				p.Add("teams", "Team {{.ID}}: there is no grid {{.G}}", "ID", t.ID, "G", g)
			}
		}
		if t.Robot != nil {
			if err := t.Robot.Validate(); err != nil {
				p = append(p, err.(*Error)) // the robot's own problem, on its field
			}
		}
	}
	if s.FallbackTeam != "" && !seenTeam[s.FallbackTeam] {
		p.Add("fallback", "There is no team {{.ID}}", "ID", s.FallbackTeam)
	}
	if s.FallbackPerson != "" && !enabled(s.FallbackPerson) {
		p.Add("fallback", "Whoever takes what no rule matches, {{.U}}, has no enabled account", "U", s.FallbackPerson)
	}
	if s.PropertyManager != "" && !enabled(s.PropertyManager) {
		p.Add("property_manager", "The property manager {{.U}} has no enabled account", "U", s.PropertyManager)
	}
	seenRule := map[string]bool{}
	for _, r := range s.Rules {
		s.checkRule(&p, site, users, seenTeam, seen, r, seenRule)
		seenRule[r.ID] = true
	}
	return p.Err()
}

func (s *OrderSetup) checkRule(p *Problems, site *Site, users map[string]Role, teams, cats map[string]bool, r DispatchRule, seen map[string]bool) {
	if !ValidID(r.ID) || seen[r.ID] {
		p.Add("rules", "{{.ID}} cannot be a rule ID (or two rules have it)", "ID", r.ID)
	}
	if (r.Team == "") == (r.Person == "") {
		p.Add("rules", "Rule {{.Rule}} must give its orders to one team or one person", "Rule", r.ID)
	}
	if r.Team != "" && !teams[r.Team] {
		p.Add("rules", "Rule {{.Rule}} cannot match anything: there is no team {{.ID}}", "Rule", r.ID, "ID", r.Team)
	}
	if r.Person != "" {
		if _, ok := users[r.Person]; !ok {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: there is no enabled account {{.ID}}", "Rule", r.ID, "ID", r.Person)
		}
	}
	for _, c := range r.Categories {
		if !cats[c] {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: there is no category {{.ID}}", "Rule", r.ID, "ID", c)
		}
	}
	for _, g := range r.Grids {
		if _, ok := site.Grid(g); site != nil && !ok {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: there is no grid {{.ID}}", "Rule", r.ID, "ID", g)
		}
	}
	for _, b := range r.Buildings {
		if _, ok := site.Building(b); site != nil && !ok {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: there is no building {{.ID}}", "Rule", r.ID, "ID", b)
		}
	}
	if h := r.Hours; h != nil {
		if len(h.Days) == 0 {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: its hours are on no day of the week", "Rule", r.ID)
		}
		if h.Start < 0 || h.Start >= 24*60 || h.End < 0 || h.End >= 24*60 {
			p.Add("rules", "Rule {{.Rule}} cannot match anything: its hours are outside the day", "Rule", r.ID)
		}
	}
	// Grids and buildings both given: a building outside every named grid can never match.
	if len(r.Grids) > 0 && len(r.Buildings) > 0 && site != nil {
		for _, b := range r.Buildings {
			if bb, ok := site.Building(b); ok && !slices.Contains(r.Grids, bb.GridID) {
				p.Add("rules", "Rule {{.Rule}} cannot match anything: building {{.B}} is not in any of its grids", "Rule", r.ID, "B", b)
			}
		}
	}
}

// Validate checks a robot's kind and webhook address.
func (r *GroupRobot) Validate() error {
	switch r.Kind {
	case "wecom":
		if !strings.HasPrefix(r.Webhook, "https://") || !strings.Contains(r.Webhook, "key=") {
			return Errorf(CodeInvalid, "A WeCom robot's webhook is an https:// address with key=…").On("webhook")
		}
	case "dingtalk":
		if !strings.HasPrefix(r.Webhook, "https://") || !strings.Contains(r.Webhook, "access_token=") {
			return Errorf(CodeInvalid, "A DingTalk robot's webhook is an https:// address with access_token=…").On("webhook")
		}
	default:
		return Errorf(CodeInvalid, "Unknown robot kind {{.Kind}}: wecom or dingtalk", "Kind", r.Kind).On("kind")
	}
	return nil
}

// match returns the first rule that takes an order of category cat at place pl at instant t
// (read in loc), or the fallback.
func (s *OrderSetup) match(cat string, pl OrderPlace, t time.Time, loc *time.Location, cal *HolidayCalendar) (team, person, rule string) {
	for _, r := range s.Rules {
		if len(r.Categories) > 0 && !slices.Contains(r.Categories, cat) {
			continue
		}
		if len(r.Grids) > 0 && !slices.Contains(r.Grids, pl.GridID) {
			continue
		}
		if len(r.Buildings) > 0 && !slices.Contains(r.Buildings, pl.Building) {
			continue
		}
		if r.Hours != nil {
			tt := Timetable{Schedule: WeeklySchedule{Windows: []Window{*r.Hours}}, Loc: loc, Calendar: cal}
			if !tt.Active(t) {
				continue
			}
		}
		return r.Team, r.Person, r.ID
	}
	if s.FallbackTeam != "" || s.FallbackPerson != "" {
		return s.FallbackTeam, s.FallbackPerson, "fallback"
	}
	return "", "", ""
}

// Redacted returns the set-up with the robots' webhooks and secrets hidden (for the journal
// and for whoever may not see them).
func (s OrderSetup) Redacted() OrderSetup {
	out := s
	out.Teams = slices.Clone(s.Teams)
	for i := range out.Teams {
		if r := out.Teams[i].Robot; r != nil {
			c := *r
			c.Webhook = redactWebhook(c.Webhook)
			if c.Secret != "" {
				c.Secret = "***"
			}
			out.Teams[i].Robot = &c
		}
	}
	return out
}

// redactWebhook keeps the address up to its query: the key or token is the secret.
func redactWebhook(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?***"
	}
	return u
}
