import { describe, expect, it } from 'vitest';
import { bucketOf, domain, step, ticks, scale } from './timeaxis.js';

const H = 3600000;
const D = 24 * H;
const at = (s) => Date.parse(s);

describe('time axis', () => {
  it('knows the bucket of a series', () => {
    expect(bucketOf([], 'hour')).toBe(H);
    expect(bucketOf([], 'day')).toBe(D);
    expect(bucketOf([{ t: '2024-02-08T00:00:00Z' }, { t: '2024-02-10T00:00:00Z' }])).toBe(D);
    expect(bucketOf([{ t: '2024-02-08T05:00:00Z' }, { t: '2024-02-08T09:00:00Z' }])).toBe(H);
  });
  it('spans from the first bucket to the end of the last, gaps at their real width', () => {
    const s = [{ t: '2024-02-08T00:00:00Z' }, { t: '2024-02-09T00:00:00Z' }, { t: '2024-02-18T00:00:00Z' }];
    const [t0, t1] = domain(s, D);
    expect([t0, t1]).toEqual([at('2024-02-08T00:00:00Z'), at('2024-02-19T00:00:00Z')]);
    const x = scale(t0, t1, 0, 1100);
    // each day 100 px: the nine empty days between the 9th and the 18th are 900 px
    expect(x(s[1].t) - x(s[0].t)).toBe(100);
    expect(x(s[2].t) - x(s[1].t)).toBe(900);
    // a lone bucket gets room either side
    expect(domain([s[0]], H)).toEqual([at('2024-02-07T23:00:00Z'), at('2024-02-08T02:00:00Z')]);
  });
  it('puts ticks on whole hours, with the date where it changes', () => {
    const tk = ticks(at('2024-02-08T20:00:00Z'), at('2024-02-09T08:00:00Z'));
    expect(step(at('2024-02-08T20:00:00Z'), at('2024-02-09T08:00:00Z')).ms).toBe(2 * H);
    expect(tk.map((x) => x.label)).toEqual(['02-08 20:00', '22:00', '02-09 00:00', '02:00', '04:00', '06:00', '08:00']);
  });
  it('puts ticks on midnights, with the year at the first and where it changes', () => {
    const tk = ticks(at('2023-12-29T00:00:00Z'), at('2024-01-03T00:00:00Z'));
    expect(tk.map((x) => x.label)).toEqual(['2023-12-29', '12-30', '12-31', '2024-01-01', '01-02', '01-03']);
  });
  it('puts weekly ticks on Mondays', () => {
    const tk = ticks(at('2024-02-01T00:00:00Z'), at('2024-03-20T00:00:00Z'));
    expect(tk.length).toBeGreaterThan(3);
    for (const x of tk) expect(new Date(x.t).getUTCDay()).toBe(1);
    expect(tk[0].label).toBe('2024-02-05');
  });
  it('puts monthly and yearly ticks on the first day', () => {
    expect(ticks(at('2024-01-15T00:00:00Z'), at('2024-07-02T00:00:00Z')).map((x) => x.label)).toEqual(['2024-02', '2024-03', '2024-04', '2024-05', '2024-06', '2024-07']);
    expect(ticks(at('2016-11-01T00:00:00Z'), at('2021-08-30T00:00:00Z')).map((x) => x.label)).toEqual(['2017', '2018', '2019', '2020', '2021']);
  });
  it('never gives more than a few ticks more than asked', () => {
    for (const span of [H, 5 * H, D, 3 * D, 40 * D, 400 * D, 4000 * D]) {
      const tk = ticks(at('2021-01-17T13:00:00Z'), at('2021-01-17T13:00:00Z') + span);
      expect(tk.length).toBeGreaterThan(0);
      expect(tk.length).toBeLessThanOrEqual(9);
    }
  });
});
