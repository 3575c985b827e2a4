// Package devices connects the community's IoT devices over MQTT: the embedded broker
// (mochi) or a site's own (Mosquitto, EMQX), the paho client, payload codecs that decode
// and validate messages into app.Reading, supervision of silent devices, and the device
// simulator. It implements the interfaces of package app and imports neither Fyne nor
// store nor video (DESIGN.md).
package devices
