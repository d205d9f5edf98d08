/**
 * Versioned schema migrations, tracked in SQLite's `user_version`. Each entry
 * runs once, in order, inside a transaction; never edit a shipped one — add
 * the next.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_lc TEXT NOT NULL UNIQUE,
    ik BLOB NOT NULL UNIQUE,
    created INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    dk BLOB NOT NULL UNIQUE,
    cert_created INTEGER NOT NULL,
    cert_sig BLOB NOT NULL,
    spk_id INTEGER NOT NULL,
    spk_pk BLOB NOT NULL,
    spk_created INTEGER NOT NULL,
    spk_sig BLOB NOT NULL,
    created INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX devices_user ON devices(user_id);
  CREATE TABLE secrets (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('password', 'recovery')),
    auth_pk BLOB NOT NULL,
    salt BLOB,
    opslimit INTEGER,
    memlimit INTEGER,
    blob BLOB NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
  ) STRICT;
  CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    owner_id TEXT NOT NULL REFERENCES users(id),
    created INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX rooms_owner ON rooms(owner_id);
  CREATE INDEX rooms_public ON rooms(visibility, created);
  CREATE TABLE room_members (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
  ) STRICT;
  CREATE INDEX room_members_user ON room_members(user_id);
  CREATE TABLE room_bans (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
  ) STRICT;
  CREATE TABLE room_invites (
    code_hash BLOB PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE dm_open (
    user_a TEXT NOT NULL,
    user_b TEXT NOT NULL,
    PRIMARY KEY (user_a, user_b)
  ) STRICT;
  CREATE TABLE dm_block (
    blocker TEXT NOT NULL,
    blocked TEXT NOT NULL,
    PRIMARY KEY (blocker, blocked)
  ) STRICT;
  CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    from_device TEXT NOT NULL,
    from_user TEXT NOT NULL,
    room_id TEXT,
    payload BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX mailbox_device ON mailbox(device_id, id);
  CREATE INDEX mailbox_user ON mailbox(user_id);
  CREATE INDEX mailbox_expires ON mailbox(expires);
  `,
  // 2: kicks. A kicked user may come back to a private room only with an
  // invite issued after the kick. Invites get an AUTOINCREMENT sequence (a
  // plain rowid is reused after the highest row is deleted, e.g. with its
  // room), and room_kicks remembers the highest sequence issued at the kick.
  `
  CREATE TABLE room_invites_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash BLOB NOT NULL UNIQUE,
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created INTEGER NOT NULL
  ) STRICT;
  INSERT INTO room_invites_v2 (code_hash, room_id, created_by, created)
    SELECT code_hash, room_id, created_by, created FROM room_invites ORDER BY rowid;
  DROP TABLE room_invites;
  ALTER TABLE room_invites_v2 RENAME TO room_invites;
  CREATE INDEX room_invites_room ON room_invites(room_id);
  CREATE TABLE room_kicks (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    invite_floor INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
  ) STRICT;
  `,
];

/** Brings the database to the newest version; returns [from, to]. */
export function migrate(db: Database.Database): [number, number] {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(
      `parley/store: database schema version ${from} is newer than this relay (${MIGRATIONS.length})`,
    );
  }
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return [from, MIGRATIONS.length];
}
