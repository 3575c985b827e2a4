package app

import (
	"context"
	"sync/atomic"
)

// FollowCameras keeps a camera consumer (the feeds, analytics) on the site's cameras: when
// a camera is added, changed or deleted (or a site is imported) it is given the new list.
//
// It follows as a fold of the bus, registered after the inventory's own: the consumer has
// the new list before any subscriber sees the entry. (As a subscriber of its own it raced the
// wall, which opens a viewer on an added camera as soon as it hears of it: the feeds did not
// know the camera yet, and the tile showed "no such camera" for good.) The runner it returns
// turns the following on while it runs, and gives the list once when it starts, so that a
// change between the consumer's construction and this start is not missed. Call it once per
// consumer: a fold stays registered for the life of the bus.
func FollowCameras(bus *Bus, inv *Inventory, set func([]Camera)) Runner {
	var on atomic.Bool
	give := func() {
		if s := inv.Site(); s != nil {
			set(s.Cameras)
		}
	}
	bus.Fold(func(e Entry) {
		if on.Load() && e.Kind.ChangesCameras() {
			give()
		}
	})
	return RunFunc(func(ctx context.Context) error {
		on.Store(true)
		defer on.Store(false)
		give()
		<-ctx.Done()
		return nil
	})
}
