package photo

import "image"

// orient turns a picture as stored into the picture as it is meant to be seen, by EXIF
// orientation o:
//
//	1 as stored            2 mirrored left–right    3 turned 180°     4 mirrored top–bottom
//	5 transposed (mirrored across the top-left–bottom-right diagonal)
//	6 turned 90° clockwise  7 transversed (across the other diagonal)  8 turned 90° anticlockwise
//
// The kept picture is small (MaxEdge), so a pixel loop is cheap enough.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 { // the orientations that turn by a quarter swap width and height
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int // the stored pixel shown at (x, y)
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := src.PixOffset(sx+src.Rect.Min.X, sy+src.Rect.Min.Y)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
