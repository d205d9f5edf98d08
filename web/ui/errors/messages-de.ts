/** German words for every error code (error-codes.ts). */
import type { ErrorMessages } from './error-codes.ts';

export const ERRORS_DE: ErrorMessages = {
  // Relay
  BAD_JSON:
    'Das Relay konnte eine Nachricht dieser App nicht lesen. Lade die Seite neu und versuche es erneut.',
  BAD_FRAME:
    'Das Relay konnte eine Nachricht dieser App nicht lesen. Lade die Seite neu und versuche es erneut.',
  SCHEMA:
    'Das Relay hat eine Anfrage dieser App nicht angenommen. Lade die Seite neu und versuche es erneut.',
  UNKNOWN_TYPE: 'Das Relay kennt diese Anfrage nicht. Vielleicht läuft dort eine ältere Version.',
  FRAME_TOO_LARGE: 'Das war zu groß zum Senden.',
  VERSION_MISMATCH:
    'Diese App und das Relay haben unterschiedliche Versionen. Lade die Seite neu, um zu aktualisieren.',
  HELLO_REQUIRED: 'Die Verbindung zum Relay ist durcheinandergeraten. Lade die Seite neu.',
  NOT_AUTHED: 'Du bist noch nicht beim Relay angemeldet. Warte kurz und versuche es erneut.',
  ALREADY_AUTHED: 'Diese Verbindung ist bereits angemeldet.',
  AUTH_FAILED: 'Das Relay konnte dieses Gerät nicht überprüfen.',
  AUTH_TIMEOUT:
    'Die Anmeldung beim Relay hat zu lange gedauert. Prüfe deine Verbindung und versuche es erneut.',
  CHALLENGE_UNKNOWN: 'Der Anmeldeversuch ist abgelaufen. Versuche es erneut.',
  CHALLENGE_EXPIRED: 'Der Anmeldeversuch ist abgelaufen. Versuche es erneut.',
  CHALLENGE_SKEW:
    'Die Uhr dieses Geräts geht zu falsch. Korrigiere Datum und Uhrzeit und versuche es erneut.',
  BAD_CERT: 'Das Relay hat das Zertifikat dieses Geräts abgelehnt.',
  BAD_PREKEY: 'Das Relay hat die Schlüssel dieses Geräts abgelehnt.',
  USERNAME_TAKEN: 'Dieser Benutzername ist vergeben. Versuche einen anderen.',
  IDENTITY_TAKEN: 'Diese Schlüssel sind bereits registriert.',
  UNKNOWN_USER: 'Niemand hat diesen Benutzernamen.',
  UNKNOWN_DEVICE: 'Dieses Gerät ist dem Relay nicht bekannt.',
  DEVICE_LIMIT: 'Dein Konto hat bereits die maximale Anzahl an Geräten.',
  RATE_LIMITED: 'Zu viele Versuche. Warte ein paar Minuten und versuche es erneut.',
  FORBIDDEN: 'Das darfst du nicht.',
  ROOM_NOT_FOUND: 'Diesen Raum gibt es nicht.',
  ROOM_FULL: 'Dieser Raum ist voll.',
  ROOM_LIMIT: 'Dir gehört bereits die maximale Anzahl an Räumen.',
  BANNED: 'Du bist aus diesem Raum verbannt.',
  INVITE_INVALID: 'Diese Einladung ist nicht mehr gültig. Bitte um eine neue.',
  NOT_MEMBER: 'Du bist kein Mitglied dieses Raums.',
  ALREADY_MEMBER: 'Du bist bereits Mitglied dieses Raums.',
  OWNER_CANNOT_LEAVE: 'Der Besitzer kann seinen eigenen Raum nicht verlassen.',
  NOT_ONLINE: 'Dieses Gerät ist gerade nicht online.',
  RECIPIENT_SLOW: 'Die Gegenseite kommt nicht hinterher; einige Daten gingen verloren.',
  MAILBOX_FULL: 'Das Postfach ist voll; die Person muss erst wieder online kommen.',
  TOO_MANY_CONNECTIONS: 'Das Relay hat zu viele Verbindungen. Versuche es später erneut.',
  REPLACED: 'Parley wurde auf diesem Gerät in einem anderen Tab oder Fenster geöffnet.',
  SHUTTING_DOWN: 'Das Relay startet neu. Parley verbindet sich von selbst wieder.',
  INTERNAL: 'Das Relay hatte ein Problem. Versuche es erneut.',
  // Relay client
  DISCONNECTED:
    'Die Verbindung zum Relay ist abgebrochen. Versuche es erneut, sobald du wieder online bist.',
  REQUEST_TIMEOUT: 'Das Relay hat nicht rechtzeitig geantwortet. Versuche es erneut.',
  RELAY_PROTOCOL: 'Das Relay hat etwas gesendet, das diese App nicht versteht.',
  NOT_CONNECTED: 'Du bist offline. Versuche es erneut, sobald die Verbindung zurück ist.',
  CLOSED: 'Die Verbindung wurde geschlossen.',
  // Accounts
  USERNAME_INVALID:
    'Benutzernamen bestehen aus 3–32 Buchstaben, Ziffern, Punkten, Binde- oder Unterstrichen.',
  PASSWORD_EMPTY: 'Gib ein Passwort ein.',
  WRONG_PASSWORD: 'Benutzername oder Passwort ist falsch.',
  WRONG_RECOVERY_KEY: 'Benutzername oder Wiederherstellungsschlüssel ist falsch.',
  RECOVERY_KEY_MALFORMED: 'Das ist kein Wiederherstellungsschlüssel. Prüfe Länge und Zeichen.',
  RECOVERY_KEY_CHECKSUM:
    'Der Wiederherstellungsschlüssel enthält einen Tippfehler. Prüfe ihn noch einmal.',
  KDF_PARAMS_TOO_WEAK:
    'Das Relay verlangte einen schwächeren Passwortschutz, als Parley akzeptiert. Die Anmeldung wurde abgebrochen.',
  KDF_PARAMS_TOO_COSTLY:
    'Das Relay verlangte einen für dieses Gerät zu aufwendigen Passwortschutz. Die Anmeldung wurde abgebrochen.',
  KDF_BAD_ALGORITHM: 'Das Relay verlangte eine unbekannte Art von Passwortschutz.',
  KDF_BAD_SALT: 'Das Relay hat beschädigte Passwortdaten gesendet.',
  KDF_FAILED: 'Diesem Gerät ging beim Schützen des Passworts der Speicher aus.',
  BLOB_REJECTED:
    'Das Relay lieferte eine Schlüsselsicherung, die nicht zu diesem Konto gehört. Sie wurde abgelehnt.',
  RELAY_MISMATCH: 'Das Relay hat widersprüchliche Angaben zu diesem Konto gemacht.',
  RELAY_UNAVAILABLE:
    'Das Relay ist nicht erreichbar. Prüfe deine Verbindung und versuche es erneut.',
  RELAY_REFUSED: 'Das Relay hat die Anfrage abgelehnt.',
  NO_STORED_ACCOUNT: 'Auf diesem Gerät gibt es kein Konto.',
  WRONG_LOCAL_SECRET: 'Dieses Passwort entsperrt dieses Gerät nicht.',
  LOCAL_SECRET_REQUIRED: 'Wähle ein Passwort oder lass dieses Gerät dich merken.',
  CURRENT_SECRET_REQUIRED: 'Gib zuerst dein aktuelles Passwort ein.',
  STORE_CORRUPT: 'Die auf diesem Gerät gespeicherten Schlüssel sind beschädigt.',
  STORE_UNAVAILABLE:
    'Dieser Browser kann hier keine Schlüssel speichern (privater Modus oder Speicher deaktiviert). Versuche ein normales Fenster.',
  SIGN_OUT_NOT_CONFIRMED: 'Bestätige, dass dieses Gerät gelöscht werden soll.',
  // Files
  FILE_CHUNK_SIZE: 'Das Dateiangebot ist beschädigt.',
  FILE_SIZE: 'Die Datei ist zu groß oder leer.',
  FILE_NAME: 'Dieser Dateiname ist nicht erlaubt.',
  FILE_MIME: 'Dieser Dateityp ist nicht erlaubt.',
  FILE_HASH_MISSING: 'Das Dateiangebot ist unvollständig.',
  FILE_OFFER_MALFORMED: 'Das Dateiangebot ist beschädigt.',
  FILE_SEGMENT_RANGE: 'Ein Teil der Datei kam an falscher Stelle an; er wird neu geholt.',
  FILE_HEADER_INVALID: 'Ein Teil der Datei war beschädigt; er wird neu geholt.',
  FILE_CHUNK_REJECTED:
    'Ein Teil der Datei hat die Integritätsprüfung nicht bestanden; er wird neu geholt.',
  FILE_CHUNK_LENGTH: 'Ein Teil der Datei hatte die falsche Größe; er wird neu geholt.',
  FILE_CHUNK_COUNT: 'Ein Teil der Datei war unvollständig; er wird neu geholt.',
  FILE_CHUNK_AFTER_FINAL: 'Nach dem Dateiende kamen noch Daten an.',
  FILE_SEGMENT_TRUNCATED: 'Ein Teil der Datei war abgeschnitten; er wird neu geholt.',
  FILE_STREAM_FAILED: 'Die Datei konnte nicht entschlüsselt werden.',
  FILE_TOO_LARGE: 'Die Datei ist größer, als dieses Relay erlaubt.',
  FILE_NO_CONVERSATION: 'Diese Unterhaltung ist nicht geöffnet.',
  FILE_UNKNOWN_TRANSFER: 'Diese Übertragung gibt es nicht mehr.',
  FILE_BAD_STATE: 'Das ist bei dieser Übertragung gerade nicht möglich.',
  FILE_SOURCE_READ: 'Die Datei konnte auf deinem Gerät nicht gelesen werden.',
  FILE_SOURCE_MISMATCH: 'Die erneut gewählte Datei ist nicht die angebotene.',
  FILE_SENDER_STALLED:
    'Der Absender sendet nicht mehr. Die Übertragung geht weiter, sobald er zurück ist.',
  FILE_SINK_WRITE:
    'Die Datei konnte auf diesem Gerät nicht gespeichert werden (ist der Speicher voll?).',
  FILE_HASH_MISMATCH:
    'Die empfangene Datei stimmt nicht mit der gesendeten überein. Sie wurde verworfen.',
  FILE_DECLINED: 'Die Datei wurde abgelehnt.',
  FILE_CANCELLED: 'Die Übertragung wurde abgebrochen.',
  FILE_CANCELLED_BY_PEER: 'Die Gegenseite hat die Übertragung abgebrochen.',
  // History
  HISTORY_RECORD_CORRUPT: 'Ein Teil des gespeicherten Verlaufs auf diesem Gerät ist beschädigt.',
  HISTORY_VERSION_TOO_NEW:
    'Der gespeicherte Verlauf stammt von einer neueren Parley-Version. Lade neu, um zu aktualisieren.',
  HISTORY_BLOCKED: 'Parley ist in einem anderen Tab geöffnet. Schließe ihn und lade neu.',
  HISTORY_OPEN_FAILED: 'Der gespeicherte Verlauf konnte nicht geöffnet werden.',
  HISTORY_CLOSED: 'Der gespeicherte Verlauf ist geschlossen.',
  HISTORY_BAD_KEY: 'Der Schlüssel für den gespeicherten Verlauf ist falsch.',
  HISTORY_BAD_POSITION: 'Diese Stelle im Verlauf gibt es nicht.',
  HISTORY_WRONG_CONVERSATION:
    'Eine Nachricht war der falschen Unterhaltung zugeordnet und wurde ignoriert.',
  // Raummitgliedschaft (die signierte Kette)
  CHAIN_FORBIDDEN: 'Deine Rolle in diesem Raum erlaubt das nicht.',
  CHAIN_UNKNOWN_USER:
    'Die Schlüssel dieser Person sind noch nicht bekannt oder nicht vertrauenswürdig. Versuche es erneut, wenn sie online war.',
  CHAIN_NO_ROOM: 'Dieser Raum ist auf diesem Gerät nicht geöffnet.',
  CHAIN_EXISTS: 'Dieser Raum ist bereits eingerichtet.',
  CHAIN_EMPTY:
    'Dieses Gerät hat die Mitgliederliste des Raums noch nicht erhalten. Versuche es erneut, wenn ein anderes Mitglied online ist.',
  CHAIN_MALFORMED: 'Die Mitgliederliste des Raums war beschädigt und wurde ignoriert.',
  CHAIN_BAD_CERT:
    'Eine Änderung der Mitglieder kam von einem Gerät, das nicht überprüft werden konnte. Sie wurde ignoriert.',
  CHAIN_BAD_SIGNATURE:
    'Eine Änderung der Mitglieder hatte eine ungültige Signatur. Sie wurde ignoriert.',
  CHAIN_BROKEN:
    'Die Mitgliederliste des Raums passte nicht zusammen. Der fehlerhafte Teil wurde ignoriert.',
  CHAIN_WRONG_ROOM: 'Hier kam die Mitgliederliste eines anderen Raums an. Sie wurde ignoriert.',
  CHAIN_FROM_FUTURE:
    'Eine Änderung der Mitglieder ist in die Zukunft datiert. Prüfe die Uhr dieses Geräts.',
  UNKNOWN: 'Etwas ist schiefgelaufen. Versuche es erneut.',
};
