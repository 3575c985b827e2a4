package app

// A plan is incomplete on a site that lacks someone it calls: a step names a contact ID the
// site does not have (the demo's "property-repair" on a new site), or a contact role (the
// fire brigade) for which the site has no contact yet. Such a site starts all the same: the
// default plans are seeded, the plans panel marks the plan incomplete with each reason, and
// the plan still opens — at 03:00 a commander wants the fire plan's checklist even before
// the property company has typed in the fire brigade's number; the step that calls a
// missing contact says whom the site lacks. What resolves at the incident (the grid's worker,
// the resident's family) is never a gap.

// ContactGap is a contact reference of a step that the site cannot resolve.
type ContactGap struct {
	Step string // the step's ID
	Ref  string // the reference as the plan wrote it
	Role bool   // a contact role with no contact on the site (else an unknown contact ID)
}

// Problem says the gap as a translatable problem of the plan's steps.contacts.
func (g ContactGap) Problem() *Error {
	if g.Role {
		return Errorf(CodeInvalid, "Step {{.ID}} calls {{.Role}}: the site has no contact of that role yet",
			"ID", g.Step, "Role", ContactRoleLabel(g.Ref)).On("steps.contacts")
	}
	return Errorf(CodeInvalid, "Step {{.ID}} calls {{.Contact}}, which is not a contact of this site",
		"ID", g.Step, "Contact", g.Ref).On("steps.contacts")
}

// MissingContacts lists the references of refs that the site cannot resolve (nil site:
// none). Each is said once.
func MissingContacts(site *Site, refs []string) []ContactGap {
	if site == nil {
		return nil
	}
	var out []ContactGap
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r] || r == ContactGridWorker || r == ContactFamily {
			continue
		}
		seen[r] = true
		found := false
		for _, c := range site.Contacts {
			found = found || c.ID == r || c.Role == r
		}
		if found {
			continue
		}
		out = append(out, ContactGap{Ref: r, Role: isContactRole(r)})
	}
	return out
}

func isContactRole(r string) bool {
	for _, x := range ContactRoles {
		if x == r {
			return true
		}
	}
	return false
}

// PlanGaps lists why a plan is incomplete on the site, one problem a step and missing
// contact; none when it is complete (or no site is set up).
func PlanGaps(p *Plan, site *Site) Problems {
	var out Problems
	for _, st := range p.Steps {
		for _, g := range MissingContacts(site, st.Contacts) {
			g.Step = st.ID
			out = append(out, g.Problem())
		}
	}
	return out
}

// Gaps lists why a plan is incomplete on the site as it is now (PlanGaps).
func (s *Plans) Gaps(p *Plan) Problems {
	var site *Site
	if s.inv != nil {
		site = s.inv.Site()
	}
	return PlanGaps(p, site)
}

// PlanMissing lists, once each and in the order the steps call them, the contacts a plan
// calls that the site lacks (the short form of PlanGaps: "no contact for the fire brigade,
// property-repair"). Step is the first step that calls it.
func PlanMissing(p *Plan, site *Site) []ContactGap {
	var out []ContactGap
	seen := map[string]bool{}
	for _, st := range p.Steps {
		for _, g := range MissingContacts(site, st.Contacts) {
			if !seen[g.Ref] {
				seen[g.Ref] = true
				g.Step = st.ID
				out = append(out, g)
			}
		}
	}
	return out
}

// Label names the missing contact: the role's English name (a translation key), or the
// contact ID as the plan wrote it.
func (g ContactGap) Label() string {
	if g.Role {
		return ContactRoleLabel(g.Ref)
	}
	return g.Ref
}
