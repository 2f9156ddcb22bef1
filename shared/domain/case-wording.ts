/**
 * What the resident's case page says in plain words (SPEC §2 "Resident", §5), in Chinese and English. It never
 * shows the internal fix, the appeal's evidence or the supervisor's reason — only what happens next and when.
 */
import type { TCase } from './cases.js';
import { dateFormat } from './time.js';

export type TLang = 'zh' | 'en';

/** "12月2日" / "2 Dec" in the hall's zone. */
export function shortDate(instant: string, timeZone: string, lang: TLang): string {
  const d = new Date(instant);
  if (lang === 'en') return dateFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }).format(d);
  const parts = dateFormat('en-US', { timeZone, month: 'numeric', day: 'numeric' }).formatToParts(d);
  return `${parts.find((p) => p.type === 'month')?.value}月${parts.find((p) => p.type === 'day')?.value}日`;
}

export interface TResidentStatus {
  headline: string;
  /** the hall's words to the resident (written reply or rectification reply), if any */
  reply?: string;
  /** true while the one 追评 may be given */
  canFollowUp: boolean;
}

type TLine = Record<TLang, (date: string) => string>;
const line = (zh: TLine['zh'], en: TLine['en']): TLine => ({ zh, en });
export const RESIDENT_WORDING = {
  openPhone: line(
    (d) => `工作人员将在 ${d} 前联系您。`,
    (d) => `Staff will contact you by ${d}.`,
  ),
  openNoPhone: line(
    (d) => `大厅将在 ${d} 前在此页回复您。`,
    (d) => `The hall will reply to you on this page by ${d}.`,
  ),
  contacted: line(
    (d) => `大厅正在处理，将在 ${d} 前答复您。`,
    (d) => `The hall is working on it and will answer by ${d}.`,
  ),
  rework: line(
    (d) => `大厅正在重新办理，将在 ${d} 前答复您。`,
    (d) => `The hall is handling it again and will answer by ${d}.`,
  ),
  rectified: line(
    () => '大厅已答复。处理得怎么样？请告诉我们。',
    () => 'The hall has answered. How was it handled? Please tell us.',
  ),
  appealed: line(
    () => '大厅申请上级复核这条评价，复核期间处理暂停。',
    () => 'The hall asked its supervisors to review this rating; handling is paused meanwhile.',
  ),
  rejected: line(
    () => '上级复核后，您的评价保留。',
    () => 'After review by the supervisors, your rating stands. ',
  ),
  upheld: line(
    () => '经上级复核，这条评价不计入大厅的评分。',
    () => "After review by the supervisors, this rating is not counted in the hall's score.",
  ),
  closed: line(
    () => '本案已办结，感谢您的监督。',
    () => 'This case is closed. Thank you for telling us.',
  ),
} as const;

export function residentStatus(c: TCase, timeZone: string, lang: TLang): TResidentStatus {
  const say = (key: keyof typeof RESIDENT_WORDING, due?: string) => RESIDENT_WORDING[key][lang](due ? shortDate(due, timeZone, lang) : '');
  const written = c.contact?.how === 'written_reply' ? c.contact.note : undefined;
  const pre = c.appeal?.decision === 'rejected' ? say('rejected') : '';
  const s = (headline: string, reply?: string, canFollowUp = false): TResidentStatus => ({
    headline,
    ...(reply ? { reply } : {}),
    canFollowUp,
  });
  switch (c.state) {
    case 'open':
      return s(pre + say(c.hasPhone ? 'openPhone' : 'openNoPhone', c.contactDue));
    case 'contacted':
      return s(pre + say(c.reworkCount ? 'rework' : 'contacted', c.rectifyDue), written);
    case 'rectified':
      return s(pre + say('rectified'), c.rectification?.publicReply ?? written, true);
    case 'appealed':
      return s(say('appealed'), written);
    case 'closed':
      return c.closeReason === 'upheld' ? s(say('upheld')) : s(say('closed'), c.rectification?.publicReply ?? written);
  }
}
