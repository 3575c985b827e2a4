package main

import (
	"log/slog"

	"watchpost/app"
	"watchpost/devices"
)

// demoFaultsPerHour is how often the demo's devices fail by themselves (a streetlight, a
// battery running low): a few an hour, each of which the console turns into a work order for
// the repair crew.
const demoFaultsPerHour = 3

// devicePath is the running device side: the embedded broker (or the client of the site's
// broker) and, on the demo site, the device simulator.
type devicePath struct {
	parts    []app.Part
	simulate func(scenario string) (string, error) // nil unless the demo's devices are simulated
}

// deviceParts builds the device side for the core's ingest, as parts for the supervisor
// (added after the core's own: the broker stops, having journaled the messages it took,
// before the core's parts and the store). An embedded broker that cannot listen, or would
// listen beyond this machine unprotected (plain without allow_plain_on, a weak password),
// stops the start: a console without its device path would miss every alarm. A site
// broker whose settings are wrong stops the start too. dir is the data directory (the
// broker's self-signed certificate and the journal's reserve).
func deviceParts(cfg app.Config, core *app.Core, demoSim bool, dir string, log *slog.Logger) (*devicePath, error) {
	site := core.Inventory.Site()
	kindOf := func(id string) app.DeviceKind {
		if d, ok := core.Inventory.Site().Device(id); ok {
			return d.Kind
		}
		return ""
	}
	siteID := cfg.Site
	if siteID == "" {
		siteID = site.ID
	}
	dp := &devicePath{}
	b := cfg.Broker
	user, password := b.Username, b.Password
	if user == "" {
		user = "watchpost"
	}
	if password == "" && site.Demo {
		password = "sunshine-demo" // the demo's published credentials (README)
	}
	if b.IsEmbedded() {
		if password == "" {
			core.Health.Set(app.ComponentStatus{Name: "broker", Label: "Device broker", State: app.StateDown,
				Error: "Set broker.password in the configuration to start the device broker"})
			log.Error("device broker not started: set broker.password in the configuration")
			return dp, nil
		}
		// NewBroker binds the address (connections wait in its backlog until the part runs),
		// so the simulator below and the log know it at once, port 0 included.
		br, err := devices.NewBroker(devices.BrokerConfig{Listen: b.ListenAddr(), Username: user, Password: password, Site: siteID, Log: log,
			TLSListen: b.TLSListen, TLSCertFile: b.TLSCertFile, TLSKeyFile: b.TLSKeyFile, AllowPlainOn: b.AllowPlainOn,
			Limits: b.Limits, DataDir: dir, Watch: core.Ingest.Monitor().Broker(), Desk: core.Desk,
			Devices: core.Credentials},
			core.Ingest, kindOf, core.Health)
		if err != nil {
			return nil, err
		}
		dp.parts = append(dp.parts, app.Part{Name: "broker", Label: "Device broker", Runner: br})
		if site.Demo && demoSim {
			// After the broker: the supervisor stops it first, so its devices say goodbye
			// (no Last Will, no offline alarm) before the broker goes.
			// Each demo device connects under its own account, with its published demo
			// password (README), as a real device with its own credentials does. One given
			// credentials of its own in the console is left to a real device (the simulator
			// does not know its password, and would only fail to sign in).
			var simulated []app.Device
			for _, d := range site.Devices {
				if _, own := core.Credentials.Info(d.ID); !own {
					simulated = append(simulated, d)
				}
			}
			sim, err := devices.NewSim(devices.SimConfig{Broker: "tcp://" + br.Addr(), DevicePassword: app.DemoDevicePassword,
				Site: siteID, Devices: simulated, Faults: demoFaultsPerHour, Log: log})
			if err != nil {
				log.Warn("demo devices not simulated", "err", err)
			} else {
				log.Info("demo devices simulated", "devices", len(simulated))
				dp.simulate = sim.Play
				dp.parts = append(dp.parts, app.Part{Name: "device-simulator", Label: "Device simulator", Runner: sim})
			}
		}
		return dp, nil
	}
	cl, err := devices.NewClient(devices.ClientConfig{URL: b.URL, Username: b.Username, Password: b.Password, CAFile: b.CAFile,
		ClientID: b.ClientID, Site: siteID, Log: log}, core.Ingest, kindOf, core.Health)
	if err != nil {
		return nil, err
	}
	dp.parts = append(dp.parts, app.Part{Name: "broker-client", Label: "Device broker", Runner: cl})
	return dp, nil
}
