/** The repeat purchase rate metric module. */
import type { MetricModule } from '../module.js';
import { compute } from './compute.js';
import { prepare, type PreparedRepeat } from './prepare.js';
import { repeatPurchaseRateSchema, type RepeatPurchaseDef } from './schema.js';

export { repeatPurchaseRateSchema, type RepeatPurchaseDef } from './schema.js';
export { MESSAGES } from './messages.js';

export const repeatPurchaseRateModule: MetricModule<RepeatPurchaseDef, PreparedRepeat> = {
  type: 'repeat-purchase-rate',
  schema: repeatPurchaseRateSchema,
  title: 'Repeat purchase rate',
  pushdown: true,
  prepare,
  needsPeriods: 'repeat purchases are counted in a window after each first purchase, per period',
  compute,
};
