// Problem details and field messages in the caller's language. A detail is written in English
// where it is built (that English is also what the logs carry); a site may give both languages at
// once (`new AppError(status, code, { vi, en })`), and the Vietnamese of the details the API builds
// today is found here, by the shape of the English. A detail with no Vietnamese yet stays English.

export type Lang = 'vi' | 'en';
export interface LocalText {
  vi: string;
  en: string;
}

type Rule = [RegExp, (...m: string[]) => string];

const NOUNS: Record<string, string> = {
  resource: 'dữ liệu',
  record: 'bản ghi',
  bulletin: 'bản tin',
  rendition: 'bản âm thanh',
  recording: 'bản ghi âm',
  commune: 'xã',
  cluster: 'cụm loa',
  user: 'người dùng',
  token: 'khoá API',
  slot: 'khung giờ',
  calendar: 'lịch',
  'market calendar': 'lịch phiên chợ',
  broadcast: 'lượt phát',
  track: 'bản đọc',
};
const noun = (what: string) => NOUNS[what.toLowerCase()] ?? what;

/** Field messages: zod's own come from its Vietnamese locale; these are Loa's schemas' own words. */
const FIELD_RULES: Rule[] = [
  [/^must not be empty$/, () => 'không được để trống'],
  [/^at most (\d+) characters$/, (n) => `tối đa ${n} ký tự`],
  [/^at least (\d+) characters$/, (n) => `ít nhất ${n} ký tự`],
  [/^from (\d+) to (\d+)$/, (a, b) => `từ ${a} đến ${b}`],
  [/^expected a real date YYYY-MM-DD$/, () => 'phải là một ngày có thật, dạng YYYY-MM-DD'],
  [/^a date YYYY-MM-DD$/, () => 'một ngày dạng YYYY-MM-DD'],
  [/^unknown IANA time zone$/, () => 'không có múi giờ IANA này'],
  [/^ISO 639-3 codes, e\.g\. vie, hmn$/, () => 'các mã ISO 639-3, ví dụ vie, hmn'],
  [/^an ISO 639-3 code such as vie or hmn$/, () => 'một mã ISO 639-3, ví dụ vie hoặc hmn'],
  [/^a sip: URI$/, () => 'một địa chỉ sip:'],
  [/^like (\/\S+)$/, (x) => `dạng ${x}`],
  // Device URLs and logins (domain/driver-config.ts).
  [/^no user name or password in the URL$/, () => 'không ghi tên đăng nhập hay mật khẩu trong URL'],
  [/^the path of the device CGI, e\.g\. (\S+)$/, (x) => `đường dẫn CGI của thiết bị, ví dụ ${x}`],
  [/^no fragment \(#\) in the URL$/, () => 'URL không được có phần #'],
  [
    /^no colon, quote, backslash or control character$/,
    () => 'không có dấu hai chấm, dấu nháy kép, gạch chéo ngược hay ký tự điều khiển',
  ],
  [/^no colon or control character$/, () => 'không có dấu hai chấm hay ký tự điều khiển'],
  [/^a user name and a password go together$/, () => 'tên đăng nhập và mật khẩu phải đi cùng nhau'],
  [
    /^lowercase letters, digits, dot, dash and underscore only$/,
    () => 'chỉ gồm chữ thường, chữ số, dấu chấm, gạch ngang và gạch dưới',
  ],
  [/^the official commune code \(digits\)$/, () => 'mã xã chính thức (chữ số)'],
  [/^values must not repeat$/, () => 'các giá trị không được lặp lại'],
  [/^at least one cluster$/, () => 'ít nhất một cụm loa'],
  [/^at least one bulletin$/, () => 'ít nhất một bản tin'],
  [/^validUntil must be after validFrom$/, () => 'validUntil phải sau validFrom'],
  [/^must not be before from$/, () => 'không được trước from'],
  [/^must be on or after (\S+)$/, (d) => `phải từ ngày ${d} trở đi`],
  [/^must be on or before (\S+)$/, (d) => `phải đến ngày ${d} là hết`],
  [/^not a cluster of this commune$/, () => 'không phải cụm loa của xã này'],
  [/^no such user$/, () => 'không có người dùng này'],
  [/^names a commune that does not exist$/, () => 'chỉ đến một xã không tồn tại'],
  [/^give a province or a commune, not both$/, () => 'ghi tỉnh hoặc xã, không ghi cả hai'],
  [/^an emergency bulletin needs its reason$/, () => 'bản tin khẩn cấp cần ghi lý do'],
  [/^"(.+)" is not in the language list$/, (l) => `"${l}" không có trong danh sách ngôn ngữ`],
  [/^unknown language code\(s\): (.+)$/, (l) => `mã ngôn ngữ không có: ${l}`],
  [/^must list exactly the tracks: (.*)$/, (l) => `phải liệt kê đúng các bản đọc: ${l}`],
];

/** Media problems (media/probe.ts), said inside other details too. */
const MEDIA_RULES: Rule[] = [
  [/^the file is empty$/, () => 'tệp rỗng'],
  [
    /^not an audio or video file ffmpeg can read$/,
    () => 'không phải tệp âm thanh hay video mà ffmpeg đọc được',
  ],
  [/^format not accepted(?:: (.+))?$/, (f) => `định dạng không được nhận${f ? `: ${f}` : ''}`],
  [/^the file has no audio stream$/, () => 'tệp không có luồng âm thanh'],
  [/^audio is (\d+) s, the limit is (\d+) s$/, (a, b) => `âm thanh dài ${a} giây, giới hạn là ${b} giây`],
  [/^audio is longer than the limit of (\d+) s$/, (b) => `âm thanh dài hơn giới hạn ${b} giây`],
  [/^the audio cannot be decoded$/, () => 'không giải mã được âm thanh'],
  [/^no audio could be decoded$/, () => 'không giải mã được chút âm thanh nào'],
  [
    /^declares ([\d.]+) s but decodes ([\d.]+) s$/,
    (a, b) => `tệp ghi dài ${a} giây nhưng giải mã được ${b} giây`,
  ],
  [
    /^only ([\d.]+) s of the declared ([\d.]+) s decode$/,
    (a, b) => `chỉ giải mã được ${a} giây trong ${b} giây đã ghi`,
  ],
  [/^the connection closed before the end of the file$/, () => 'kết nối bị đóng trước khi gửi hết tệp'],
];

const DETAIL_RULES: Rule[] = [
  [/^(\S+) (\S+) is not an API route$/, (m, p) => `Không có trang hay địa chỉ API nào cho ${m} ${p}`],
  [/^(.+) not found$/i, (what) => `Không tìm thấy ${noun(what)}`],
  [/^A record with these values already exists$/, () => 'Đã có một bản ghi với các giá trị này'],
  [/^Something went wrong on the server$/, () => 'Máy chủ gặp lỗi'],
  [
    /^Missing or invalid x-csrf-token header; reload the page$/,
    () => 'Thiếu hoặc sai mã x-csrf-token; hãy tải lại trang',
  ],
  [/^This call needs a browser session$/, () => 'Việc này cần đăng nhập bằng trình duyệt'],
  [/^The upload is malformed: (.+)$/, (d) => `Tải lên bị lỗi: ${localFieldMessage(d, 'vi')}`],
  [/^The file is larger than (\d+) MB$/, (n) => `Tệp lớn hơn ${n} MB`],
  [
    /^Send the audio as multipart\/form-data, field "file"$/,
    () => 'Hãy gửi âm thanh dạng multipart/form-data, trường "file"',
  ],
  [/^No audio file in the request \(field "file"\)$/, () => 'Yêu cầu không có tệp âm thanh (trường "file")'],
  [
    /^The file name "(.*)" is not allowed: give a plain name, no folders$/s,
    (n) => `Tên tệp "${n}" không hợp lệ: chỉ ghi tên tệp, không kèm thư mục`,
  ],
  [/^No text-to-speech engine "(.*)"$/, (e) => `Không có bộ đọc văn bản "${e}"`],
  [/^(.+) cannot speak (\w+)$/, (e, l) => `${e} không đọc được tiếng ${l}`],
  [/^Add at least one language track first$/, () => 'Hãy thêm ít nhất một bản đọc trước'],
  [
    /^A bulletin must be approved by someone other than its author$/,
    () => 'Bản tin phải do người khác người soạn duyệt',
  ],
  [
    /^Only a ready bulletin \(processed, not changed since\) can be approved$/,
    () => 'Chỉ duyệt được bản tin đã xử lý xong và chưa sửa sau đó',
  ],
  [
    /^Only a scheduler of the commune can make an emergency bulletin$/,
    () => 'Chỉ cán bộ lập lịch của xã được tạo bản tin khẩn cấp',
  ],
  [/^A (\w+) bulletin is not waiting for processing$/, () => 'Bản tin không ở trạng thái chờ xử lý'],
  [/^The bulletin is not approved$/, () => 'Bản tin chưa được duyệt'],
  [/^The bulletin is outside its validity period$/, () => 'Bản tin đã ngoài thời hạn hiệu lực'],
  [/^The bulletin is already archived$/, () => 'Bản tin đã được lưu trữ'],
  [/^The bulletin is archived; it cannot be changed$/, () => 'Bản tin đã lưu trữ, không thay đổi được'],
  [
    /^Only a draft that was never processed can be deleted; archive this bulletin instead$/,
    () => 'Chỉ xoá được bản nháp chưa từng xử lý; hãy lưu trữ bản tin này',
  ],
  [/^The cluster is disabled$/, () => 'Cụm loa đang tắt'],
  [
    /^The calendar still has (\d+) slot\(s\); delete or move them first$/,
    (n) => `Lịch còn ${n} khung giờ phát; hãy xoá hoặc chuyển chúng trước`,
  ],
  [
    /^Every bulletin of this commune needs a track in: (.+)$/,
    (l) => `Mọi bản tin của xã cần có bản đọc tiếng: ${l}`,
  ],
  [/^(.*JSON.*)$/s, (m) => `Nội dung JSON không đọc được (${m})`],
  [/^request entity too large$/, () => 'Nội dung gửi lên quá lớn'],
];

function translate(text: string, rules: Rule[]): string | undefined {
  for (const [pattern, say] of rules) {
    const m = pattern.exec(text);
    if (m) return say(...m.slice(1).map((x) => x ?? ''));
  }
  return undefined;
}

/** A field message (from a schema, a service or zod) in the caller's language. */
export function localFieldMessage(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  return translate(message, FIELD_RULES) ?? translate(message, MEDIA_RULES) ?? message;
}

/** The detail of a problem in the caller's language (English when no Vietnamese is known yet). */
export function localDetail(
  detail: string,
  lang: Lang,
  given?: LocalText,
  issues?: { field: string; message: string }[],
): string {
  if (given) return given[lang];
  if (lang === 'en') return detail;
  if (issues?.length)
    return issues.map((i) => `${i.field}: ${localFieldMessage(i.message, lang)}`).join('; ');
  const mediaSaid = translate(detail, MEDIA_RULES);
  if (mediaSaid) return mediaSaid.charAt(0).toUpperCase() + mediaSaid.slice(1);
  return translate(detail, DETAIL_RULES) ?? detail;
}
