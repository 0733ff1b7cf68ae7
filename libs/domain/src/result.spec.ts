import { err, isErr, isOk, mapResult, ok, previewInput, Result } from './result';

describe('Result', () => {
  it('wraps values and errors', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(err('bad')).toEqual({ ok: false, error: 'bad' });
  });

  it('narrows with isOk and isErr', () => {
    const r: Result<number, string> = ok(2);
    expect(isOk(r) && r.value).toBe(2);
    expect(isErr(r)).toBe(false);
  });

  it('maps values and passes errors through', () => {
    expect(mapResult(ok(2), (n) => n * 2)).toEqual(ok(4));
    const failed: Result<number, string> = err('no');
    expect(mapResult(failed, (n) => n * 2)).toEqual(err('no'));
  });

  it('previews long input without echoing it all', () => {
    expect(previewInput('a'.repeat(1000))).toBe(`"${'a'.repeat(24)}…"`);
    expect(previewInput('Ngọc')).toBe('"Ngọc"');
  });
});
