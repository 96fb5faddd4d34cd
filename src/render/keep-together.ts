/**
 * Chinese text wraps between any two characters and at every space, so a value written with
 * spaces — "p < 0.001", "1 小时 5 分钟", "65.0 个百分点", "n = 1,189" — could be split across two
 * lines ("(p <⏎0.001)", "1 小时 5⏎分钟", "1 小⏎时"). In a zh-CN report the spaces inside such values
 * become no-break spaces (U+00A0) and each value sits in a span that does not wrap, so a line
 * breaks before or after a value, not inside it. The text reads the same: a no-break space is a
 * space (and pdftotext writes it as one).
 *
 * Rules, applied to text between tags (entities as Handlebars writes them: &lt; &gt; &#x3D;):
 *   - a comparison: "p < 0.001", "p = 0.03", "n = 1,189", "n < 30" (one letter, an operator, a number);
 *   - a number and the Chinese unit after it: "65.0 个百分点", "5 分钟", "1,189 条", "30 天";
 *   - the parts of a duration: "1 小时 5 分钟", "2 天 3 小时";
 *   - dates and periods ("2026年10月31日"), which have no spaces but would break between characters.
 * A unit is one of the units the zh-CN catalogue writes after numbers (UNITS), so a number
 * followed by an ordinary word ("2026年10月 上升") is left alone.
 */

const NBSP = '\u00a0';
/** Units the zh-CN messages put after a number (report/i18n.ts and the modules' catalogues). */
const UNITS = ['个百分点', '百分点', '分钟', '小时', '天', '周', '个月', '月', '年', '分', '条', '份', '位', '个', '次', '倍', '秒', '项', '家', '单', '张'];
const OPERATOR = '(?:&lt;|&gt;|&#x3D;|=|<|>|≤|≥|≈)';
const NUMBER = '[+\\-\u2212]?[$¥]?\\d[\\d,]*(?:\\.\\d+)?%?';

const COMPARISON = new RegExp(`(\\b[A-Za-z]) (${OPERATOR}) (?=[+\\-\u2212]?\\d)`, 'g');
const NUMBER_UNIT = new RegExp(`(${NUMBER}) (?=(?:${UNITS.join('|')}))`, 'g');
const DURATION = /(小时|天) (?=\d+[\u00a0 ](?:分钟|小时))/g;
/** A date or period as the zh-CN report writes it: "2026年10月31日", "2026年10月", "2026年第4季度" (no spaces, but breakable between its characters). */
const DATE = '\\d{4}年(?:\\d{1,2}月(?:\\d{1,2}日)?|第\\d季度)?';

/** The text of one run between tags with the spaces inside values made no-break. */
export function keepValuesTogether(text: string): string {
  return text.replace(COMPARISON, `$1${NBSP}$2${NBSP}`).replace(NUMBER_UNIT, `$1${NBSP}`).replace(DURATION, `$1${NBSP}`);
}

/** A value after keepValuesTogether: a comparison, or a number with its unit (and a duration's second part). */
const VALUE = new RegExp(
  `\\b[A-Za-z]${NBSP}${OPERATOR}${NBSP}${NUMBER}|${DATE}|${NUMBER}${NBSP}(?:${UNITS.join('|')})(?:${NBSP}\\d+${NBSP}(?:分钟|小时))?`,
  'g',
);

/**
 * The HTML document with keepValuesTogether applied to every text run, and each value wrapped in a
 * span that does not wrap: a no-break space holds a number to its unit, but Chinese also breaks
 * between any two ideographs, inside "小时" or "个百分点" (Chromium did: "1 小⏎时 5 分钟"). Text in
 * tags, attributes, <style>, <script>, <title>, <textarea> and SVG (chart text never wraps, and a
 * span is no SVG element) is left alone.
 */
export function keepValuesTogetherInHtml(html: string): string {
  let out = '';
  let i = 0;
  const skip = /<(style|script|svg|title|textarea)\b[^>]*>[\s\S]*?<\/\1>|<!--[\s\S]*?-->|<[^>]*>/g;
  const run = (text: string) => keepValuesTogether(text).replace(VALUE, (v) => `<span style="white-space:nowrap">${v}</span>`);
  for (let m = skip.exec(html); m; m = skip.exec(html)) {
    out += run(html.slice(i, m.index)) + m[0];
    i = m.index + m[0].length;
  }
  return out + run(html.slice(i));
}
