package app

import "context"

// FollowCameras keeps a camera consumer (the feeds, analytics) on the site's cameras: when
// a camera is added, changed or deleted (or a site is imported) it is given the new list.
// A runner: it follows until its context ends. It gives the list once when it starts, after
// it subscribed, so that a change between the consumer's construction and this start is not
// missed.
func FollowCameras(bus *Bus, inv *Inventory, set func([]Camera)) Runner {
	return RunFunc(func(ctx context.Context) error {
		sub := bus.Subscribe(16, func(e *Entry) bool { return e.Kind.ChangesCameras() })
		defer sub.Close()
		give := func() {
			if s := inv.Site(); s != nil {
				set(s.Cameras)
			}
		}
		give()
		for {
			select {
			case <-ctx.Done():
				return nil
			case _, ok := <-sub.C():
				if !ok {
					return nil
				}
				give()
			}
		}
	})
}
