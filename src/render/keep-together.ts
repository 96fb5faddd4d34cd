/**
 * Chinese text wraps between any two characters and at every space, so a value written with
 * spaces — "p < 0.001", "1 小时 5 分钟", "65.0 个百分点", "n = 1,189" — could be split across two
 * lines ("(p <⏎0.001)", "1 小时 5⏎分钟"). In a zh-CN report the spaces inside such values become
 * no-break spaces (U+00A0) in the HTML's text (never in tags, attributes, styles or scripts), so a
 * line breaks before or after a value, not inside it. The text reads the same: a no-break space
 * is a space (and pdftotext writes it as one).
 *
 * Rules, applied to text between tags (entities as Handlebars writes them: &lt; &gt; &#x3D;):
 *   - a comparison: "p < 0.001", "p = 0.03", "n = 1,189", "n < 30" (one letter, an operator, a number);
 *   - a number and the Chinese unit after it: "65.0 个百分点", "5 分钟", "1,189 条", "30 天";
 *   - the parts of a duration: "1 小时 5 分钟", "2 天 3 小时".
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

/** The text of one run between tags with the spaces inside values made no-break. */
export function keepValuesTogether(text: string): string {
  return text.replace(COMPARISON, `$1${NBSP}$2${NBSP}`).replace(NUMBER_UNIT, `$1${NBSP}`).replace(DURATION, `$1${NBSP}`);
}

/** The HTML document with keepValuesTogether applied to every text run outside tags, <style> and <script>. */
export function keepValuesTogetherInHtml(html: string): string {
  let out = '';
  let i = 0;
  const skip = /<(style|script)\b[^>]*>[\s\S]*?<\/\1>|<!--[\s\S]*?-->|<[^>]*>/g;
  for (let m = skip.exec(html); m; m = skip.exec(html)) {
    out += keepValuesTogether(html.slice(i, m.index)) + m[0];
    i = m.index + m[0].length;
  }
  return out + keepValuesTogether(html.slice(i));
}
