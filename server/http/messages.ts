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
  unauthenticated: { vi: 'Cần đăng nhập', en: 'Sign-in required' },
  forbidden: { vi: 'Vai trò của bạn không được làm việc này', en: 'Your role does not allow this' },
  'csrf-invalid': {
    vi: 'Phiên làm việc đã đổi, hãy tải lại trang',
    en: 'Session token out of date; reload the page',
  },
  'invalid-credentials': { vi: 'Sai tên đăng nhập hoặc mật khẩu', en: 'Wrong username or password' },
  'too-many-login-attempts': {
    vi: 'Đăng nhập sai quá nhiều lần, hãy thử lại sau',
    en: 'Too many failed sign-ins; try later',
  },
  'not-a-session': { vi: 'Việc này cần đăng nhập bằng trình duyệt', en: 'This needs a browser session' },
  'empty-file': { vi: 'Tệp rỗng', en: 'The file is empty' },
  'not-audio': { vi: 'Tệp không phải âm thanh', en: 'The file is not audio' },
  'not-multipart': { vi: 'Hãy gửi tệp âm thanh dạng multipart', en: 'Send the audio as multipart/form-data' },
  'no-audio-stream': { vi: 'Tệp không có tiếng', en: 'The file has no audio stream' },
  'audio-too-long': { vi: 'Âm thanh dài quá giới hạn', en: 'The audio is longer than allowed' },
  'audio-damaged': {
    vi: 'Tệp âm thanh bị hỏng hoặc không đầy đủ',
    en: 'The audio file is damaged or incomplete',
  },
  'audio-silent': { vi: 'Tệp âm thanh chỉ có im lặng', en: 'The audio is silent' },
  'file-too-large': { vi: 'Tệp quá lớn', en: 'The file is too large' },
  'bad-file-name': { vi: 'Tên tệp không hợp lệ', en: 'File name not allowed' },
  'unknown-language': { vi: 'Ngôn ngữ không có trong danh sách', en: 'Language not in the list' },
  'malformed-upload': { vi: 'Tải lên bị lỗi hoặc bị ngắt', en: 'The upload is malformed or was interrupted' },
  'no-file': { vi: 'Chưa có tệp âm thanh', en: 'No audio file sent' },
  'no-tracks': { vi: 'Bản tin chưa có tiếng nào', en: 'The bulletin has no language track' },
  'not-transcodable': {
    vi: 'Bản tin không ở trạng thái chờ xử lý',
    en: 'The bulletin is not waiting for processing',
  },
  'approval-needs-another-person': {
    vi: 'Người duyệt phải khác người soạn',
    en: 'Approval needs someone other than the author',
  },
  'not-approvable': {
    vi: 'Chỉ duyệt được bản tin đã xử lý xong',
    en: 'Only a ready bulletin can be approved',
  },
  'emergency-needs-scheduler': {
    vi: 'Chỉ cán bộ lập lịch được tạo bản tin khẩn cấp',
    en: 'Only a scheduler can make an emergency bulletin',
  },
  'required-language-missing': {
    vi: 'Bản tin còn thiếu tiếng bắt buộc của xã',
    en: 'A language the commune requires has no track',
  },
  'required-not-spoken': {
    vi: 'Tiếng bắt buộc phải là tiếng của xã',
    en: 'Required languages must be languages of the commune',
  },
  'bulletin-archived': {
    vi: 'Bản tin đã lưu trữ, không thay đổi được',
    en: 'The bulletin is archived and cannot be changed',
  },
  'bulletin-not-erasable': {
    vi: 'Chỉ xoá được bản nháp chưa xử lý; hãy lưu trữ bản tin này',
    en: 'Only a never-processed draft can be deleted; archive this bulletin instead',
  },
  'not-approved': { vi: 'Bản tin chưa được duyệt', en: 'The bulletin is not approved' },
  'tts-unavailable': { vi: 'Chưa cài đặt bộ đọc văn bản', en: 'Text-to-speech is not installed' },
  'tts-timed-out': {
    vi: 'Bộ đọc văn bản chạy quá lâu và đã bị dừng, hãy thử lại',
    en: 'Text-to-speech took too long and was stopped; try again',
  },
  stopping: { vi: 'Loa đang dừng; hãy thử lại sau giây lát', en: 'Loa is stopping; try again in a moment' },
  'database-unavailable': {
    vi: 'Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau giây lát',
    en: 'The database is unavailable for the moment; try again shortly',
  },
  interrupted: {
    vi: 'Việc xử lý âm thanh bị ngắt giữa chừng (hệ thống đang dừng?), hãy thử lại',
    en: 'Audio processing was interrupted (is the system stopping?); try again',
  },
  'tts-language-unsupported': {
    vi: 'Bộ đọc không hỗ trợ ngôn ngữ này',
    en: 'Text-to-speech cannot speak this language',
  },
  'slot-conflict': {
    vi: 'Khung giờ bị trùng trên cụm loa',
    en: 'The slot collides with another on a cluster',
  },
  'bulletin-not-approved': { vi: 'Bản tin chưa được duyệt', en: 'The bulletin is not approved' },
  'calendar-has-slots': { vi: 'Lịch còn khung giờ phát', en: 'The calendar still has slots' },
  'unknown-tts-engine': { vi: 'Không có bộ đọc này', en: 'No such text-to-speech engine' },
};

export function problemTitle(code: string, lang: Lang): string {
  return TITLES[code]?.[lang] ?? TITLES[code]?.en ?? code;
}

export function pickLanguage(acceptsLanguages: (...langs: string[]) => string | false): Lang {
  return acceptsLanguages('vi', 'en') === 'en' ? 'en' : 'vi';
}
