/**
 * Every threshold of the suspicious-rating rules (SPEC §6), in one place, each with the reason for its number, so
 * a supervisor's question "why was this flagged?" has one answer and a change is one reviewed line. The rules
 * themselves are in suspicion.ts; the bench (bench/detection.ts) measures them against honest and hostile days.
 */
export const THRESHOLDS = {
  /**
   * Burst: ratings at one window inside any 10 minutes. A window serves one person at a time and a visit takes
   * minutes, so even if everyone served rated at once, 10 minutes hold a handful; 9 is past what a fast window
   * serves (one every 67 s) and leaves room for a queue of people who rate together after a system outage.
   */
  burstSpanMin: 10,
  burstMin: 9,
  /** …and at least this many times the window's own usual rate for 10 minutes, so a very busy window is judged
   *  against itself (its usual rate comes from its decayed history). */
  burstOverUsual: 4,
  /** A burst's edges are trimmed of ratings more than 2 minutes and 4× the burst's median gap from the next one:
   *  the resident rating at 11:55 before a flood at 12:00 is not part of it. */
  burstEdgeGapSec: 120,
  burstEdgeTimesGap: 4,
  /**
   * Surge (a slow drip all day): a window's placard ratings of a day above 3× its usual daily ratings (history)
   * and above the tickets it issued, with a floor of 10 for a window without history: honest days vary, but a
   * threefold day at one window without the tickets to match is what a drip looks like.
   */
  surgeOverUsual: 3,
  surgeFloor: 10,
  /**
   * …and within such a day only the ratings from one network identity (keyed hash of address + browser) that gave
   * at least 8 of them are flagged: on hall Wi-Fi a few residents with the same phone model share it honestly,
   * so 8 at one window in one surging day, not sharing alone, is the evidence. An address alone never refuses.
   */
  surgeIdentityMin: 8,
  /** …and at least a tenth of that window's placard ratings: on hall Wi-Fi the commonest phone build shares one
   *  identity among about a tenth of residents, so a share above that is more than sharing explains. */
  surgeIdentityShare: 0.1,
  /** One browser (its cookie) rating 4+ halls in a day: a resident visits one, rarely two or three. The network
   *  identity is never used here: carrier NAT puts a city's phones of one model behind one address. */
  crossHallMin: 4,
  /** A placard hangs at the window: a placard rating more than 30 minutes outside opening hours is odd. */
  outsideHoursGraceMin: 30,
  /** 8 identical bare ratings (same window and grade, no reason or comment) in a row, each within 90 s of the one
   *  before: faster than one window serves people one after another. */
  identicalRun: 8,
  identicalRunGapSec: 90,
  /** More than 3 ratings from one browser (cookie) in one hall on one day: a person rates their own visits. */
  deviceDailyMax: 3,
  /** Flags not reviewed after 7 days are counted apart on /reviews, so a backlog is visible. */
  reviewStaleDays: 7,
} as const;

/** Half-life 30 days (SPEC §4): a decayed count N stands for about N·(1 − δ) ratings a day in a steady state. */
export const DAILY_FROM_DECAYED = 1 - 0.5 ** (1 / 30);
