package analytics

// perspective learns how tall a person stands at each height of the picture (people near
// the camera are lower and taller), from the people the detector found: a straight line
// through (foot row, height), fitted by least squares over the latest finds. A moving
// region that is only a part of a person (a torso, legs, a waving arm) is then checked in
// a window of a whole person's size.
type perspective struct {
	ys, hs []float64 // ring of the latest finds, in pixels
	next   int
	a, b   float64 // height = a·y + b, once fitted
	fitted bool
	rows   int // picture height
}

const perspectiveSamples = 200

func newPerspective(rows int) *perspective { return &perspective{rows: rows} }

func (p *perspective) add(footY, h int) {
	if len(p.ys) < perspectiveSamples {
		p.ys = append(p.ys, float64(footY))
		p.hs = append(p.hs, float64(h))
	} else {
		p.ys[p.next], p.hs[p.next] = float64(footY), float64(h)
		p.next = (p.next + 1) % perspectiveSamples
	}
	if len(p.ys) >= 8 {
		p.fit()
	}
}

func (p *perspective) fit() {
	n := float64(len(p.ys))
	var sy, sh, syy, syh float64
	for i := range p.ys {
		sy += p.ys[i]
		sh += p.hs[i]
		syy += p.ys[i] * p.ys[i]
		syh += p.ys[i] * p.hs[i]
	}
	den := n*syy - sy*sy
	if den < 1e-6 {
		p.a, p.b = 0, sh/n // everyone at one row: a constant
	} else {
		p.a = (n*syh - sy*sh) / den
		p.b = (sh - p.a*sy) / n
	}
	p.fitted = true
}

// height returns the expected height of a person whose feet are at row y (0 when not
// learnt yet).
func (p *perspective) height(y int) int {
	if !p.fitted {
		return 0
	}
	h := p.a*float64(y) + p.b
	return int(min(max(h, 0.03*float64(p.rows)), 0.9*float64(p.rows)))
}
