/**
 * Every SQL statement the SQLite store runs, prepared once per database:
 * better-sqlite3 statements are compiled and reusable, so the hot paths
 * (login, mailbox, membership checks) never parse SQL.
 */
import type Database from 'better-sqlite3';

const ROOM_COLS = `r.id, r.name, r.visibility, r.owner_id, r.created,
  (SELECT COUNT(*) FROM room_members m2 WHERE m2.room_id = r.id) AS member_count`;

export function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    getMeta: p('SELECT value FROM meta WHERE key = ?'),
    setMeta: p(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    insertUser: p(
      'INSERT INTO users (id, username, username_lc, ik, created) VALUES (?, ?, ?, ?, ?)',
    ),
    userById: p('SELECT * FROM users WHERE id = ?'),
    userByName: p('SELECT * FROM users WHERE username_lc = ?'),
    userByIk: p('SELECT * FROM users WHERE ik = ?'),
    insertDevice: p(`INSERT INTO devices (id, user_id, dk, cert_created, cert_sig, spk_id, spk_pk,
      spk_created, spk_sig, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    countDevices: p('SELECT COUNT(*) AS n FROM devices WHERE user_id = ?'),
    deviceById: p('SELECT * FROM devices WHERE id = ?'),
    devicesOf: p('SELECT * FROM devices WHERE user_id = ? ORDER BY created, id'),
    updatePrekey: p(
      'UPDATE devices SET spk_id = ?, spk_pk = ?, spk_created = ?, spk_sig = ? WHERE id = ?',
    ),
    setSecret:
      p(`INSERT INTO secrets (user_id, kind, auth_pk, salt, opslimit, memlimit, blob, updated)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id, kind) DO UPDATE SET auth_pk = excluded.auth_pk,
      salt = excluded.salt, opslimit = excluded.opslimit, memlimit = excluded.memlimit,
      blob = excluded.blob, updated = excluded.updated`),
    getSecret: p('SELECT * FROM secrets WHERE user_id = ? AND kind = ?'),
    insertRoom: p(
      'INSERT INTO rooms (id, name, visibility, owner_id, created) VALUES (?, ?, ?, ?, ?)',
    ),
    roomById: p(`SELECT ${ROOM_COLS} FROM rooms r WHERE r.id = ?`),
    deleteRoom: p('DELETE FROM rooms WHERE id = ?'),
    countOwned: p('SELECT COUNT(*) AS n FROM rooms WHERE owner_id = ?'),
    publicRooms: p(
      `SELECT ${ROOM_COLS} FROM rooms r WHERE r.visibility = 'public' ORDER BY r.created DESC LIMIT ?`,
    ),
    roomsOf:
      p(`SELECT ${ROOM_COLS}, m.role AS my_role FROM room_members m JOIN rooms r ON r.id = m.room_id
      WHERE m.user_id = ? ORDER BY r.created`),
    member: p(`SELECT m.*, u.username FROM room_members m JOIN users u ON u.id = m.user_id
      WHERE m.room_id = ? AND m.user_id = ?`),
    members: p(`SELECT m.*, u.username FROM room_members m JOIN users u ON u.id = m.user_id
      WHERE m.room_id = ? ORDER BY m.joined, m.user_id`),
    countMembers: p('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ?'),
    insertMember: p(
      'INSERT INTO room_members (room_id, user_id, role, joined) VALUES (?, ?, ?, ?)',
    ),
    deleteMember: p('DELETE FROM room_members WHERE room_id = ? AND user_id = ?'),
    setRole: p('UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?'),
    insertBan: p('INSERT OR IGNORE INTO room_bans (room_id, user_id) VALUES (?, ?)'),
    deleteBan: p('DELETE FROM room_bans WHERE room_id = ? AND user_id = ?'),
    isBanned: p('SELECT 1 FROM room_bans WHERE room_id = ? AND user_id = ?'),
    insertInvite: p(
      'INSERT INTO room_invites (code_hash, room_id, created_by, created) VALUES (?, ?, ?, ?)',
    ),
    inviteAdmits: p(`SELECT 1 FROM room_invites i WHERE i.code_hash = ? AND i.room_id = ?
      AND i.seq > COALESCE((SELECT k.invite_floor FROM room_kicks k
        WHERE k.room_id = i.room_id AND k.user_id = ?), 0)`),
    // The highest sequence ever issued (sqlite_sequence keeps it even after
    // those invites are deleted), so no later invite can fall under the floor.
    recordKick: p(`INSERT INTO room_kicks (room_id, user_id, invite_floor)
      VALUES (?, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'room_invites'), 0))
      ON CONFLICT(room_id, user_id) DO UPDATE SET invite_floor = excluded.invite_floor`),
    sharesRoom: p(`SELECT 1 FROM room_members a JOIN room_members b ON a.room_id = b.room_id
      WHERE a.user_id = ? AND b.user_id = ? LIMIT 1`),
    openDm: p('INSERT OR IGNORE INTO dm_open (user_a, user_b) VALUES (?, ?)'),
    isDmOpen: p(
      'SELECT 1 FROM dm_open WHERE (user_a = ? AND user_b = ?) OR (user_a = ? AND user_b = ?)',
    ),
    // dm_open has no timestamp; its rowid is insertion order (rows are never
    // deleted, so never reused), which is what "most recent" means here.
    dmPartners: p(`SELECT u.id, u.username FROM (
        SELECT user_b AS partner, rowid AS seq FROM dm_open WHERE user_a = @me
        UNION ALL
        SELECT user_a AS partner, rowid AS seq FROM dm_open WHERE user_b = @me
      ) d JOIN users u ON u.id = d.partner
      WHERE NOT EXISTS (SELECT 1 FROM dm_block b
        WHERE (b.blocker = @me AND b.blocked = d.partner) OR (b.blocker = d.partner AND b.blocked = @me))
      GROUP BY u.id ORDER BY MAX(d.seq) DESC LIMIT @limit`),
    block: p('INSERT OR IGNORE INTO dm_block (blocker, blocked) VALUES (?, ?)'),
    isBlocked: p('SELECT 1 FROM dm_block WHERE blocker = ? AND blocked = ?'),
    insertMail:
      p(`INSERT INTO mailbox (device_id, user_id, from_device, from_user, room_id, payload, bytes,
      created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    mailUsage: p(
      'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM mailbox WHERE user_id = ?',
    ),
    listMail: p('SELECT * FROM mailbox WHERE device_id = ? AND expires > ? ORDER BY id LIMIT ?'),
    countMail: p('SELECT COUNT(*) AS n FROM mailbox WHERE device_id = ? AND expires > ?'),
    // One statement for the whole batch: a 1 000-id ack is one index walk.
    ackMail: p(
      'DELETE FROM mailbox WHERE device_id = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    sweepMail: p('DELETE FROM mailbox WHERE expires <= ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
