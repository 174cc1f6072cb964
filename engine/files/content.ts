// What an uploaded file really is, decided by its bytes: offices rename files and mail strips
// types, and a name is whatever the sender typed. The name is only cleaned for display and for the
// Content-Disposition of a download; it never becomes a path (files are kept by their sha256).
//
// The rule for a name that disagrees with the bytes: the bytes win. "anh.pdf" holding a PNG is kept
// as a PNG named "anh.png" (nothing is refused that is a type we take); bytes of no type we take are
// refused (FILE_TYPE_REFUSED), whatever the name says ("setup.pdf" holding a Windows program).
import { inflateRawSync } from 'node:zlib';
import { EngineError } from '../errors.ts';

export interface FileKind {
  /** The media type a download is served with. */
  type: string;
  /** Extensions the name may carry for this type; the first is given to a name that has none of them. */
  ext: readonly string[];
}

const K = (type: string, ...ext: string[]): FileKind => ({ type, ext });

export const KINDS = {
  pdf: K('application/pdf', 'pdf'),
  png: K('image/png', 'png'),
  jpeg: K('image/jpeg', 'jpg', 'jpeg'),
  gif: K('image/gif', 'gif'),
  webp: K('image/webp', 'webp'),
  docx: K('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'),
  xlsx: K('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'),
  pptx: K('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'),
  odt: K('application/vnd.oasis.opendocument.text', 'odt'),
  ods: K('application/vnd.oasis.opendocument.spreadsheet', 'ods'),
  odp: K('application/vnd.oasis.opendocument.presentation', 'odp'),
  doc: K('application/msword', 'doc'),
  xls: K('application/vnd.ms-excel', 'xls'),
  ppt: K('application/vnd.ms-powerpoint', 'ppt'),
  csv: K('text/csv', 'csv'),
  txt: K('text/plain', 'txt'),
} as const;

export type KindName = keyof typeof KINDS;

/** The extensions we take, for a refusal to list. */
export const ALLOWED_EXTENSIONS: string[] = [...new Set(Object.values(KINDS).flatMap((k) => k.ext))];

const starts = (b: Uint8Array, sig: number[] | string, at = 0) =>
  typeof sig === 'string' ? [...sig].every((c, i) => b[at + i] === c.charCodeAt(0)) : sig.every((v, i) => b[at + i] === v);

/** The kind the bytes are, or undefined when none we take; `ext` settles what the bytes leave open
 * (an OLE2 file is a Word or Excel 97 document; plain text is CSV or text). */
export function sniff(bytes: Uint8Array, ext: string): KindName | undefined {
  if (starts(bytes, '%PDF-')) return 'pdf';
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(bytes, 'GIF87a') || starts(bytes, 'GIF89a')) return 'gif';
  if (starts(bytes, 'RIFF') && starts(bytes, 'WEBP', 8)) return 'webp';
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) return officeZip(bytes);
  if (starts(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return ext === 'xls' ? 'xls' : ext === 'ppt' ? 'ppt' : 'doc';
  if (isPlainText(bytes)) return ext === 'csv' ? 'csv' : 'txt';
  return undefined;
}

/** UTF-8 text without control characters but tab and line ends (a program, an archive: not text). */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** A zip is an office document when its inner manifest says so: ODF's `mimetype` entry, OOXML's
 * [Content_Types].xml main part. Any other zip is refused. */
function officeZip(bytes: Uint8Array): KindName | undefined {
  const mimetype = zipEntry(bytes, 'mimetype', 200)?.toString('latin1').trim();
  if (mimetype === KINDS.odt.type) return 'odt';
  if (mimetype === KINDS.ods.type) return 'ods';
  if (mimetype === KINDS.odp.type) return 'odp';
  const types = zipEntry(bytes, '[Content_Types].xml', 1 << 20)?.toString('utf8');
  if (!types) return undefined;
  if (types.includes('wordprocessingml.document.main+xml')) return 'docx';
  if (types.includes('spreadsheetml.sheet.main+xml')) return 'xlsx';
  if (types.includes('presentationml.presentation.main+xml')) return 'pptx';
  return undefined;
}

/** One entry of a zip by name, read through its central directory; undefined when missing, bigger
 * than `max` once inflated (a zip bomb stops there), or unreadable. */
export function zipEntry(bytes: Uint8Array, name: string, max: number): Buffer | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes plus a comment of at most 65,535.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  try {
    for (let n = 0; n < count && at + 46 <= buf.length; n++) {
      if (buf.readUInt32LE(at) !== 0x02014b50) return undefined;
      const method = buf.readUInt16LE(at + 10);
      const compressed = buf.readUInt32LE(at + 20);
      const nameLen = buf.readUInt16LE(at + 28);
      const extraLen = buf.readUInt16LE(at + 30);
      const commentLen = buf.readUInt16LE(at + 32);
      const local = buf.readUInt32LE(at + 42);
      const entry = buf.toString('utf8', at + 46, at + 46 + nameLen);
      if (entry === name) {
        if (buf.readUInt32LE(local) !== 0x04034b50) return undefined;
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const data = buf.subarray(start, start + compressed);
        if (method === 0) return data.length <= max ? data : undefined;
        if (method === 8) return inflateRawSync(data, { maxOutputLength: max });
        return undefined;
      }
      at += 46 + nameLen + extraLen + commentLen;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Characters a file name never keeps: controls (NUL among them), and the bidirectional marks and
 * overrides that make "gpj.exe" read as "exe.jpg". */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** At most this many characters of a name are kept (the extension always). */
export const NAME_MAX = 120;

/** A name to show and to offer on download: no folders (the last part of a path), no unsafe
 * characters, NFC, at most NAME_MAX characters; "tep" when nothing is left. */
export function cleanName(raw: string): string {
  const last = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  let name = last
    .replace(UNSAFE, '')
    .replace(/[<>:"|?*]/g, '_')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!name) name = 'tep';
  const chars = [...name];
  if (chars.length > NAME_MAX) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 6 ? name.slice(dot) : '';
    name = chars.slice(0, NAME_MAX - [...ext].length).join('') + ext;
  }
  return name;
}

export const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

export interface Limits {
  /** Bytes; default 20 MB. */
  maxBytes: number;
}

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** The file as it is kept: its cleaned name (with the extension its bytes call for), kind and media
 * type; refused when empty, too large, or of no type we take. */
export function checkFile(rawName: string, bytes: Uint8Array, limits: Limits): { name: string; kind: KindName; type: string; renamed: boolean } {
  const cleaned = cleanName(rawName);
  if (bytes.byteLength === 0)
    throw new EngineError('FILE_TYPE_REFUSED', `"${cleaned}" is empty`, { reason: 'empty', name: cleaned, allowed: ALLOWED_EXTENSIONS });
  if (bytes.byteLength > limits.maxBytes)
    throw new EngineError('FILE_TOO_LARGE', `"${cleaned}" is ${bytes.byteLength} bytes; at most ${limits.maxBytes} are taken`, {
      name: cleaned,
      size: bytes.byteLength,
      limit: limits.maxBytes,
    });
  const ext = extensionOf(cleaned);
  const kind = sniff(bytes, ext);
  if (!kind)
    throw new EngineError('FILE_TYPE_REFUSED', `"${cleaned}" is not a PDF, an image or an office document (its content decides, not its name)`, {
      reason: 'type',
      name: cleaned,
      extension: ext,
      allowed: ALLOWED_EXTENSIONS,
    });
  const { type, ext: exts } = KINDS[kind];
  if (exts.includes(ext)) return { name: cleaned, kind, type, renamed: false };
  const base = ext ? cleaned.slice(0, cleaned.length - ext.length - 1) : cleaned;
  return { name: cleanName(`${base}.${exts[0]}`), kind, type, renamed: true };
}
