package web

import "slices"

// A form that the core refuses (an order changed meanwhile, a note too long, a photo the
// category requires) loses nothing: what was typed, and the photos already taken and
// stored, are kept in the session as its draft, and the page the phone is sent back to
// fills the form with them. The photos are kept by the names the photo store gave them,
// server-side: a form can only bring back the photos its own session sent, never name
// another order's. One draft per session (the latest refused form); it ends with the
// session, or when the form is sent again.

// draft is a refused form's contents.
type draft struct {
	// Form names the form: "order:<id>:<action>", "report".
	Form   string
	Note   string
	Photos []string // stored photos the form had sent
	// Fields are the form's other values (the report form's category, place, …).
	Fields map[string]string
}

// setDraft keeps a refused form's contents for the session's next page.
func (t *sessions) setDraft(id string, d draft) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.byID[id]; ok {
		s.draft = &d
	}
}

// draftOf returns the session's draft of form (nil when it has none for that form).
func (t *sessions) draftOf(id, form string) *draft {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.byID[id]
	if !ok || s.draft == nil || s.draft.Form != form {
		return nil
	}
	d := *s.draft
	return &d
}

// dropDraft forgets the session's draft of form (it was sent and taken).
func (t *sessions) dropDraft(id, form string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.byID[id]; ok && s.draft != nil && s.draft.Form == form {
		s.draft = nil
	}
}

// draft returns the page's draft of form.
func (c *Context) draft(form string) *draft {
	if c.sid == "" {
		return nil
	}
	return c.s.sessions.draftOf(c.sid, form)
}

func (c *Context) setDraft(d draft) {
	if c.sid != "" {
		c.s.sessions.setDraft(c.sid, d)
	}
}

func (c *Context) dropDraft(form string) {
	if c.sid != "" {
		c.s.sessions.dropDraft(c.sid, form)
	}
}

// draftHas reports whether the session's draft holds the photo (its page shows it).
func (t *sessions) draftHas(id, photo string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.byID[id]
	return ok && s.draft != nil && slices.Contains(s.draft.Photos, photo)
}
