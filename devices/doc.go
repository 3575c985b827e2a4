// Package devices connects the community's IoT devices over MQTT: the embedded broker
// (mochi) or a site's own (Mosquitto, EMQX), the paho client, payload codecs that decode
// and validate messages into app.Reading, supervision of silent devices, and the device
// simulator. It implements the interfaces of package app and imports neither Fyne nor
// store nor video (DESIGN.md).
package devices

import "time"

// stopGrace is how long a stopping runner (the broker, the site-broker client) lets the
// messages being journaled finish before it ends their context: a stop waits for a slow
// disk a little, never for a stuck one. A message cut short is not acknowledged, so its
// sender delivers it again.
const stopGrace = 5 * time.Second
