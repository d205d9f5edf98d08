/** Words the small shared components use (close buttons, busy states). */
import { defineStrings } from '../i18n/i18n.ts';

export const tc = defineStrings({
  en: {
    'common.close': 'Close',
    'common.cancel': 'Cancel',
    'common.working': 'Working…',
    'common.loading': 'Loading…',
  },
  de: {
    'common.close': 'Schließen',
    'common.cancel': 'Abbrechen',
    'common.working': 'Einen Moment…',
    'common.loading': 'Wird geladen…',
  },
  es: {
    'common.close': 'Cerrar',
    'common.cancel': 'Cancelar',
    'common.working': 'Un momento…',
    'common.loading': 'Cargando…',
  },
});
