// What a file is, told by its bytes (engine/files/content.ts): every type we take, the lookalikes we
// do not, a zip bomb, and the names people send (paths, controls, direction overrides, length).
import { expect } from 'chai';
import { deflateRawSync } from 'node:zlib';
import { checkFile, cleanName, NAME_MAX, sniff, zipEntry } from '../../engine/files/content.ts';
import { EngineError } from '../../engine/errors.ts';
import { zip } from '../support/zip.ts';

const b = (s: string) => Buffer.from(s, 'latin1');
const OLE2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
const ooxml = (main: string) => zip({ '[Content_Types].xml': `<Types><Override PartName="/x" ContentType="${main}"/></Types>` });

function refusal(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('file content: the bytes decide', () => {
  it('tells every type we take by its bytes', () => {
    const cases: [Buffer, string, string][] = [
      [b('%PDF-1.7\n'), '', 'pdf'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), '', 'png'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), '', 'jpeg'],
      [b('GIF89a\x01\x00'), '', 'gif'],
      [b('GIF87a\x01\x00'), '', 'gif'],
      [b('RIFF\x10\x00\x00\x00WEBPVP8 '), '', 'webp'],
      [ooxml('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'), '', 'docx'],
      [ooxml('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'), '', 'xlsx'],
      [ooxml('application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'), '', 'pptx'],
      [zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<x/>' }), '', 'odt'],
      [zip({ mimetype: 'application/vnd.oasis.opendocument.spreadsheet' }), '', 'ods'],
      [OLE2, 'xls', 'xls'],
      [OLE2, 'doc', 'doc'],
      [OLE2, 'pdf', 'doc'],
      [Buffer.from('Mã đơn vị,Tên\nth_1,TH Một\n'), 'csv', 'csv'],
      [Buffer.from('Ghi chú\r\n\tthụt lề\n'), 'pdf', 'txt'],
    ];
    for (const [bytes, ext, kind] of cases) expect(sniff(bytes, ext), kind).to.equal(kind);
  });

  it('takes none of the lookalikes: a program, a plain zip, a zip whose manifest lies elsewhere, text with NUL, bytes that are not UTF-8', () => {
    expect(sniff(b('MZ\x90\x00\x03'), 'pdf')).to.equal(undefined);
    expect(sniff(b('\x7fELF\x02\x01'), 'pdf')).to.equal(undefined);
    expect(sniff(zip({ 'a.txt': 'x' }), 'docx')).to.equal(undefined);
    expect(sniff(ooxml('application/vnd.ms-word.document.macroEnabled.main+xml'), 'docx')).to.equal(undefined);
    expect(sniff(zip({ mimetype: 'application/epub+zip' }), 'odt')).to.equal(undefined);
    expect(sniff(b('abc\x00def'), 'txt')).to.equal(undefined);
    expect(sniff(Buffer.from([0x61, 0xc3, 0x28]), 'txt')).to.equal(undefined);
    // a zip cut short: no central directory to read
    expect(sniff(ooxml('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml').subarray(0, 60), 'docx')).to.equal(undefined);
  });

  it('stops inflating a manifest past its limit (a zip bomb)', () => {
    const huge = 'A'.repeat(4 << 20);
    const bomb = zip({ '[Content_Types].xml': huge });
    expect(bomb.length).to.be.below(20_000);
    expect(zipEntry(bomb, '[Content_Types].xml', 1 << 20)).to.equal(undefined);
    expect(zipEntry(bomb, '[Content_Types].xml', 8 << 20)!.length).to.equal(huge.length);
    expect(deflateRawSync(Buffer.from('x')).length).to.be.above(0);
  });

  it('keeps a name whose extension agrees, and gives the content’s extension to one that does not', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
    expect(checkFile('Ảnh.PNG', png, { maxBytes: 100 })).to.deep.equal({ name: 'Ảnh.PNG', kind: 'png', type: 'image/png', renamed: false });
    expect(checkFile('anh.pdf', png, { maxBytes: 100 })).to.include({ name: 'anh.png', renamed: true });
    expect(checkFile('anh', png, { maxBytes: 100 })).to.include({ name: 'anh.png', renamed: true });
    expect(checkFile('x.jpeg', Buffer.from([0xff, 0xd8, 0xff, 0]), { maxBytes: 100 })).to.include({ name: 'x.jpeg', renamed: false });
  });

  it('refuses empty, too large and unknown files with their codes and what a person needs to word them', () => {
    expect(refusal(() => checkFile('a.pdf', Buffer.alloc(0), { maxBytes: 10 })).details).to.include({ reason: 'empty' });
    const big = refusal(() => checkFile('a.pdf', b('%PDF-1.4 0123456789'), { maxBytes: 10 }));
    expect(big.code).to.equal('FILE_TOO_LARGE');
    expect(big.details).to.include({ size: 19, limit: 10, name: 'a.pdf' });
    const exe = refusal(() => checkFile('setup.pdf', b('MZ\x90\x00'), { maxBytes: 10 }));
    expect(exe.code).to.equal('FILE_TYPE_REFUSED');
    expect(exe.details).to.include({ reason: 'type', extension: 'pdf' });
    expect(exe.details.allowed).to.include.members(['pdf', 'png', 'docx', 'xlsx']);
  });
});

describe('file names: shown and offered, never a path', () => {
  it('keeps only the last part of a path, either slash', () => {
    expect(cleanName('../../etc/passwd')).to.equal('passwd');
    expect(cleanName('C:\\Users\\a\\Báo cáo.docx')).to.equal('Báo cáo.docx');
    expect(cleanName('..')).to.equal('tep');
    expect(cleanName('   ')).to.equal('tep');
    expect(cleanName('.htaccess')).to.equal('htaccess');
  });

  it('drops controls, NUL and direction overrides, and characters Windows cannot save', () => {
    expect(cleanName('bao\u0000cao.pdf')).to.equal('baocao.pdf');
    expect(cleanName('hoa-don\u202Efdp.exe')).to.equal('hoa-donfdp.exe');
    expect(cleanName('a\u2066b\u2069\u200fc.pdf')).to.equal('abc.pdf');
    expect(cleanName('a<b>:c|d?.pdf')).to.equal('a_b__c_d_.pdf');
    expect(cleanName('dòng\nmới.txt')).to.equal('dòngmới.txt');
  });

  it('composes Vietnamese (NFC) and cuts a long name keeping its extension', () => {
    expect(cleanName('Tie\u0302\u0301n đo\u0323\u0302.pdf')).to.equal('Tiến độ.pdf');
    const long = cleanName(`${'ệ'.repeat(300)}.xlsx`);
    expect([...long].length).to.equal(NAME_MAX);
    expect(long.endsWith('.xlsx')).to.equal(true);
  });
});

describe('file settings from the environment', () => {
  it('reads TIENDO_FILE_STORE, TIENDO_FILE_MAX_MB and TIENDO_FILES_PER_INSTANCE, and refuses nonsense', async () => {
    const { loadConfig } = await import('../../adapters/app.ts');
    expect(loadConfig({}).files).to.deep.equal({});
    expect(loadConfig({ TIENDO_FILE_STORE: 'sql', TIENDO_FILE_MAX_MB: '5', TIENDO_FILES_PER_INSTANCE: '30' }).files).to.deep.equal({
      store: 'sql',
      maxBytes: 5 * 1024 * 1024,
      maxPerInstance: 30,
    });
    expect(() => loadConfig({ TIENDO_FILE_STORE: 's3' })).to.throw(/folder or sql/);
    expect(() => loadConfig({ TIENDO_FILE_MAX_MB: '0' })).to.throw(/TIENDO_FILE_MAX_MB/);
    expect(() => loadConfig({ TIENDO_FILE_MAX_MB: '500' })).to.throw(/1 to 100/);
  });
});
