-- Watchpost schema 9: the messages each device numbered that never arrived (device.gap
-- entries, the security issue's point 6), projected beside its state so that the device
-- panel still shows them after a restart.
ALTER TABLE device_state ADD COLUMN gaps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_state ADD COLUMN last_gap INTEGER NOT NULL DEFAULT 0;
