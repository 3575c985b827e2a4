package app

import (
	"context"
	"strings"
	"time"
)

// Setting up a real site: a property company's community in an empty store, from the
// console's set-up window or `watchpost init`. A real site starts with its name, the ID its
// devices use in their topics, its time zone and its first administrator; it has no demo
// accounts, no demo supplies, no DEMO badge and no simulators. The default plans and drill
// scenarios are seeded by NewCore as on every first start. Its plan is an empty square
// (SiteInitBoundary) the administrator redraws; everything else is added later.

// KindSiteSetUp is the journal entry of a real site set up (Data: SiteSetUp), written as the
// new administrator's; the site itself is journaled as site.seeded by the system before it.
const KindSiteSetUp EntryKind = "site.set_up"

// SiteInit is what a new site is set up from. Fields of its Problems (Error.On): name,
// name_en, id, time_zone, language, admin_user, admin_name, password.
type SiteInit struct {
	Names           // the site's name (its language) and, optionally, in English
	ID       string `json:"id"`        // the site ID in device topics (watchpost/<id>/…)
	TimeZone string `json:"time_zone"` // IANA, e.g. Asia/Shanghai
	Language string `json:"language"`  // the console's: zh-CN or en (the configuration file keeps it)
	// The first administrator.
	AdminUser string `json:"admin_user"`
	AdminName string `json:"admin_name"`
}

// The fields of a SiteInit, as its problems name them.
const (
	SiteInitName      = "name"
	SiteInitNameEn    = "name_en"
	SiteInitID        = "id"
	SiteInitTimeZone  = "time_zone"
	SiteInitLanguage  = "language"
	SiteInitAdminUser = "admin_user"
	SiteInitAdminName = "admin_name"
	SiteInitPassword  = "password"
)

// SiteSetUp is the journal data of a site set up (never the password).
type SiteSetUp struct {
	ID       string `json:"id"`
	Names           // the site's names
	TimeZone string `json:"time_zone"`
	Language string `json:"language"`
	Admin    string `json:"admin"` // the first administrator's user name
}

// Normalize trims the texts of the request.
func (r *SiteInit) Normalize() {
	r.Name, r.NameEn = strings.TrimSpace(r.Name), strings.TrimSpace(r.NameEn)
	r.ID, r.TimeZone = strings.TrimSpace(r.ID), strings.TrimSpace(r.TimeZone)
	r.Language = strings.TrimSpace(r.Language)
	r.AdminUser, r.AdminName = strings.TrimSpace(r.AdminUser), strings.TrimSpace(r.AdminName)
}

// Check validates the request, every problem on its field. The password is checked by the
// accounts' policy when the administrator is created (Accounts.Create).
func (r SiteInit) Check() error {
	var p Problems
	checkName(&p, SiteInitName, r.Name)
	if !ValidID(r.ID) {
		p.Add(SiteInitID, "{{.ID}} is not a valid ID: use letters, digits, '-', '_' or '.' (at most 64)", "ID", r.ID)
	}
	if err := CheckTimeZone(r.TimeZone); err != nil {
		p = append(p, err.(*Error).On(SiteInitTimeZone))
	}
	known := false
	for _, l := range Languages {
		known = known || l == r.Language
	}
	if !known {
		p.Add(SiteInitLanguage, "Language {{.L}} is not available (use zh-CN or en)", "L", r.Language)
	}
	admin := r.admin()
	if admin.Username == "" {
		p.Add(SiteInitAdminUser, "A user name is required")
	} else if !ValidID(admin.Username) || admin.Username == SystemActor {
		p.Add(SiteInitAdminUser, "{{.U}} cannot be a user name: use letters, digits, '-', '_' or '.'", "U", admin.Username)
	}
	checkName(&p, SiteInitAdminName, admin.Name)
	return p.Err()
}

// CheckTimeZone checks an IANA time zone name (Asia/Shanghai); an empty one is refused, as
// is "Local" (the machine's, which a site moved to another server would lose).
func CheckTimeZone(name string) error {
	if name == "" {
		return Errorf(CodeInvalid, "A time zone is required (an IANA name such as Asia/Shanghai)").On(SiteInitTimeZone)
	}
	if name == "Local" {
		return Errorf(CodeInvalid, "{{.Z}} is not a time zone: give an IANA name such as Asia/Shanghai", "Z", name).On(SiteInitTimeZone)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return Errorf(CodeInvalid, "{{.Z}} is not a time zone: give an IANA name such as Asia/Shanghai", "Z", name).On(SiteInitTimeZone)
	}
	return nil
}

func (r SiteInit) admin() Operator {
	return Operator{Username: r.AdminUser, Name: r.AdminName, Role: RoleAdmin}
}

// SiteInitBoundary is a new site's plan until the administrator draws its own: a square of
// 200 m, so that the map has something to show and to draw in.
func SiteInitBoundary() Polygon {
	return Polygon{{X: 0, Y: 0}, {X: 200, Y: 0}, {X: 200, Y: 200}, {X: 0, Y: 200}}
}

// Site is the real site the request sets up: no grids, buildings, cameras or devices yet.
func (r SiteInit) Site() *Site {
	return &Site{ID: r.ID, Names: r.Names, TimeZone: r.TimeZone, Boundary: SiteInitBoundary(),
		Grids: []Grid{}, Buildings: []Building{}, Cameras: []Camera{}, Devices: []Device{}}
}

// SetUpSite sets up a real site in an empty store: its first administrator (through
// Accounts.Create, so the password policy applies; journaled as the system's), then the site
// (site.seeded, the system's), then site.set_up as the new administrator's. A store that
// holds a site or any account already is refused and left as it is; so is a request with a
// problem, before anything is written. It returns the administrator.
func (c *Core) SetUpSite(ctx context.Context, r SiteInit, password string) (*Operator, error) {
	r.Normalize()
	if s := c.Inventory.Site(); s != nil {
		return nil, Errorf(CodeConflict, "This data directory already holds the site {{.Name}} ({{.ID}})", "Name", s.Name, "ID", s.ID)
	}
	if n, err := c.Accounts.Count(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, Errorf(CodeConflict, "This data directory already has operator accounts: a site is set up only in an empty one")
	}
	if err := r.Check(); err != nil {
		return nil, err
	}
	site := r.Site()
	if err := site.Validate(); err != nil {
		return nil, err
	}
	admin, err := c.Accounts.Create(ctx, nil, r.admin(), password)
	if err != nil {
		return nil, onSiteInitFields(err)
	}
	if err := c.Inventory.Seed(ctx, site); err != nil {
		return nil, err
	}
	e := NewEntry(KindSiteSetUp, SubjectSite(site.ID), admin.Username,
		SiteSetUp{ID: site.ID, Names: site.Names, TimeZone: r.TimeZone, Language: r.Language, Admin: admin.Username})
	if _, err := c.Recorder.Record(ctx, e); err != nil {
		return nil, err
	}
	c.Log.Info("site set up", "site", site.ID, "name", site.Name, "admin", admin.Username)
	return &admin, nil
}

// onSiteInitFields names an account's problems by the request's fields (the administrator's
// user name and name), so that the set-up window shows each on its own entry.
func onSiteInitFields(err error) error {
	rename := func(e *Error) {
		switch e.Field {
		case "username":
			e.Field = SiteInitAdminUser
		case "name":
			e.Field = SiteInitAdminName
		}
	}
	for _, e := range ProblemsOf(err) {
		rename(e)
	}
	return err
}
