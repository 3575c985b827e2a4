package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"watchpost/app"
	"watchpost/devices"
)

// Checks of the command line of `sim` (probe's: cli), made before anything starts: a wrong
// argument is a usage error (exit 2) with a message that says what to give, not a camera or
// a broker that "does not answer" (exit 1, kept for what really does not answer).

// brokerSchemes are the broker addresses paho connects to.
var brokerSchemes = []string{"tcp", "ssl", "tls", "mqtt", "mqtts", "ws", "wss"}

// simProblem checks sim's arguments: the message and the exit code, or "" when they are right.
func simProblem(extra []string, deviceSim bool, broker, scenario, listen, footage string) (string, int) {
	if len(extra) > 0 {
		return fmt.Sprintf("unexpected argument %q", extra[0]), exitUsage
	}
	if deviceSim {
		if u, err := url.Parse(broker); err != nil || !slices.Contains(brokerSchemes, u.Scheme) || u.Host == "" {
			return fmt.Sprintf("--broker %s is not a broker address: give tcp://host:1883 (or ssl://host:8883)", app.RedactURL(broker)), exitUsage
		}
		if scenario != "" && !slices.Contains(devices.Scenarios, scenario) {
			return fmt.Sprintf("--scenario: there is no scenario %q (one of %s)", scenario, strings.Join(devices.Scenarios, ", ")), exitUsage
		}
		return "", 0
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return fmt.Sprintf("--listen %s is not an address: give host:port, e.g. 127.0.0.1:8554", listen), exitUsage
	}
	if footage != "" {
		if _, err := os.Stat(footage); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Sprintf("the footage %s cannot be read: %v", footage, err), exitFailure
		}
	}
	return "", 0
}
