/**
 * Every word the console shows, in Vietnamese (the default) and English. Domain terms are the
 * ones officers use: đối soát, phát hiện, hồ sơ, thẻ BHYT. Messages from the services (refusals
 * naming a field) are shown as the services give them, the same words a gRPC client reads.
 */
export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

const MESSAGES = {
  appName: { vi: 'Cổng trao đổi dữ liệu BHXH', en: 'VSS Interchange Gateway' },
  console: { vi: 'Bảng điều khiển', en: 'Console' },
  skipToContent: { vi: 'Chuyển đến nội dung chính', en: 'Skip to main content' },
  language: { vi: 'Ngôn ngữ', en: 'Language' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  signedInAs: { vi: 'Đang đăng nhập', en: 'Signed in as' },
  login: { vi: 'Tên đăng nhập', en: 'Login' },
  password: { vi: 'Mật khẩu', en: 'Password' },
  code: { vi: 'Mã xác thực (6 chữ số)', en: 'Authenticator code (6 digits)' },
  signInIntro: {
    vi: 'Dành cho cán bộ được cấp tài khoản. Cần mật khẩu và mã từ ứng dụng xác thực.',
    en: 'For named operators. You need your password and the code from your authenticator app.',
  },
  signedOut: { vi: 'Bạn đã đăng xuất.', en: 'You are signed out.' },
  sessionEnded: {
    vi: 'Phiên làm việc đã kết thúc. Hãy đăng nhập lại; nội dung bạn đã nhập vẫn được giữ.',
    en: 'Your session has ended. Sign in again; what you typed is kept.',
  },
  enrol: { vi: 'Kích hoạt tài khoản', en: 'Set up your account' },
  enrolIntro: {
    vi: 'Chọn mật khẩu, thêm khóa dưới đây vào ứng dụng xác thực (quét mã QR hoặc nhập khóa), rồi nhập mã 6 chữ số ứng dụng hiển thị.',
    en: 'Choose a password, add the key below to your authenticator app (scan the QR code or type the key), then type the 6-digit code it shows.',
  },
  totpKey: { vi: 'Khóa xác thực', en: 'Authenticator key' },
  newPassword: { vi: 'Mật khẩu mới (ít nhất 12 ký tự)', en: 'New password (at least 12 characters)' },
  enrolled: {
    vi: 'Tài khoản đã được kích hoạt. Hãy đăng nhập.',
    en: 'Your account is set up. Sign in.',
  },
  reconciliation: { vi: 'Đối soát', en: 'Reconciliation' },
  runs: { vi: 'Lượt đối soát', en: 'Reconciliation runs' },
  run: { vi: 'Lượt đối soát', en: 'Run' },
  startRun: { vi: 'Bắt đầu lượt đối soát', en: 'Start a run' },
  scope: { vi: 'Phạm vi', en: 'Scope' },
  scopeAll: { vi: 'Toàn quốc', en: 'Every participant' },
  scopeProvince: { vi: 'Một tỉnh (mã 3 chữ số)', en: 'One province (3-digit code)' },
  scopeChangedSince: { vi: 'Thay đổi từ ngày', en: 'Changed since' },
  provinceCode: { vi: 'Mã tỉnh', en: 'Province code' },
  changedSince: { vi: 'Từ ngày (YYYY-MM-DD)', en: 'Since (YYYY-MM-DD)' },
  dryRun: { vi: 'Chạy thử (không ghi phát hiện)', en: 'Dry run (findings counted, not kept)' },
  findCandidates: {
    vi: 'Tìm ứng viên cho hồ sơ thiếu số định danh',
    en: 'Find candidates for records without a citizen ID',
  },
  start: { vi: 'Bắt đầu', en: 'Start' },
  cancel: { vi: 'Hủy lượt', en: 'Cancel run' },
  state: { vi: 'Trạng thái', en: 'State' },
  startedBy: { vi: 'Người bắt đầu', en: 'Started by' },
  createdAt: { vi: 'Tạo lúc', en: 'Created' },
  progress: { vi: 'Tiến độ', en: 'Progress' },
  records: { vi: 'hồ sơ', en: 'records' },
  recordsPerSecond: { vi: 'hồ sơ/giây', en: 'records/s' },
  eta: { vi: 'Thời gian còn lại', en: 'Time left' },
  outcomes: { vi: 'Kết quả theo loại', en: 'Outcomes' },
  outcome: { vi: 'Loại kết quả', en: 'Outcome' },
  count: { vi: 'Số lượng', en: 'Count' },
  partitions: { vi: 'Theo phân vùng', en: 'By partition' },
  partition: { vi: 'Phân vùng', en: 'Partition' },
  done: { vi: 'Xong', en: 'Done' },
  findingsByProvince: { vi: 'Phát hiện theo tỉnh', en: 'Findings by province' },
  province: { vi: 'Tỉnh', en: 'Province' },
  findings: { vi: 'Phát hiện', en: 'Findings' },
  noRuns: { vi: 'Chưa có lượt đối soát nào.', en: 'No runs yet.' },
  live: { vi: 'Cập nhật trực tiếp', en: 'Live' },
  model: { vi: 'Mô hình', en: 'Model' },
  error: { vi: 'Lỗi', en: 'Error' },
  approvals: { vi: 'Phê duyệt', en: 'Approvals' },
  reviewNav: { vi: 'Xem xét', en: 'Review' },
  approvalsWaiting: { vi: 'Đang chờ phê duyệt', en: 'Waiting for approval' },
  approvalsDecided: { vi: 'Đã quyết định', en: 'Decided' },
  noApprovals: { vi: 'Không có yêu cầu nào.', en: 'Nothing here.' },
  hold: { vi: 'Lý do giữ lại', en: 'Held for' },
  reason: { vi: 'Giải thích', en: 'Reason' },
  requestedBy: { vi: 'Người đề nghị', en: 'Requested by' },
  subject: { vi: 'Đối tượng', en: 'Subject' },
  office: { vi: 'Cơ quan đăng ký hộ tịch', en: 'Civil registry office' },
  decidedBy: { vi: 'Người quyết định', en: 'Decided by' },
  note: { vi: 'Ghi chú', en: 'Note' },
  noteRequiredToReject: { vi: 'Bắt buộc khi từ chối', en: 'Required to reject' },
  approve: { vi: 'Phê duyệt', en: 'Approve' },
  reject: { vi: 'Từ chối', en: 'Reject' },
  ownRequest: {
    vi: 'Đây là đề nghị của chính bạn: một người phê duyệt khác phải quyết định.',
    en: 'You asked for this yourself: another approver must decide it.',
  },
  readOnly: {
    vi: 'Bạn chỉ có quyền xem trang này.',
    en: 'You may look at this page but not change anything on it.',
  },
  outcomeText: { vi: 'Kết quả xử lý', en: 'What it did' },
  notFound: { vi: 'Không tìm thấy', en: 'Not found' },
  forbidden: { vi: 'Không có quyền', en: 'Not allowed' },
  unavailable: {
    vi: 'Dịch vụ tạm thời không sẵn sàng; hãy thử lại sau ít phút.',
    en: 'The service is unavailable for a moment; try again in a few minutes.',
  },
  badRequest: { vi: 'Yêu cầu chưa đúng', en: 'The request needs a correction' },
  back: { vi: 'Quay lại', en: 'Back' },
  previous: { vi: 'Trang trước', en: 'Previous' },
  next: { vi: 'Trang sau', en: 'Next' },
  review: { vi: 'Xem xét phát hiện', en: 'Review findings' },
  reviewed: { vi: 'đã xem xét', en: 'reviewed' },
  of: { vi: 'trên', en: 'of' },
  filter: { vi: 'Lọc', en: 'Filter' },
  all: { vi: 'Tất cả', en: 'All' },
  stateOpen: { vi: 'Chưa quyết định', en: 'Not decided' },
  stateDecided: { vi: 'Đã quyết định', en: 'Decided' },
  finding: { vi: 'Phát hiện', en: 'Finding' },
  socialInsuranceCode: { vi: 'Mã số BHXH', en: 'Social insurance code' },
  citizenId: { vi: 'Số CCCD', en: 'Citizen ID' },
  detail: { vi: 'Mô tả', en: 'Detail' },
  decision: { vi: 'Quyết định', en: 'Decision' },
  accept: { vi: 'Chấp nhận', en: 'Accept' },
  acceptAll: { vi: 'Chấp nhận tất cả theo bộ lọc', en: 'Accept all matching the filter' },
  rejectAll: { vi: 'Từ chối tất cả theo bộ lọc', en: 'Reject all matching the filter' },
  bulk: { vi: 'Quyết định hàng loạt', en: 'Decide in bulk' },
  accepted: { vi: 'Đã chấp nhận', en: 'Accepted' },
  rejected: { vi: 'Đã từ chối', en: 'Rejected' },
  applied: { vi: 'Đã áp dụng', en: 'Applied' },
  openWith: { vi: 'Đang được xem bởi', en: 'Open with' },
  exportCsv: { vi: 'Tải CSV', en: 'Export CSV' },
  ourRecord: { vi: 'Hồ sơ BHXH', en: 'Our record (VSS)' },
  registryRecord: { vi: 'CSDL quốc gia về dân cư', en: 'Population registry' },
  candidate: { vi: 'Ứng viên', en: 'Candidate' },
  field: { vi: 'Trường', en: 'Field' },
  fullName: { vi: 'Họ và tên', en: 'Full name' },
  dateOfBirth: { vi: 'Ngày sinh', en: 'Date of birth' },
  gender: { vi: 'Giới tính', en: 'Gender' },
  legacyId: { vi: 'Số CMND cũ', en: 'Legacy ID (CMND)' },
  dateOfDeath: { vi: 'Ngày mất', en: 'Date of death' },
  normalized: { vi: 'dạng chuẩn hóa', en: 'normalized' },
  differs: { vi: 'khác nhau', en: 'differs' },
  waterfall: { vi: 'Trọng số khớp (thác nước)', en: 'Match weights (waterfall)' },
  prior: { vi: 'Xác suất tiên nghiệm', en: 'Prior' },
  comparison: { vi: 'So sánh', en: 'Comparison' },
  level: { vi: 'Mức', en: 'Level' },
  weight: { vi: 'Trọng số (bit)', en: 'Weight (bits)' },
  tfAdjustment: { vi: 'Điều chỉnh theo tần suất tên', en: 'Name frequency adjustment' },
  finalWeight: { vi: 'Trọng số cuối', en: 'Final weight' },
  probability: { vi: 'Xác suất là cùng một người', en: 'Probability of the same person' },
  keyboardHelp: {
    vi: 'Phím tắt: a chấp nhận, r từ chối (cần ghi chú), j phát hiện sau, k phát hiện trước.',
    en: 'Keys: a accept, r reject (a note is needed), j next finding, k previous finding.',
  },
  nextFinding: { vi: 'Phát hiện sau', en: 'Next finding' },
  previousFinding: { vi: 'Phát hiện trước', en: 'Previous finding' },
  noFindings: { vi: 'Không có phát hiện nào theo bộ lọc.', en: 'No findings match the filter.' },
  awaitingApproval: {
    vi: 'Đã chấp nhận; việc áp dụng đang chờ người phê duyệt.',
    en: 'Accepted; applying it waits for an approver.',
  },
  decidedCount: { vi: 'Số phát hiện đã quyết định', en: 'Findings decided' },
  evidence: { vi: 'Căn cứ', en: 'Evidence' },
  filing: { vi: 'Hồ sơ đăng ký', en: 'The filing' },
  checksFound: { vi: 'Kết quả kiểm tra', en: 'What the checks found' },
  procedureKind: { vi: 'Loại thủ tục', en: 'Procedure' },
  registrationDate: { vi: 'Ngày đăng ký', en: 'Registration date' },
  registrationNumber: { vi: 'Số đăng ký', en: 'Registration number' },
  subjectCitizen: { vi: 'Số CCCD của người được đăng ký', en: 'Citizen ID of the person' },
  receivedAt: { vi: 'Ngày tiếp nhận', en: 'Received' },
  steps: { vi: 'Các bước', en: 'Steps' },
  heldFindings: { vi: 'Các phát hiện sẽ được áp dụng', en: 'The findings it would apply' },
  yes: { vi: 'Có', en: 'Yes' },
  no: { vi: 'Không', en: 'No' },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;
export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  return (key) => MESSAGES[key][lang];
}

/** The language asked for, else Vietnamese. */
export function langOf(value: unknown): Lang {
  return value === 'en' ? 'en' : 'vi';
}

const OUTCOMES: Record<string, Record<Lang, string>> = {
  MATCHED: { vi: 'Khớp', en: 'Matched' },
  MATCHED_AFTER_NORMALIZATION: { vi: 'Khớp sau chuẩn hóa', en: 'Matched after normalization' },
  FIELD_MISMATCH: { vi: 'Sai lệch thông tin', en: 'Field mismatch' },
  LEGACY_ID_RESOLVED: { vi: 'Đã quy đổi CMND sang CCCD', en: 'Legacy ID resolved' },
  NOT_IN_REGISTRY: { vi: 'Không có trong CSDL dân cư', en: 'Not in the registry' },
  DECEASED_BUT_ACTIVE: { vi: 'Đã chết nhưng còn hưởng/còn thẻ BHYT', en: 'Deceased but active' },
  DUPLICATE_PARTICIPANT: { vi: 'Một người nhiều mã số BHXH', en: 'Duplicate participant' },
  MISSING_ID_CANDIDATE: { vi: 'Thiếu số định danh – có ứng viên', en: 'Missing ID, candidates found' },
};

const RUN_STATES: Record<string, Record<Lang, string>> = {
  QUEUED: { vi: 'Đang chờ', en: 'Queued' },
  RUNNING: { vi: 'Đang chạy', en: 'Running' },
  COMPLETED: { vi: 'Hoàn thành', en: 'Completed' },
  CANCELLED: { vi: 'Đã hủy', en: 'Cancelled' },
  FAILED: { vi: 'Thất bại', en: 'Failed' },
};

const APPROVAL_STATES: Record<string, Record<Lang, string>> = {
  PENDING: { vi: 'Chờ phê duyệt', en: 'Pending' },
  APPROVED: { vi: 'Đã phê duyệt', en: 'Approved' },
  REJECTED: { vi: 'Đã từ chối', en: 'Rejected' },
};

const HOLDS: Record<string, Record<Lang, string>> = {
  OUTSIDE_JURISDICTION: { vi: 'Ngoài thẩm quyền của cơ quan', en: 'Outside the office’s jurisdiction' },
  LATE_REGISTRATION: { vi: 'Đăng ký quá hạn', en: 'Late registration' },
  PAYOUT_CHECKS: { vi: 'Kiểm tra trước khi chi trả', en: 'Payout checks' },
  DECEASED_BUT_ACTIVE: { vi: 'Ghi nhận người đã chết', en: 'Records deaths' },
  FINDINGS_OVER_LIMIT: { vi: 'Số phát hiện vượt ngưỡng', en: 'More findings than the threshold' },
};

const named = (table: Record<string, Record<Lang, string>>) => (code: string, lang: Lang) =>
  table[code]?.[lang] ?? code;

export const outcomeName = named(OUTCOMES);
export const runStateName = named(RUN_STATES);
export const approvalStateName = named(APPROVAL_STATES);
export const holdName = named(HOLDS);
