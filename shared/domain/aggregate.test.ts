/** The day vector: a rating through a ticket or a registered matter counts toward the active-rating rate; a placard's does not. */
import { describe, expect, it } from 'vitest';
import { addRating, V, zeroVector } from './aggregate.js';

describe('addRating', () => {
  it('counts ticket and link ratings as rated invitations, placard ratings not', () => {
    const v = zeroVector();
    for (const channel of ['ticket', 'link', 'placard'] as const) addRating(v, { overall: 5, channel });
    expect(v[V.ticketRated]).toBe(2);
    expect(v[V.grades + 4]).toBe(3);
  });
});
