import { describe, expect, it } from 'vitest';
import { digitDiff, bytes, palette, utc, local, num, textDir, langDir, noteLines, searchKey, accountMatches } from './format.js';

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

describe('times', () => {
  it('shows UTC to the second', () => {
    expect(utc('2024-02-08T10:11:12.5Z')).toBe('2024-02-08 10:11:12 UTC');
    expect(utc('')).toBe('');
  });
  it('shows a time in the user’s zone, ISO order, with its offset', () => {
    expect(local('2024-02-08T10:11:12Z', 'Asia/Karachi')).toBe('2024-02-08 15:11:12 UTC+5');
    expect(local('2024-02-08T23:30:00Z', 'Asia/Karachi')).toBe('2024-02-09 04:30:00 UTC+5'); // the next day in Pakistan
    expect(local('2024-07-01T12:00:00Z', 'Europe/London')).toBe('2024-07-01 13:00:00 UTC+1');
    expect(local('2024-02-08T10:11:12Z', 'UTC')).toBe('2024-02-08 10:11:12 UTC');
    expect(local('2024-02-08T10:11:12Z', 'Not/AZone')).toBe('2024-02-08 10:11:12 UTC');
    expect(local('2024-02-08T10:11:12Z', '')).toBe('2024-02-08 10:11:12 UTC');
  });
});

describe('num', () => {
  it('keeps Latin digits and groups by thousands in both languages', () => {
    expect(num(1234567, 'en')).toBe('1,234,567');
    expect(num(1234567, 'ur')).toBe('1,234,567');
    expect(num(0, 'ur')).toBe('0');
    expect(num(undefined)).toBe('');
  });
});

describe('direction', () => {
  it('takes the post’s language where the platform gives one', () => {
    expect(langDir('ur')).toBe('rtl');
    expect(langDir('ar-SA')).toBe('rtl');
    expect(langDir('en')).toBe('ltr');
    expect(langDir('und')).toBe('');
    expect(textDir('NA-56 results', 'ur')).toBe('rtl');
  });
  it('reads most letters, not the first: Urdu that starts with @handle or NA-56 is right to left', () => {
    expect(textDir('@ecp_pakistan حلقہ NA-56 کے نتائج میں دھاندلی ہوئی')).toBe('rtl');
    expect(textDir('NA-56 98,765 بمقابلہ 1,23,456 میں فرق')).toBe('rtl');
    expect(textDir('#NA56 #انتخابات دھاندلی نامنظور')).toBe('rtl');
    expect(textDir('Results of NA-56: نتائج')).toBe('ltr');
    expect(textDir('https://example.org/very/long/english/path نتائج')).toBe('rtl');
    expect(textDir('1,234')).toBe('');
    expect(textDir('')).toBe('');
  });
});

describe('noteLines', () => {
  it('splits a checkpoint into lines of words, a signature kept whole', () => {
    const note = 'tahqiq/انتخابی ٹیم\n42\nabc=\n\n— tahqiq/انتخابی /4Xyz+AbC=\n';
    expect(noteLines(note)).toEqual([['tahqiq/انتخابی', 'ٹیم'], ['42'], ['abc='], [''], ['—', 'tahqiq/انتخابی', '/4Xyz+AbC=']]);
  });
});

describe('searchKey and accountMatches', () => {
  it.each([
    ['@Stephy_WR', 'stephy_wr'],
    ['علي رضا', 'علی رضا'], // Arabic yeh
    ['🍁ذمـــــــــل\u2066\u2066🇵🇰\u2069 PTI', '🍁ذمل🇵🇰 pti'], // tatweel and isolates
    ['كراچی ۲۰۲۴', 'کراچی 2024'],
  ])('%s', (s, want) => {
    expect(searchKey(s)).toBe(want);
  });
  const ali = { id: 'telegram:user101', label: 'علی رضا', handle: '', name: 'علی رضا' };
  const zimal = { id: 'x:1235574652895989760', label: '@Zimal23_K', handle: 'Zimal23_K', name: '🍁ذمـــــــــل\u2066\u2066\u2066\u2066🇵🇰\u2069 PTI' };
  it.each([
    [ali, 'علي', true], // typed with the Arabic yeh
    [ali, 'رضا', true],
    [ali, 'user101', true], // the id as the file wrote it
    [ali, 'zimal', false],
    [zimal, '@zimal', true],
    [zimal, 'ذمل', true],
    [zimal, '1235574652895989760', true],
    [zimal, 'PTI', true],
    [zimal, '', true],
  ])('%o matches %s: %s', (n, q, want) => {
    expect(accountMatches(n, q)).toBe(want);
  });
});
