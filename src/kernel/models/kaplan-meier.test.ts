/**
 * Kaplan–Meier against R survival's printed output (therneau/survival):
 * - `summary(survfit(Surv(time, status) ~ x, data = aml))`, group x = Maintained, and
 *   `print(survfit(...))` (median 31, 0.95LCL 18, 0.95UCL NA). The values below are copied from
 *   that printout as reproduced in several public R tutorials; R's default conf.type = "log".
 * - `survfit(Surv(time, status) ~ 1, data = lung)`: n 228, events 165, median 310,
 *   0.95LCL 285, 0.95UCL 363.
 * plus a small example worked by hand and R's documented median rules (quantile.survfit).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { kaplanMeier, medianSurvival, type ConfType } from './kaplan-meier.js';

/** R: summary(survfit(Surv(time, status) ~ x, data = aml)), stratum x=Maintained. */
const R_AML_MAINTAINED = [
  // time, n.risk, n.event, survival, std.err, lower 95% CI, upper 95% CI
  [9, 11, 1, 0.909, 0.0867, 0.7541, 1.0],
  [13, 10, 1, 0.818, 0.1163, 0.6192, 1.0],
  [18, 8, 1, 0.716, 0.1397, 0.4884, 1.0],
  [23, 7, 1, 0.614, 0.1526, 0.3769, 0.999],
  [31, 5, 1, 0.491, 0.1642, 0.2549, 0.946],
  [34, 4, 1, 0.368, 0.1627, 0.1549, 0.875],
  [48, 2, 1, 0.184, 0.1535, 0.0359, 0.944],
] as const;

/** Half a unit in the last printed place: the printout's own precision. */
const printed = (actual: number, expected: number, decimals: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
};

describeShared('Kaplan–Meier vs R survival', () => {
  it('reproduces summary(survfit) for aml, Maintained group', () => {
    const aml = parse(readFileSync(sharedFile('survival', 'aml_from_R_survival_printout.csv'), 'utf8'), {
      columns: true,
      cast: true,
    }) as { time: number; status: 0 | 1; x: string }[];
    const group = aml.filter((row) => row.x === 'Maintained');
    expect(group).toHaveLength(11);
    const curve = kaplanMeier(
      group.map((row) => row.time),
      group.map((row) => row.status),
    );
    expect(curve.steps).toHaveLength(R_AML_MAINTAINED.length);
    R_AML_MAINTAINED.forEach(([time, nRisk, nEvent, survival, stdErr, lower, upper], i) => {
      const step = curve.steps[i]!;
      expect(step.time).toBe(time);
      expect(step.atRisk).toBe(nRisk);
      expect(step.events).toBe(nEvent);
      printed(step.survival, survival, 3);
      printed(step.se, stdErr, 4);
      printed(step.lower, lower, 4);
      printed(step.upper, upper, 3);
    });
    // print(fit): median 31, 0.95LCL 18, 0.95UCL NA
    expect(medianSurvival(curve)).toEqual({ median: 31, lower: 18, upper: null });
    expect(curve.totalEvents).toBe(7);
  });

  it('reproduces the lung median: 310 days (285, 363)', () => {
    const lung = parse(readFileSync(sharedFile('survival', 'lifelines_lung.csv'), 'utf8'), { columns: true, cast: true }) as {
      time: number;
      status: 0 | 1;
    }[];
    const curve = kaplanMeier(
      lung.map((row) => row.time),
      lung.map((row) => row.status),
    );
    expect(curve.n).toBe(228);
    expect(curve.totalEvents).toBe(165);
    expect(medianSurvival(curve)).toEqual({ median: 310, lower: 285, upper: 363 });
  });
});

describe('Kaplan–Meier worked by hand', () => {
  // Six subjects: 2, 3+, 3, 5, 6+, 8 (+ = censored). A censoring tied with an event counts as
  // at risk at that time.
  //   t=2: n=6, d=1  S = 5/6            Σ d/(n(n−d)) = 1/(6·5) = 1/30
  //   t=3: n=5, d=1  S = 5/6·4/5 = 2/3  Σ = 1/30 + 1/(5·4) = 1/12
  //   t=5: n=3, d=1  S = 2/3·2/3 = 4/9  Σ = 1/12 + 1/(3·2) = 1/4
  //   t=8: n=1, d=1  S = 0              Σ = ∞ (d = n), so se and the band are undefined
  // se = S·√Σ: 5/6·√(1/30) = 0.152145, 2/3·√(1/12) = 0.192450, 4/9·½ = 0.222222.
  // z = 1.959964. Log band S·exp(∓z√Σ): t=5 → 4/9·e^(−0.979982) = 0.166808, upper 1.18 → 1.
  // Log-log band S^exp(±z√Σ/|ln S|): t=5 → w = 0.979982/0.810930 = 1.208466,
  //   (4/9)^e^w = 0.066187, (4/9)^e^(−w) = 0.784908.
  // Plain band S ∓ z·se: t=5 → 0.444444 ∓ 0.435546 = 0.008897, 0.879992.
  const times = [2, 3, 3, 5, 6, 8];
  const events: (0 | 1)[] = [1, 0, 1, 1, 0, 1];

  it('computes survival, Greenwood se and the log band', () => {
    const curve = kaplanMeier(times, events);
    expect(curve.steps.map((s) => [s.time, s.atRisk, s.events, s.censored])).toEqual([
      [2, 6, 1, 0],
      [3, 5, 1, 1],
      [5, 3, 1, 0],
      [8, 1, 1, 0],
    ]);
    const expected = [
      [5 / 6, 0.152145, 0.582655, 1],
      [2 / 3, 0.19245, 0.378606, 1],
      [4 / 9, 0.222222, 0.166808, 1],
    ];
    expected.forEach(([s, se, lower, upper], i) => {
      const step = curve.steps[i]!;
      expect(step.survival).toBeCloseTo(s!, 12);
      expect(step.se).toBeCloseTo(se!, 6);
      expect(step.lower).toBeCloseTo(lower!, 6);
      expect(step.upper).toBeCloseTo(upper!, 6);
    });
    const last = curve.steps[3]!;
    expect(last.survival).toBe(0);
    expect(last.se).toBeNaN();
    expect(last.lower).toBeNaN();
    expect(last.upper).toBeNaN();
    expect(medianSurvival(curve).median).toBe(5);
  });

  it('computes the log-log and plain bands', () => {
    const logLog = kaplanMeier(times, events, { confType: 'log-log' }).steps[2]!;
    expect(logLog.lower).toBeCloseTo(0.066187, 6);
    expect(logLog.upper).toBeCloseTo(0.784908, 6);
    const plain = kaplanMeier(times, events, { confType: 'plain' }).steps[2]!;
    expect(plain.lower).toBeCloseTo(0.008897, 6);
    expect(plain.upper).toBeCloseTo(0.879992, 6);
  });

  it('can list censoring-only times too', () => {
    const curve = kaplanMeier(times, events, { includeCensored: true });
    expect(curve.steps.map((s) => s.time)).toEqual([2, 3, 5, 6, 8]);
    expect(curve.steps[3]).toMatchObject({ time: 6, atRisk: 2, events: 0, censored: 1 });
    expect(curve.steps[3]!.survival).toBeCloseTo(4 / 9, 12);
  });

  it('widens the band at a higher confidence level', () => {
    const at90 = kaplanMeier(times, events, { confLevel: 0.9 }).steps[2]!;
    const at99 = kaplanMeier(times, events, { confLevel: 0.99 }).steps[2]!;
    expect(at99.lower).toBeLessThan(at90.lower);
  });
});

describe('medianSurvival follows R’s rules', () => {
  it('takes the midpoint of a flat stretch at exactly 0.5 (the ordinary median of 1, 2, 3, 4 is 2.5)', () => {
    const curve = kaplanMeier([1, 2, 3, 4], [1, 1, 1, 1]);
    expect(curve.steps[1]!.survival).toBe(0.5);
    expect(medianSurvival(curve).median).toBe(2.5);
  });

  it('uses the last observed time when the curve ends flat at 0.5', () => {
    // S = 0.75, 0.5, then only censorings (3+, 4+): midpoint of 2 and the end of follow-up, 4.
    expect(medianSurvival(kaplanMeier([1, 2, 3, 4], [1, 1, 0, 0])).median).toBe(3);
  });

  it('is null when the curve never reaches 0.5, while a band that does still gives a limit', () => {
    // S(1) = 3/4 with Σ = 1/12: the lower log band 0.75·exp(−1.959964·0.288675) = 0.4257 is
    // below 0.5 from t = 1, so R reports median NA, 0.95LCL 1, 0.95UCL NA.
    expect(medianSurvival(kaplanMeier([1, 2, 3, 4], [1, 0, 0, 0]))).toEqual({ median: null, lower: 1, upper: null });
    expect(medianSurvival(kaplanMeier([1, 2, 3, 4], [0, 0, 0, 0]))).toEqual({ median: null, lower: null, upper: null });
  });
});

describe('kaplanMeier input checks', () => {
  it('rejects mismatched or invalid input', () => {
    expect(() => kaplanMeier([1, 2], [1])).toThrow(RangeError);
    expect(() => kaplanMeier([], [])).toThrow(RangeError);
    expect(() => kaplanMeier([1, NaN], [1, 1])).toThrow(RangeError);
    expect(() => kaplanMeier([1, 2], [1, 2 as 1])).toThrow(RangeError);
    expect(() => kaplanMeier([1, 2], [1, 1], { confLevel: 1 })).toThrow(RangeError);
  });
});

describe('Kaplan–Meier properties (fast-check)', () => {
  const sample = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom<0 | 1>(0, 1)), { minLength: 1, maxLength: 60 });
  const confType = fc.constantFrom<ConfType>('log', 'log-log', 'plain');

  it('survival is non-increasing, within [0, 1], and inside its band', () => {
    fc.assert(
      fc.property(sample, confType, fc.boolean(), (rows, type, includeCensored) => {
        const curve = kaplanMeier(
          rows.map(([t]) => t),
          rows.map(([, e]) => e),
          { confType: type, includeCensored },
        );
        let previous = 1;
        for (const step of curve.steps) {
          if (!(step.survival >= 0 && step.survival <= 1 && step.survival <= previous)) return false;
          previous = step.survival;
          if (step.survival > 0) {
            if (!(step.lower >= 0 && step.lower <= step.survival + 1e-12 && step.upper >= step.survival - 1e-12 && step.upper <= 1)) return false;
          }
        }
        const median = medianSurvival(curve).median;
        return median === null || curve.steps.some((s) => s.time <= median && s.survival <= 0.5 + 1e-9);
      }),
    );
  });
});

describe('frequency weights', () => {
  it('a weighted observation is the same as that many copies of it (curve, se, band, n)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom<0 | 1>(0, 1), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 30 }), (rows) => {
        const weighted = kaplanMeier(rows.map((r) => r[0]), rows.map((r) => r[1]), { weights: rows.map((r) => r[2]), includeCensored: true });
        const copies = rows.flatMap(([t, e, w]) => Array.from({ length: w }, () => [t, e] as const));
        const replicated = kaplanMeier(copies.map((r) => r[0]), copies.map((r) => r[1]), { includeCensored: true });
        expect(weighted).toEqual(replicated);
      }),
    );
  });

  it('rejects weights that are not positive and finite', () => {
    expect(() => kaplanMeier([1, 2], [1, 1], { weights: [1, 0] })).toThrow(RangeError);
    expect(() => kaplanMeier([1, 2], [1, 1], { weights: [1] })).toThrow(RangeError);
    expect(() => kaplanMeier([1, 2], [1, 1], { weights: [1, Infinity] })).toThrow(RangeError);
  });
});
