/** Messages of the notes under KPI cards (kpi-notes.ts): the catalogue, data only. */
import type { Locale } from '../../kernel/i18n.js';

export const MESSAGES = {
  en: { trailing12: 'Trailing 12 months: NRR {nrr} · GRR {grr}', trailing12Grr: 'Trailing 12 months: GRR {grr}' },
  'zh-CN': { trailing12: '过去 12 个月：NRR {nrr} · GRR {grr}', trailing12Grr: '过去 12 个月：GRR {grr}' },
} satisfies Record<Locale, Record<string, string>>;
