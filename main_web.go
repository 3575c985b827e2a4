package main

import (
	"log/slog"

	"watchpost/app"
	"watchpost/notify"
	"watchpost/web"
)

// webParts builds the phone pages' server (HTTPS on the site's network, loopback by default)
// and the poster of the work orders' notices to the teams' group robots. A configuration the
// server refuses stops the start with its reason, like a broker's.
func webParts(cfg app.Config, core *app.Core, dir string, log *slog.Logger) ([]app.Part, *web.Server, error) {
	srv, err := web.New(web.Options{Config: web.Config(cfg.Web), Core: core, DataDir: dir, Log: log})
	if err != nil {
		return nil, nil, err
	}
	robots := notify.NewOrders(core, notify.OrdersOptions{Lang: cfg.Language, Base: srv.URL, Log: log})
	core.Orders.OnNotice(robots.Notice)
	return []app.Part{
		{Name: "phone-pages", Label: "Phone pages", Runner: srv},
		{Name: "group-robots", Label: "Group robots", Runner: robots.Poster()},
		{Name: "group-robots-follow", Label: "Group robots' settings", Runner: robots},
	}, srv, nil
}
