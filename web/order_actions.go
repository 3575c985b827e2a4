package web

import (
	"net/http"
	"strconv"

	"watchpost/app"
	"watchpost/web/photo"
)

// The actions of an order's page. Each form carries the version of the order the page
// showed; the core refuses a change made on an older one ("changed meanwhile"), and the
// phone is sent back to the order's page, which shows the order as it is now, the core's
// message, and the form as it was sent (drafts.go). Photos are taken all or nothing
// (Context.Photos: a refused photo stores nothing and says why), then stored one by one,
// then named to the core.

// orderAction is the handler of one action's form.
func (s *Server) orderAction(action string) Handler {
	return func(w http.ResponseWriter, r *http.Request, c *Context) error {
		id, err := orderID(r)
		if err != nil {
			return err
		}
		back := orderPath(id)
		version, err := strconv.Atoi(r.PostFormValue("version"))
		if err != nil {
			c.RedirectError(w, back, app.Errorf(app.CodeInvalid, "The form did not say which version of the order it was sent for: reload the page and send it again"))
			return nil
		}
		form := draftName(id, action)
		note := r.PostFormValue("note")
		var names []string
		if action == actProgress || action == actDone {
			if r.PostFormValue("kept") == "1" {
				if d := c.draft(form); d != nil {
					names = append(names, d.Photos...)
				}
			}
			more, err := storePhotos(c, len(names))
			if err != nil {
				// The photos are refused (none of them stored); what was typed stays.
				c.setDraft(draft{Form: form, Note: note, Photos: names})
				c.RedirectError(w, back, err)
				return nil
			}
			names = append(names, more...)
		}
		ctx, op, orders := r.Context(), c.Operator, c.Core.Orders
		var o app.WorkOrder
		msg := ""
		switch action {
		case actAccept:
			o, err = orders.Accept(ctx, op, id, version)
			msg = tkey("You accepted order {{.N}}")
		case actProgress:
			o, err = orders.Progress(ctx, op, id, version, note, names)
			msg = tkey("Progress added to order {{.N}}")
		case actDone:
			o, err = orders.Done(ctx, op, id, version, note, names)
			msg = tkey("Order {{.N}} is marked done: it waits to be verified")
		case actVerify:
			o, err = orders.Verify(ctx, op, id, version, note)
			msg = tkey("Order {{.N}} is verified and closed")
		case actReopen:
			o, err = orders.Reopen(ctx, op, id, version, note)
			msg = tkey("Order {{.N}} is reopened and goes back to work")
		}
		if err != nil {
			c.setDraft(draft{Form: form, Note: note, Photos: names})
			c.RedirectError(w, back, err)
			return nil
		}
		c.dropDraft(form)
		c.Redirect(w, back, msg, "N", o.Number())
		return nil
	}
}

// storePhotos takes the photos the form sent (all or none) and stores them; had is how
// many photos the form brings back from a refused send, counted against the core's limit.
func storePhotos(c *Context, had int) ([]string, error) {
	ps, err := c.Photos("photo")
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	if had+len(ps) > app.MaxOrderPhotos {
		return nil, app.Errorf(app.CodeInvalid, "At most {{.N}} photos at a time", "N", app.MaxOrderPhotos).On("photo")
	}
	return savePhotos(c.Core, ps)
}

// savePhotos stores checked photos and returns their names.
func savePhotos(core *app.Core, ps []photo.Photo) ([]string, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	if core.Photos == nil {
		return nil, app.Errorf(app.CodeUnavailable, "This site keeps no photos: send the form without them")
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		name, err := core.Photos.SavePhoto(p.JPEG)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}
