// Text as people search it: Vietnamese names are typed with or without their diacritics, in any case.

/** Lower case, diacritics dropped (NFD, combining marks removed), đ → d: "Nguyễn Đức" → "nguyen duc". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
}
