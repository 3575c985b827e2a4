package web

import (
	"net/http"
	"slices"
	"strconv"

	"watchpost/app"
)

// Photos of work orders (GET /photos/{name}) are served only to someone who may see an
// order that names the photo (core.Orders.View decides who may see an order), or to the
// session whose refused form stored it and keeps it in its draft. A photo's name is the
// hash of its content: knowing one does not show it. Everyone else gets the same "not
// found", so that the answer does not tell which photos exist.

// PhotoCacheAge is how long a phone may keep a photo it was shown: its name is its content,
// so it never changes; private, so that no shared cache keeps it.
const PhotoCacheAge = 7 * 24 * 3600

func (s *Server) orderPhoto(w http.ResponseWriter, r *http.Request, c *Context) error {
	name := r.PathValue("name")
	notFound := app.Errorf(app.CodeNotFound, "There is no photo {{.Name}}", "Name", name)
	if !app.ValidPhotoName(name) || c.Core.Photos == nil || !s.maySeePhoto(r, c, name) {
		return notFound
	}
	b, err := c.Core.Photos.OpenPhoto(name)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(PhotoCacheAge)+", immutable")
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
	return nil
}

// maySeePhoto reports whether the signed-in person may see the photo: it is named by the
// order the address names (?o=) and the person may see that order, or by an order held in
// memory that the person may see, or it is in the session's draft.
func (s *Server) maySeePhoto(r *http.Request, c *Context, name string) bool {
	if r.URL.Query().Get("draft") == "1" {
		return c.sid != "" && s.sessions.draftHas(c.sid, name)
	}
	if q := r.URL.Query().Get("o"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			return false
		}
		o, err := c.Core.Orders.View(r.Context(), c.Operator, id)
		return err == nil && namesPhoto(&o, name)
	}
	for _, o := range c.Core.Orders.List() {
		if !namesPhoto(&o, name) {
			continue
		}
		if _, err := c.Core.Orders.View(r.Context(), c.Operator, o.ID); err == nil {
			return true
		}
	}
	return false
}

// namesPhoto reports whether the order names the photo: with its report, its proof or a
// step of its timeline.
func namesPhoto(o *app.WorkOrder, name string) bool {
	if slices.Contains(o.Photos, name) || slices.Contains(o.ProofPhotos, name) {
		return true
	}
	for _, st := range o.Steps {
		if slices.Contains(st.Photos, name) {
			return true
		}
	}
	return false
}
