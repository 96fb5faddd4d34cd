/**
 * Sample survey data for `cxreport init`: six months of responses with a little structure (a
 * slow NPS rise, a higher-effort phone channel), generated from a fixed seed so every new
 * project starts with the same file.
 */

/** sfc32: small, fast, seedable PRNG. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const COMMENTS = {
  bad: ['Support took days to answer.', 'Setup was confusing and slow.', 'Too expensive for what we get.', 'The phone queue was endless.'],
  mid: ['Works fine, nothing special.', 'Good product, billing could be clearer.', 'Decent, but the app is slow at times.'],
  good: ['Excellent service, quick and friendly.', 'The new dashboard saves us hours.', 'Support solved it in minutes.', 'Easy to use and reliable.'],
};

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));

/** CSV text of the sample responses (months are the six ending with `lastMonth`, "YYYY-MM"). */
export function sampleResponses(lastMonth = '2026-10', perMonth = 220): string {
  const random = sfc32(0xc0ffee, 0x5eed, 42, 7);
  const [y, m] = lastMonth.split('-').map(Number);
  const rows = ['response_id,submitted_at,channel,region,nps_score,csat,ces,comment'];
  let id = 1;
  for (let k = 5; k >= 0; k--) {
    const month = new Date(Date.UTC(y, m - 1 - k, 1));
    const days = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).getUTCDate();
    for (let i = 0; i < perMonth; i++) {
      const channel = ['email', 'chat', 'phone'][Math.floor(random() * 3)];
      const region = random() < 0.55 ? 'North' : 'South';
      const mood = (random() + random() + random()) / 3 + (5 - k) * 0.012 - (channel === 'phone' ? 0.08 : 0);
      const nps = clamp(3 + mood * 10 + (random() - 0.5) * 3, 0, 10);
      const csat = clamp(1.6 + mood * 5 + (random() - 0.5) * 1.5, 1, 5);
      const ces = clamp(2 + mood * 7 + (random() - 0.5) * 1.5 - (channel === 'phone' ? 1 : 0), 1, 7);
      const day = 1 + Math.floor(random() * days);
      const at = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), day, 8 + Math.floor(random() * 10), Math.floor(random() * 60)));
      const pool = nps <= 6 ? COMMENTS.bad : nps <= 8 ? COMMENTS.mid : COMMENTS.good;
      const comment = random() < 0.6 ? pool[Math.floor(random() * pool.length)] : '';
      const quoted = comment ? `"${comment.replaceAll('"', '""')}"` : '';
      rows.push([`S${String(id++).padStart(5, '0')}`, at.toISOString().replace('.000Z', 'Z'), channel, region, nps, csat, ces, quoted].join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
