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
  it('mask citizen IDs and drop names and birth dates, at the top and one level down', async () => {
    const { logger, lines } = capture();
    logger.info(
      {
        citizenId: '001085167670',
        person: { citizen_id: '079190000123', fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12' },
        citizenIds: ['001085167670', '079190000123'],
        procedureId: 'p-1',
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
    });
    expect(text).not.toMatch(/001085167670|Nguyễn|1985-03-12/);
  });
});
