package store

import (
	"context"
	"encoding/json"
	"time"

	"watchpost/app"
)

// DeviceStates returns the last known state of every device that was ever heard.
func (s *Store) DeviceStates(ctx context.Context) ([]app.DeviceState, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT device, last_seen, online, messages, data, gaps, last_gap FROM device_state")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The device states cannot be read").Wrap(err)
	}
	defer rows.Close()
	var out []app.DeviceState
	for rows.Next() {
		var st app.DeviceState
		var seen, lastGap int64
		var data string
		if err := rows.Scan(&st.DeviceID, &seen, &st.Online, &st.Messages, &data, &st.Gaps, &lastGap); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The device states cannot be read").Wrap(err)
		}
		st.LastSeen = time.Unix(0, seen)
		if lastGap != 0 {
			st.LastGap = time.Unix(0, lastGap)
		}
		var r app.Reading
		if json.Unmarshal([]byte(data), &r) == nil {
			st.LastType, st.Event, st.Values = r.Type, r.Event, r.Values
			if r.DeviceClock && !r.Received.IsZero() { // a clock off is still flagged after a restart
				st.ClockSkew = app.Duration(r.Time.Sub(r.Received).Round(time.Second))
			}
			if b, ok := r.Number("battery"); ok {
				st.Battery = &b
			}
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
