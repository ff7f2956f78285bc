-- Failed logins, counted per key in fixed windows, shared by every
-- instance: the login throttle. A key is the SHA-256 of a login name and
-- client address, or of an address alone; no login name is stored.
CREATE TABLE login_failures (
    key_hash     VARCHAR(64) PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start {{.Timestamp}} NOT NULL
);

--bun:split

CREATE INDEX login_failures_window_start_idx ON login_failures (window_start);
