/** Spanish words for every error code (error-codes.ts). */
import type { ErrorMessages } from './error-codes.ts';

export const ERRORS_ES: ErrorMessages = {
  // Relay
  BAD_JSON:
    'El relé no pudo leer un mensaje de esta aplicación. Recarga la página e inténtalo de nuevo.',
  BAD_FRAME:
    'El relé no pudo leer un mensaje de esta aplicación. Recarga la página e inténtalo de nuevo.',
  SCHEMA:
    'El relé no aceptó una petición de esta aplicación. Recarga la página e inténtalo de nuevo.',
  UNKNOWN_TYPE: 'El relé no conoce esta petición. Puede que use una versión anterior.',
  FRAME_TOO_LARGE: 'Era demasiado grande para enviarlo.',
  VERSION_MISMATCH:
    'Esta aplicación y el relé tienen versiones distintas. Recarga la página para actualizar.',
  HELLO_REQUIRED: 'La conexión con el relé se desincronizó. Recarga la página.',
  NOT_AUTHED: 'Aún no has iniciado sesión en el relé. Espera un momento e inténtalo de nuevo.',
  ALREADY_AUTHED: 'Esta conexión ya ha iniciado sesión.',
  AUTH_FAILED: 'El relé no pudo verificar este dispositivo.',
  AUTH_TIMEOUT:
    'Iniciar sesión en el relé tardó demasiado. Comprueba tu conexión e inténtalo de nuevo.',
  CHALLENGE_UNKNOWN: 'El intento de inicio de sesión caducó. Inténtalo de nuevo.',
  CHALLENGE_EXPIRED: 'El intento de inicio de sesión caducó. Inténtalo de nuevo.',
  CHALLENGE_SKEW:
    'El reloj de este dispositivo está muy desajustado. Corrige la fecha y la hora e inténtalo de nuevo.',
  BAD_CERT: 'El relé rechazó el certificado de este dispositivo.',
  BAD_PREKEY: 'El relé rechazó las claves de este dispositivo.',
  USERNAME_TAKEN: 'Ese nombre de usuario ya existe. Prueba con otro.',
  IDENTITY_TAKEN: 'Estas claves ya están registradas.',
  UNKNOWN_USER: 'No hay nadie con ese nombre de usuario.',
  UNKNOWN_DEVICE: 'El relé no conoce ese dispositivo.',
  DEVICE_LIMIT: 'Tu cuenta ya tiene el número máximo de dispositivos.',
  RATE_LIMITED: 'Demasiados intentos. Espera unos minutos e inténtalo de nuevo.',
  FORBIDDEN: 'No tienes permiso para hacer eso.',
  ROOM_NOT_FOUND: 'Esa sala no existe.',
  ROOM_FULL: 'Esa sala está llena.',
  ROOM_LIMIT: 'Ya eres propietario del número máximo de salas.',
  BANNED: 'Tienes prohibida la entrada a esa sala.',
  INVITE_INVALID: 'Esa invitación ya no es válida. Pide una nueva.',
  NOT_MEMBER: 'No eres miembro de esa sala.',
  ALREADY_MEMBER: 'Ya eres miembro de esa sala.',
  OWNER_CANNOT_LEAVE: 'El propietario no puede abandonar su propia sala.',
  NOT_ONLINE: 'Ese dispositivo no está conectado ahora.',
  RECIPIENT_SLOW: 'El otro lado no da abasto; se perdieron algunos datos.',
  MAILBOX_FULL: 'Su buzón está lleno; tiene que conectarse primero.',
  TOO_MANY_CONNECTIONS: 'El relé tiene demasiadas conexiones. Inténtalo más tarde.',
  REPLACED: 'Parley se abrió en este dispositivo en otra pestaña o ventana.',
  SHUTTING_DOWN: 'El relé se está reiniciando. Parley se volverá a conectar solo.',
  INTERNAL: 'El relé tuvo un problema. Inténtalo de nuevo.',
  // Relay client
  DISCONNECTED:
    'Se cortó la conexión con el relé. Inténtalo de nuevo cuando vuelvas a estar en línea.',
  REQUEST_TIMEOUT: 'El relé no respondió a tiempo. Inténtalo de nuevo.',
  RELAY_PROTOCOL: 'El relé envió algo que esta aplicación no entiende.',
  NOT_CONNECTED: 'Estás sin conexión. Inténtalo de nuevo cuando vuelva la conexión.',
  CLOSED: 'La conexión se cerró.',
  // Accounts
  USERNAME_INVALID:
    'Los nombres de usuario tienen de 3 a 32 letras, dígitos, puntos, guiones o guiones bajos.',
  PASSWORD_EMPTY: 'Escribe una contraseña.',
  WRONG_PASSWORD: 'El nombre de usuario o la contraseña no son correctos.',
  WRONG_RECOVERY_KEY: 'El nombre de usuario o la clave de recuperación no son correctos.',
  RECOVERY_KEY_MALFORMED:
    'Eso no es una clave de recuperación. Comprueba su longitud y sus caracteres.',
  RECOVERY_KEY_CHECKSUM: 'La clave de recuperación tiene una errata. Revísala.',
  KDF_PARAMS_TOO_WEAK:
    'El relé pidió una protección de contraseña más débil de lo que Parley acepta, así que se detuvo el inicio de sesión.',
  KDF_PARAMS_TOO_COSTLY:
    'El relé pidió una protección de contraseña demasiado pesada para este dispositivo, así que se detuvo el inicio de sesión.',
  KDF_BAD_ALGORITHM: 'El relé pidió un tipo de protección de contraseña desconocido.',
  KDF_BAD_SALT: 'El relé envió datos de contraseña dañados.',
  KDF_FAILED: 'Este dispositivo se quedó sin memoria al proteger la contraseña.',
  BLOB_REJECTED: 'El relé devolvió una copia de claves que no pertenece a esta cuenta. Se rechazó.',
  RELAY_MISMATCH: 'El relé dio respuestas contradictorias sobre esta cuenta.',
  RELAY_UNAVAILABLE:
    'No se puede conectar con el relé. Comprueba tu conexión e inténtalo de nuevo.',
  RELAY_REFUSED: 'El relé rechazó la petición.',
  NO_STORED_ACCOUNT: 'No hay ninguna cuenta en este dispositivo.',
  WRONG_LOCAL_SECRET: 'Esa contraseña no desbloquea este dispositivo.',
  LOCAL_SECRET_REQUIRED: 'Elige una contraseña o deja que este dispositivo te recuerde.',
  CURRENT_SECRET_REQUIRED: 'Primero escribe tu contraseña actual.',
  STORE_CORRUPT: 'Las claves guardadas en este dispositivo están dañadas.',
  STORE_UNAVAILABLE:
    'Este navegador no puede guardar claves aquí (modo privado o almacenamiento desactivado). Prueba en una ventana normal.',
  SIGN_OUT_NOT_CONFIRMED: 'Confirma que quieres borrar este dispositivo.',
  // Files
  FILE_CHUNK_SIZE: 'La oferta del archivo está dañada.',
  FILE_SIZE: 'El archivo es demasiado grande o está vacío.',
  FILE_NAME: 'Ese nombre de archivo no está permitido.',
  FILE_MIME: 'Ese tipo de archivo no está permitido.',
  FILE_HASH_MISSING: 'La oferta del archivo está incompleta.',
  FILE_OFFER_MALFORMED: 'La oferta del archivo está dañada.',
  FILE_SEGMENT_RANGE: 'Una parte del archivo llegó fuera de lugar; se está pidiendo de nuevo.',
  FILE_HEADER_INVALID: 'Una parte del archivo estaba dañada; se está pidiendo de nuevo.',
  FILE_CHUNK_REJECTED:
    'Una parte del archivo no superó la comprobación de integridad; se está pidiendo de nuevo.',
  FILE_CHUNK_LENGTH: 'Una parte del archivo tenía un tamaño incorrecto; se está pidiendo de nuevo.',
  FILE_CHUNK_COUNT: 'Una parte del archivo estaba incompleta; se está pidiendo de nuevo.',
  FILE_CHUNK_AFTER_FINAL: 'Llegaron datos después del final del archivo.',
  FILE_SEGMENT_TRUNCATED: 'Una parte del archivo llegó cortada; se está pidiendo de nuevo.',
  FILE_STREAM_FAILED: 'No se pudo descifrar el archivo.',
  FILE_TOO_LARGE: 'El archivo supera el tamaño que permite este relé.',
  FILE_NO_CONVERSATION: 'Esa conversación no está abierta.',
  FILE_UNKNOWN_TRANSFER: 'Esa transferencia ya no existe.',
  FILE_BAD_STATE: 'Eso no es posible ahora para esta transferencia.',
  FILE_SOURCE_READ: 'No se pudo leer el archivo en tu dispositivo.',
  FILE_SOURCE_MISMATCH: 'El archivo que elegiste de nuevo no es el que se ofreció.',
  FILE_SENDER_STALLED: 'El remitente dejó de enviar. La transferencia seguirá cuando vuelva.',
  FILE_SINK_WRITE:
    'No se pudo guardar el archivo en este dispositivo (¿está lleno el almacenamiento?).',
  FILE_HASH_MISMATCH: 'El archivo recibido no coincide con el enviado. Se descartó.',
  FILE_DECLINED: 'Se rechazó el archivo.',
  FILE_CANCELLED: 'Se canceló la transferencia.',
  FILE_CANCELLED_BY_PEER: 'El otro lado canceló la transferencia.',
  // History
  HISTORY_RECORD_CORRUPT: 'Parte del historial guardado en este dispositivo está dañada.',
  HISTORY_VERSION_TOO_NEW:
    'El historial guardado es de una versión más reciente de Parley. Recarga para actualizar.',
  HISTORY_BLOCKED: 'Parley está abierto en otra pestaña. Ciérrala y recarga.',
  HISTORY_OPEN_FAILED: 'No se pudo abrir el historial guardado.',
  HISTORY_CLOSED: 'El historial guardado está cerrado.',
  HISTORY_BAD_KEY: 'La clave del historial guardado no es correcta.',
  HISTORY_BAD_POSITION: 'Ese punto del historial no existe.',
  HISTORY_WRONG_CONVERSATION: 'Un mensaje estaba en la conversación equivocada y se ignoró.',
  // Miembros de la sala (la cadena firmada)
  CHAIN_FORBIDDEN: 'Tu papel en esta sala no te permite hacer eso.',
  CHAIN_UNKNOWN_USER:
    'Las claves de esa persona aún no se conocen o no son de confianza. Inténtalo de nuevo cuando se haya conectado.',
  CHAIN_NO_ROOM: 'Esa sala no está abierta en este dispositivo.',
  CHAIN_EXISTS: 'Esa sala ya está configurada.',
  CHAIN_EMPTY:
    'Este dispositivo aún no ha recibido la lista de miembros de la sala. Inténtalo de nuevo cuando otro miembro esté conectado.',
  CHAIN_MALFORMED: 'La lista de miembros de la sala estaba dañada y se ignoró.',
  CHAIN_BAD_CERT:
    'Un cambio en los miembros llegó de un dispositivo que no se pudo verificar. Se ignoró.',
  CHAIN_BAD_SIGNATURE: 'Un cambio en los miembros tenía una firma no válida. Se ignoró.',
  CHAIN_BROKEN: 'La lista de miembros de la sala no encajaba. Se ignoró la parte rota.',
  CHAIN_WRONG_ROOM: 'Llegó aquí la lista de miembros de otra sala. Se ignoró.',
  CHAIN_FROM_FUTURE:
    'Un cambio en los miembros tiene fecha futura. Comprueba el reloj de este dispositivo.',
  UNKNOWN: 'Algo salió mal. Inténtalo de nuevo.',
};
