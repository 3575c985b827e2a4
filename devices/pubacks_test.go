package devices_test

import (
	"encoding/binary"
	"net"
	"sync"
)

// What a device's connection carries, read off the wire: paho's own tokens cannot say when
// a PUBACK came (a message sent again after a reconnect completes its first token at once),
// so the tests look at the packets. watchedConn parses the device's PUBLISH packets (their
// packet ID and payload) and the broker's PUBACKs, and calls onPuback the moment a PUBACK's
// bytes arrive, before the client sees it.

type pubackEvent struct {
	conn    int    // which connection of the device (1, 2, …)
	id      uint16 // packet ID
	payload string // of the PUBLISH it acknowledges
}

type wireLog struct {
	mu       sync.Mutex
	conns    int
	pending  map[uint16]string // packet ID → payload of the latest PUBLISH with it
	pubacks  []pubackEvent
	onPuback func(pubackEvent) // called before the client reads the PUBACK
}

func newWireLog() *wireLog { return &wireLog{pending: map[uint16]string{}} }

// watch wraps one new connection of the device.
func (w *wireLog) watch(c net.Conn) net.Conn {
	w.mu.Lock()
	w.conns++
	n := w.conns
	w.mu.Unlock()
	return &watchedConn{Conn: c, log: w, n: n}
}

func (w *wireLog) events() []pubackEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]pubackEvent(nil), w.pubacks...)
}

func (w *wireLog) connections() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conns
}

type watchedConn struct {
	net.Conn
	log     *wireLog
	n       int
	in, out []byte // bytes not yet parsed into whole packets
}

func (c *watchedConn) Write(b []byte) (int, error) {
	c.out = append(c.out, b...)
	for {
		typ, flags, body, rest, ok := nextPacket(c.out)
		if !ok {
			break
		}
		if typ == 3 && flags&0x06 != 0 { // PUBLISH at QoS 1 or 2: topic, packet ID, payload
			if len(body) >= 2 {
				tl := int(binary.BigEndian.Uint16(body))
				if len(body) >= 2+tl+2 {
					id := binary.BigEndian.Uint16(body[2+tl:])
					c.log.mu.Lock()
					c.log.pending[id] = string(body[2+tl+2:])
					c.log.mu.Unlock()
				}
			}
		}
		c.out = rest
	}
	return c.Conn.Write(b)
}

func (c *watchedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.in = append(c.in, b[:n]...)
	for {
		typ, _, body, rest, ok := nextPacket(c.in)
		if !ok {
			break
		}
		if typ == 4 && len(body) >= 2 { // PUBACK
			id := binary.BigEndian.Uint16(body)
			c.log.mu.Lock()
			ev := pubackEvent{conn: c.n, id: id, payload: c.log.pending[id]}
			c.log.pubacks = append(c.log.pubacks, ev)
			on := c.log.onPuback
			c.log.mu.Unlock()
			if on != nil {
				on(ev)
			}
		}
		c.in = rest
	}
	return n, err
}

// nextPacket splits the first whole MQTT packet off buf: its type, flags and body.
func nextPacket(buf []byte) (typ, flags byte, body, rest []byte, ok bool) {
	if len(buf) < 2 {
		return 0, 0, nil, buf, false
	}
	length, mult, i := 0, 1, 1
	for {
		if i >= len(buf) || i > 4 {
			return 0, 0, nil, buf, false
		}
		length += int(buf[i]&0x7f) * mult
		mult *= 128
		i++
		if buf[i-1]&0x80 == 0 {
			break
		}
	}
	if len(buf) < i+length {
		return 0, 0, nil, buf, false
	}
	return buf[0] >> 4, buf[0] & 0x0f, buf[i : i+length], buf[i+length:], true
}
