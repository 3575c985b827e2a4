package main

import (
	"context"
	"log/slog"

	"watchpost/app"
	"watchpost/notify"
	"watchpost/report"
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

// phonePagesExtras is what the console's settings show of the phone pages (their address,
// the certificate's fingerprint, whether they reach the site's network) and how they print
// the residents' QR label sheet for the site at that address.
func phonePagesExtras(core *app.Core, srv *web.Server) (func() (string, string, bool), func(context.Context, bool) ([]byte, int, error)) {
	info := func() (string, string, bool) { return srv.URL(), srv.Fingerprint(), srv.Remote() }
	labels := func(ctx context.Context, perUnit bool) ([]byte, int, error) {
		pdf, labels, err := report.LabelsPDF(ctx, report.LabelSet{Site: core.Inventory.Site(), Base: srv.URL(), PerUnit: perUnit})
		return pdf, len(labels), err
	}
	return info, labels
}
