/** The hand-written (un)marshaller on the rating path must store and read exactly what the SDK's would. */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marshallPlain, unmarshallPlain } from './db.js';

/** Any plain item: strings, numbers, booleans, null, lists and maps, nested; `undefined` where it may be left out. */
const plainItem = (withUndefined: boolean) => {
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
      fc.boolean(),
      fc.constant(null),
      ...(withUndefined ? [fc.constant(undefined)] : []),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  return fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), value, { maxKeys: 8 });
};

describe('marshallPlain and unmarshallPlain', () => {
  it('marshallPlain equals marshall(…, { removeUndefinedValues: true }) for any plain item, undefined values included', () => {
    fc.assert(
      fc.property(plainItem(true), (item) => {
        expect(marshallPlain(item)).toEqual(marshall(item, { removeUndefinedValues: true }));
      }),
      { numRuns: 500 },
    );
  });

  it('unmarshallPlain reads back what marshall stored exactly as unmarshall does', () => {
    fc.assert(
      fc.property(plainItem(false), (item) => {
        const stored = marshall(item);
        expect(unmarshallPlain(stored)).toEqual(unmarshall(stored));
      }),
      { numRuns: 500 },
    );
  });
});
