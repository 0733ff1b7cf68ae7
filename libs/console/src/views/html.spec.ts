import fc from 'fast-check';
import { html, raw } from './html';

// Not named `html` here: the formatter would lay out an `h` template as a page, and these
// compare exact strings.
const h = html;

describe('html', () => {
  it('escapes every interpolated value except markup it made itself', () => {
    const name = '<script>alert("x")</script> & \'y\'';
    expect(h`<p>${name}</p>`.text).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
    expect(h`<div>${h`<b>${'a<b'}</b>`}</div>`.text).toBe('<div><b>a&lt;b</b></div>');
    expect(h`<ul>${['<1>', h`<li>2</li>`]}</ul>`.text).toBe('<ul>&lt;1&gt;<li>2</li></ul>');
    expect(h`${null}${undefined}${false}${0}`.text).toBe('0');
    expect(h`${raw('<hr>')}`.text).toBe('<hr>');
  });

  it('never lets text from outside open a tag or close an attribute', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = h`<a title="${text}">${text}</a>`.text;
        expect(out.match(/</g)?.length).toBe(2);
        expect(out.match(/"/g)?.length).toBe(2);
      }),
    );
  });
});
