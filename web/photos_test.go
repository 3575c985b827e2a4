package web

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"watchpost/app"
	"watchpost/web/photo"
)

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postPhotos sends files (name → content) to the test page with the phone's token.
func (p *phone) postPhotos(tok string, files ...[2]string) answer {
	p.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if tok != "" {
		mw.WriteField("csrf", tok)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("photo", f[0])
		fw.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, p.e.base+"/test/photos", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return p.do(req)
}

func TestPhotosAreTakenOrRefusedWithWhatIsWrong(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	tok := p.token("/test/note")
	good := string(jpegBytes(t, 2000, 1000))
	a := p.postPhotos(tok, [2]string{"IMG_1.JPG", good}, [2]string{"IMG_2.JPG", good})
	if a.status != http.StatusSeeOther {
		t.Fatalf("two photos: %d\n%s", a.status, a.body)
	}
	if got := e.stored(); len(got) != 2 || got[0] != "photo 1600x800" {
		t.Fatalf("stored %v", got)
	}
	tooBig := string(append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, photo.MaxBytes)...))
	five := make([][2]string, MaxPhotosPerPost+1)
	for i := range five {
		five[i] = [2]string{"p.jpg", "x"}
	}
	for _, c := range []struct {
		name  string
		files [][2]string
		want  string
	}{
		{"a text file", [][2]string{{"IMG_1.JPG", good}, {"notes.txt", "hello, not a picture"}}, "notes.txt 不是照片"},
		{"an oversized photo", [][2]string{{"huge.jpg", tooBig}}, "照片 huge.jpg 超过 15 MB"},
		{"too many photos", five, "一次最多发送 4 张照片"},
	} {
		a := p.postPhotos(tok, c.files...)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, c.want) {
			t.Errorf("%s: %d, want %q\n%s", c.name, a.status, c.want, a.body)
		}
	}
	if got := e.stored(); len(got) != 2 {
		t.Errorf("refused photos stored: %v", got)
	}
}

func TestAnUploadOverTheBodyLimitIsRefusedUnread(t *testing.T) {
	e := newEnv(t)
	e.account("wang", app.RoleOperator)
	p := e.phone()
	p.signedIn("wang")
	tok := p.token("/test/note")
	part := string(make([]byte, photo.MaxBytes-10))
	files := make([][2]string, MaxPhotosPerPost+1)
	for i := range files {
		files[i] = [2]string{"p.jpg", part}
	}
	a := p.postPhotos(tok, files...)
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "提交的内容过大，什么也没有保存") {
		t.Errorf("%d\n%.400s", a.status, a.body)
	}
	if got := e.stored(); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
}
