/** Words of the safety-number dialog and the key-change banner (keys `trust.*`). */
import { defineStrings } from '../i18n/i18n.ts';

export const tt = defineStrings({
  en: {
    'trust.dialogTitle': 'Safety number with {username}',
    'trust.safetyNumber': 'Safety number',
    'trust.qrCode': 'QR code',
    'trust.explain':
      'Compare these numbers with {username} in person or over a call you trust, or scan each other’s QR code. If they match, your conversation is end-to-end encrypted with no one in between.',
    'trust.explainChanged':
      'This is the safety number for {username}’s new key. Marking it as verified also accepts the new key.',
    'trust.markVerified': 'Mark as verified',
    'trust.unmarkVerified': 'Unmark verified',
    'trust.verified': 'Verified',
    'trust.notVerified': 'Not verified',
    'trust.computing': 'Computing the safety number…',
    'trust.noKey': 'No identity key is known for {username} yet. Try again once you have talked.',
    'trust.noOwnKey': 'Your own identity key is not available right now. Try again when connected.',
    'trust.failed': 'Could not compute the safety number.',
    'trust.changedBanner': "{username}'s safety number has changed",
    'trust.changedExplain':
      'Sending is paused until you decide. They may have a new device or reinstalled — or someone may be in between.',
    'trust.review': 'Review safety number',
    'trust.acceptNewKey': 'Accept new key',
  },
  de: {
    'trust.dialogTitle': 'Sicherheitsnummer mit {username}',
    'trust.safetyNumber': 'Sicherheitsnummer',
    'trust.qrCode': 'QR-Code',
    'trust.explain':
      'Vergleiche diese Zahlen mit {username} persönlich oder in einem Anruf, dem du vertraust, oder scannt gegenseitig eure QR-Codes. Stimmen sie überein, ist eure Unterhaltung Ende-zu-Ende-verschlüsselt, ohne dass jemand dazwischen sitzt.',
    'trust.explainChanged':
      'Dies ist die Sicherheitsnummer für den neuen Schlüssel von {username}. Als verifiziert markieren akzeptiert auch den neuen Schlüssel.',
    'trust.markVerified': 'Als verifiziert markieren',
    'trust.unmarkVerified': 'Verifizierung aufheben',
    'trust.verified': 'Verifiziert',
    'trust.notVerified': 'Nicht verifiziert',
    'trust.computing': 'Sicherheitsnummer wird berechnet…',
    'trust.noKey':
      'Für {username} ist noch kein Identitätsschlüssel bekannt. Versuche es erneut, nachdem ihr geschrieben habt.',
    'trust.noOwnKey':
      'Dein eigener Identitätsschlüssel ist gerade nicht verfügbar. Versuche es mit Verbindung erneut.',
    'trust.failed': 'Die Sicherheitsnummer konnte nicht berechnet werden.',
    'trust.changedBanner': 'Die Sicherheitsnummer von {username} hat sich geändert',
    'trust.changedExplain':
      'Senden ist angehalten, bis du entscheidest. Vielleicht hat die Person ein neues Gerät oder neu installiert – oder jemand sitzt dazwischen.',
    'trust.review': 'Sicherheitsnummer prüfen',
    'trust.acceptNewKey': 'Neuen Schlüssel akzeptieren',
  },
  es: {
    'trust.dialogTitle': 'Número de seguridad con {username}',
    'trust.safetyNumber': 'Número de seguridad',
    'trust.qrCode': 'Código QR',
    'trust.explain':
      'Compara estos números con {username} en persona o en una llamada de confianza, o escanead vuestros códigos QR. Si coinciden, vuestra conversación está cifrada de extremo a extremo sin nadie en medio.',
    'trust.explainChanged':
      'Este es el número de seguridad de la nueva clave de {username}. Marcarlo como verificado también acepta la nueva clave.',
    'trust.markVerified': 'Marcar como verificado',
    'trust.unmarkVerified': 'Quitar verificación',
    'trust.verified': 'Verificado',
    'trust.notVerified': 'No verificado',
    'trust.computing': 'Calculando el número de seguridad…',
    'trust.noKey':
      'Aún no se conoce ninguna clave de identidad de {username}. Inténtalo de nuevo cuando hayáis hablado.',
    'trust.noOwnKey':
      'Tu propia clave de identidad no está disponible ahora. Inténtalo de nuevo con conexión.',
    'trust.failed': 'No se pudo calcular el número de seguridad.',
    'trust.changedBanner': 'El número de seguridad de {username} ha cambiado',
    'trust.changedExplain':
      'El envío está en pausa hasta que decidas. Puede que tenga un dispositivo nuevo o haya reinstalado, o que alguien esté en medio.',
    'trust.review': 'Revisar número de seguridad',
    'trust.acceptNewKey': 'Aceptar nueva clave',
  },
});
