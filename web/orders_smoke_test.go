package web

import (
	"testing"
	"fmt"
	"os"
)

func TestSmokeOrderPages(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	o := e.dispatched("clutter", "楼道堆放纸箱")
	p := e.phone()
	p.signedIn("zhangwei")
	a := p.get("/tasks")
	fmt.Println(a.status, a.body)
	a = p.get(orderPath(o.ID))
	fmt.Println(a.status, a.body)
}

func TestSmokeReport(t *testing.T) {
	e := newEnv(t)
	e.orderSetup()
	p := e.phone()
	p.signedIn("zhangwei")
	a := p.get("/report")
	fmt.Println(a.status, a.body)
	a = p.get("/plan.png?w=358")
	fmt.Println(a.status, len(a.body))
	os.WriteFile("/tmp/plan358.png", []byte(a.body), 0o644)
}
