/** The hand-written marshaller on the rating path must store exactly what the SDK's marshall would. */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marshallPlain, unmarshallPlain } from './db.js';

describe('marshallPlain', () => {
  it('equals marshall(…, { removeUndefinedValues: true }) for any plain item, undefined values included', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), value, { maxKeys: 8 }), (item) => {
        expect(marshallPlain(item)).toEqual(marshall(item, { removeUndefinedValues: true }));
      }),
      { numRuns: 500 },
    );
  });
});

describe('unmarshallPlain', () => {
  it('reads back what marshall stored exactly as unmarshall does', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), value, { maxKeys: 8 }), (item) => {
        const stored = marshall(item);
        expect(unmarshallPlain(stored)).toEqual(unmarshall(stored));
      }),
      { numRuns: 500 },
    );
  });
});
