import fc from 'fast-check';
import { anyText, vietnameseNameArb } from '../test/arbitraries';
import {
  compareNames,
  displayName,
  jaroWinkler,
  nameMatchKey,
  nameSimilarity,
  normalizeName,
  sameLetters,
  splitName,
  tidyName,
} from './names';

const nfd = (s: string) => s.normalize('NFD');

describe('normalizeName', () => {
  it('folds case, trims and collapses whitespace', () => {
    expect(normalizeName('  NGUYỄN   Văn\tAn ')).toBe('nguyễn văn an');
  });

  it('makes NFD and NFC spellings of Trần Thị Bích Ngọc equal', () => {
    expect(normalizeName(nfd('Trần Thị Bích Ngọc'))).toBe(normalizeName('Trần Thị Bích Ngọc'));
    expect(normalizeName(nfd('Trần Thị Bích Ngọc'))).toBe('trần thị bích ngọc'.normalize('NFC'));
  });

  it('unifies old and new tone-mark placement (Hòa/Hoà, Thủy/Thuỷ, Khỏe/Khoẻ)', () => {
    expect(normalizeName('Nguyễn Thị Hòa')).toBe(normalizeName('Nguyễn Thị Hoà'));
    expect(normalizeName('Phạm Thu Thủy')).toBe(normalizeName('Phạm Thu Thuỷ'));
    expect(normalizeName('KHỎE')).toBe(normalizeName('khoẻ'));
  });

  it('leaves the tone where both conventions agree (Hoàng, Quý, Khuyến)', () => {
    expect(normalizeName('Hoàng')).toBe('hoàng');
    expect(normalizeName('Quý')).toBe('quý');
    expect(normalizeName('Khuyến')).toBe('khuyến');
  });

  it('keeps diacritics, which tell different names apart', () => {
    expect(normalizeName('Đào')).not.toBe(normalizeName('Dao'));
    expect(normalizeName('Lê')).not.toBe(normalizeName('Le'));
  });

  it('ignores zero-width characters pasted from documents', () => {
    expect(normalizeName('Nguyễn\u200B Văn An\uFEFF')).toBe('nguyễn văn an');
  });

  it('treats the look-alike eth (Ð) from legacy encodings as Đ', () => {
    expect(normalizeName('\u00D0ặng Văn Lâm')).toBe(normalizeName('Đặng Văn Lâm'));
  });

  it('is idempotent and never throws on any text', () => {
    fc.assert(fc.property(anyText, (s) => normalizeName(normalizeName(s)) === normalizeName(s)));
  });
});

describe('nameMatchKey', () => {
  it('strips diacritics and maps đ to d', () => {
    expect(nameMatchKey('Đặng Thị Ngọc Ánh')).toBe('dang thi ngoc anh');
    expect(nameMatchKey('NGUYỄN VĂN AN')).toBe('nguyen van an');
  });

  it('joins hyphenated and apostrophe spellings of ethnic-minority names', () => {
    expect(nameMatchKey('Y-Moan Ênuôl')).toBe(nameMatchKey('Y Moan Enuol'));
    expect(nameMatchKey("H'Hen Niê")).toBe(nameMatchKey('H’Hen Nie'));
  });

  it('yields only ASCII letters and single spaces for Vietnamese names', () => {
    fc.assert(fc.property(vietnameseNameArb, (name) => /^[a-z]+( [a-z]+)*$/.test(nameMatchKey(name))));
  });

  it('folds a lookalike that carried a mark, so that a key is its own key (Greek ἀ → a)', () => {
    expect(nameMatchKey('ἀ')).toBe('a');
    expect(nameMatchKey(nameMatchKey('ἀ'))).toBe(nameMatchKey('ἀ'));
  });

  it('is idempotent on any text', () => {
    fc.assert(fc.property(anyText, (s) => nameMatchKey(nameMatchKey(s)) === nameMatchKey(s)));
  });
});

describe('displayName', () => {
  it('capitalises each word and keeps diacritics', () => {
    expect(displayName('  trần   THỊ bích ngọc ')).toBe('Trần Thị Bích Ngọc');
    expect(displayName(nfd('đặng văn lâm'))).toBe('Đặng Văn Lâm');
  });

  it('capitalises each part of hyphenated and apostrophe names', () => {
    expect(displayName("h'hen niê")).toBe("H'Hen Niê");
    expect(displayName('y-moan ênuôl')).toBe('Y-Moan Ênuôl');
  });

  it('agrees with normalizeName up to case', () => {
    fc.assert(
      fc.property(vietnameseNameArb, (name) => normalizeName(displayName(name)) === normalizeName(name)),
    );
  });
});

describe('splitName', () => {
  it('splits surname, middle and given name', () => {
    expect(splitName('Trần Thị Bích Ngọc')).toEqual({ surname: 'Trần', middle: 'Thị Bích', given: 'Ngọc' });
    expect(splitName('Phạm An')).toEqual({ surname: 'Phạm', middle: '', given: 'An' });
  });

  it('treats a one-word name as a given name and an empty one as empty', () => {
    expect(splitName('Páo')).toEqual({ surname: '', middle: '', given: 'Páo' });
    expect(splitName('   ')).toEqual({ surname: '', middle: '', given: '' });
  });

  it('puts the words back together', () => {
    fc.assert(
      fc.property(vietnameseNameArb, (name) => {
        const { surname, middle, given } = splitName(name);
        return [surname, middle, given].filter((w) => w !== '').join(' ') === tidyName(name);
      }),
    );
  });
});

describe('compareNames', () => {
  it('calls names EXACT when they differ only in Unicode form and spacing', () => {
    expect(compareNames(nfd('Nguyễn Văn An'), ' Nguyễn  Văn An')).toBe('EXACT');
  });

  it('calls names NORMALIZED when they differ in case or diacritics', () => {
    expect(compareNames('NGUYỄN VĂN AN', 'Nguyễn Văn An')).toBe('NORMALIZED');
    expect(compareNames('Nguyen Van An', 'Nguyễn Văn An')).toBe('NORMALIZED');
    expect(compareNames('Dang Thi Lan', 'Đặng Thị Lan')).toBe('NORMALIZED');
  });

  it('calls An and Anh DIFFERENT', () => {
    expect(compareNames('Nguyễn Văn An', 'Nguyễn Văn Anh')).toBe('DIFFERENT');
  });
});

describe('nameSimilarity', () => {
  it('gives 1 to names equal by match key', () => {
    expect(nameSimilarity('Nguyễn Văn An', 'NGUYEN VAN AN')).toBe(1);
  });

  it('still scores swapped middle names high', () => {
    expect(nameSimilarity('Nguyễn Văn Minh Tuấn', 'Nguyễn Minh Văn Tuấn')).toBeGreaterThanOrEqual(0.95);
    expect(nameSimilarity('Trần Thị Bích Ngọc', 'Trần Bích Thị Ngọc')).toBeGreaterThanOrEqual(0.95);
  });

  it('scores a one-letter typo above unrelated names', () => {
    const typo = nameSimilarity('Phạm Văn Dũng', 'Phạm Văn Dũmg');
    const other = nameSimilarity('Phạm Văn Dũng', 'Lê Thị Hồng');
    expect(typo).toBeGreaterThan(0.9);
    expect(other).toBeLessThan(0.75);
  });

  it('is symmetric, within [0,1], and 1 on equal names', () => {
    fc.assert(
      fc.property(fc.oneof(vietnameseNameArb, anyText), fc.oneof(vietnameseNameArb, anyText), (a, b) => {
        const s = nameSimilarity(a, b);
        return s >= 0 && s <= 1 && s === nameSimilarity(b, a) && nameSimilarity(a, a) === 1;
      }),
    );
  });
});

describe('jaroWinkler', () => {
  it('matches the textbook values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
  });

  it('is 1 only for equal strings and 0 for strings with nothing in common', () => {
    expect(jaroWinkler('an', 'an')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'x')).toBe(0);
  });

  it('counts code points, astral ones included, as the textbook algorithm on arrays does', () => {
    // The definition, on arrays of code points: what the scratch-buffer version must equal.
    const reference = (a: string, b: string) => {
      const s = Array.from(a);
      const t = Array.from(b);
      if (s.length === 0 && t.length === 0) return 1;
      if (s.length === 0 || t.length === 0) return 0;
      const window = Math.max(0, Math.floor(Math.max(s.length, t.length) / 2) - 1);
      const sm = s.map(() => false);
      const tm = t.map(() => false);
      let m = 0;
      s.forEach((c, i) => {
        for (let j = Math.max(0, i - window); j <= Math.min(t.length - 1, i + window); j += 1)
          if (!tm[j] && c === t[j]) {
            sm[i] = tm[j] = true;
            m += 1;
            break;
          }
      });
      if (m === 0) return 0;
      const sOrder = s.filter((_, i) => sm[i]);
      const tOrder = t.filter((_, j) => tm[j]);
      const half = sOrder.filter((c, i) => c !== tOrder[i]).length;
      const jaro = (m / s.length + m / t.length + (m - half / 2) / m) / 3;
      let p = 0;
      while (p < Math.min(4, s.length, t.length) && s[p] === t[p]) p += 1;
      return Math.min(1, jaro + p * 0.1 * (1 - jaro));
    };
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'n', 'h', ' ', 'ư', '𠀀', '😀'), maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      vietnameseNameArb,
    );
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(jaroWinkler(a, b)).toBeCloseTo(reference(a, b), 12);
      }),
    );
  });
});

describe('sameLetters', () => {
  it('is equality with the spaces taken out', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', ' '), maxLength: 10 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(sameLetters(a, b)).toBe(a.replace(/ /g, '') === b.replace(/ /g, ''));
      }),
    );
    expect(sameLetters('y moan', 'ymoan')).toBe(true);
    expect(sameLetters('y moan', 'y moa')).toBe(false);
  });
});
