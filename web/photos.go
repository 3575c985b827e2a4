package web

import (
	"watchpost/app"
	"watchpost/web/photo"
)

// Photos reads the photos a form sent in its file field (a phone's camera:
// <input type="file" name="photo" accept="image/*" capture="environment" multiple>), each
// checked and made ready to store (web/photo). The form must be sent as multipart/form-data;
// its token was checked before the handler ran. All or nothing: the first photo that
// cannot be taken refuses them all with what is wrong, and the caller stores nothing. No
// photo is no error (the caller decides whether one is needed).
func (c *Context) Photos(field string) ([]photo.Photo, error) {
	if c.r.MultipartForm == nil {
		return nil, nil
	}
	files := c.r.MultipartForm.File[field]
	if len(files) > MaxPhotosPerPost {
		return nil, app.Errorf(app.CodeInvalid, "Send at most {{.N}} photos at once", "N", MaxPhotosPerPost).On(field)
	}
	out := make([]photo.Photo, 0, len(files))
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the field left empty: browsers send an empty part
		}
		if fh.Size > photo.MaxBytes {
			return nil, photo.TooLarge(fh.Filename)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, app.Errorf(app.CodeInvalid, "The photo {{.Name}} did not arrive whole: send it again", "Name", photo.DisplayName(fh.Filename)).Wrap(err)
		}
		p, err := photo.Read(f, fh.Filename)
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
