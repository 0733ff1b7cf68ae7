import { Writable } from 'node:stream';
import { createLogger } from './logging';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger('test', 'info', stream), lines };
}

describe('log lines', () => {
  it('mask citizen IDs and drop names and birth dates, at the top and at any depth', async () => {
    const { logger, lines } = capture();
    logger.info(
      {
        citizenId: '001085167670',
        person: { citizen_id: '079190000123', fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12' },
        citizenIds: ['001085167670', '079190000123'],
        procedureId: 'p-1',
        step: { attempt: { registry: { answer: { citizenId: '031098000222', full_name: 'Lê Thị Hoa' } } } },
      },
      'something happened',
    );
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines[0]);
    expect(lines[0]).toMatchObject({
      citizenId: '001*******70',
      person: { citizen_id: '079*******23', fullName: '[redacted]', dateOfBirth: '[redacted]' },
      citizenIds: '[2 IDs]',
      procedureId: 'p-1',
      step: { attempt: { registry: { answer: { citizenId: '031*******22', full_name: '[redacted]' } } } },
    });
    expect(text).not.toMatch(/001085167670|Nguyễn|1985-03-12|031098000222|Lê Thị Hoa/);
  });
});

describe('logged errors', () => {
  it("keep their type, code, message and stack, and drop what quotes a row (pg's detail and where)", async () => {
    const { logger, lines } = capture();
    const error = Object.assign(
      new Error('duplicate key value violates unique constraint "participants_pkey"'),
      {
        code: '23505',
        detail: 'Key (citizen_id)=(001085167670) already exists.',
        where: 'SQL statement "INSERT INTO vss.participants VALUES (\'Nguyễn Văn An\')"',
      },
    );
    logger.warn({ err: error, cause: { inner: error } }, 'write failed');
    logger.error(error, 'plain');
    await new Promise((r) => setImmediate(r));
    for (const line of lines) {
      expect(JSON.stringify(line)).not.toMatch(/001085167670|Nguyễn|Key \(|SQL statement/);
    }
    expect(lines[0].err).toMatchObject({
      type: 'Error',
      code: '23505',
      message: expect.stringMatching(/^duplicate key/),
    });
    expect((lines[0].err as { stack: string }).stack).toMatch(/^Error: duplicate key/);
    expect((lines[0].cause as { inner: Record<string, unknown> }).inner).toMatchObject({
      type: 'Error',
      code: '23505',
    });
    expect(lines[1].err).toMatchObject({ type: 'Error', code: '23505' });
  });
});
