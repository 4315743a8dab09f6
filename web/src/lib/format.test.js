import { describe, expect, it } from 'vitest';
import { digitDiff, bytes, palette, time } from './format.js';

describe('digitDiff', () => {
  const marks = (a, b) => digitDiff(a, b).map((d) => (d.diff ? d.ch.toUpperCase() + '!' : d.ch)).join('');
  it.each([
    [1234, 1234, '1234'],
    [1234, 1284, '12' + '8!' + '4'],
    [234, 1234, '1!234'], // a digit inserted in front: only it is marked
    [1234, 12034, '1!2!0!34'], // inserted in the middle: the digits before it shift
    [1284, 1248, '124!8!'], // two digits swapped
    [1234, 234, '2!3!4!'], // a digit dropped: nothing lines up
    [undefined, 55, '55'], // nothing to compare with
  ])('%s vs %s', (a, b, want) => {
    expect(marks(a, b)).toBe(want);
  });
});

describe('bytes', () => {
  it.each([
    [512, '512 B'],
    [2048, '2.0 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
    [300 * 1024 * 1024, '300 MiB'],
  ])('%d', (n, want) => expect(bytes(n)).toBe(want));
});

describe('palette', () => {
  it('gives neighbouring communities different colours', () => {
    expect(palette(1)).not.toBe(palette(2));
    expect(palette(-1)).toBe('#9aa1ab');
    expect(palette(0)).toBe('#d03939'); // hue 0, s 62 %, l 52 %: 0.52 ± 0.2976
    for (let i = 0; i < 50; i++) expect(palette(i)).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe('time', () => {
  it('shows UTC to the second', () => {
    expect(time('2024-02-08T10:11:12.5Z')).toBe('2024-02-08 10:11:12 UTC');
    expect(time('')).toBe('');
  });
});
