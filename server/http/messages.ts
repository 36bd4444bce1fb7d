// Titles of problem codes in Vietnamese (default) and English.
type Lang = 'vi' | 'en';

const TITLES: Record<string, Record<Lang, string>> = {
  'not-found': { vi: 'Không tìm thấy', en: 'Not found' },
  'route-not-found': { vi: 'Không có địa chỉ API này', en: 'No such API route' },
  'invalid-request': { vi: 'Yêu cầu không hợp lệ', en: 'Invalid request' },
  'invalid-json': { vi: 'Nội dung JSON không đọc được', en: 'Malformed JSON body' },
  'payload-too-large': { vi: 'Nội dung gửi lên quá lớn', en: 'Request body too large' },
  conflict: { vi: 'Dữ liệu bị trùng', en: 'Conflicts with existing data' },
  'not-ready': { vi: 'Hệ thống chưa sẵn sàng', en: 'System not ready' },
  internal: { vi: 'Lỗi hệ thống', en: 'Internal error' },
};

export function problemTitle(code: string, lang: Lang): string {
  return TITLES[code]?.[lang] ?? TITLES[code]?.en ?? code;
}

export function pickLanguage(acceptsLanguages: (...langs: string[]) => string | false): Lang {
  return acceptsLanguages('vi', 'en') === 'en' ? 'en' : 'vi';
}
