-- Hardening (issue 15): sessions that a copy of the database cannot be used
-- to take over, and a per-user session generation that ends every session
-- of an account at once.

-- Sessions are keyed by the SHA-256 of their id, never the id itself: the
-- cookie holds the id, the database only its hash. Rows of the old table were
-- keyed by the id as it is, so they are dropped: everyone signs in once more.
DROP TABLE sessions;
CREATE TABLE sessions (
  sid_hash   TEXT PRIMARY KEY CHECK (length(sid_hash) = 64 AND sid_hash NOT GLOB '*[^0-9a-f]*'),
  user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
  data       TEXT NOT NULL CHECK (json_valid(data)),
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- A session records the generation of its user when it began; a session of
-- an older generation is refused. A new password, a new role, disabling or
-- enabling an account, or "sign out everywhere" moves it.
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0 CHECK (session_generation >= 0);

-- By trigger, so every path that changes an account (the admin pages, the
-- user CLI, SQL by hand) ends its sessions.
CREATE TRIGGER users_end_sessions_on_change AFTER UPDATE OF password_hash, role, disabled_at ON users
WHEN NEW.password_hash IS NOT OLD.password_hash OR NEW.role IS NOT OLD.role OR NEW.disabled_at IS NOT OLD.disabled_at
BEGIN
  UPDATE users SET session_generation = session_generation + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER users_session_generation_deletes_sessions AFTER UPDATE OF session_generation ON users
WHEN NEW.session_generation IS NOT OLD.session_generation
BEGIN
  DELETE FROM sessions WHERE user_id = NEW.id;
END;

-- The session secret now lives outside the database (SESSION_SECRET or a
-- 0600 file beside it). The one kept here has been in every copy and backup
-- of the file, so it is not carried over: it is removed, and a new one is made.
DELETE FROM settings WHERE key = 'session_secret';
