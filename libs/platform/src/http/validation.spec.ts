import type { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation';

describe('flattenValidationErrors', () => {
  it('gives one entry per bad field with its dotted path', () => {
    const errors = [
      { property: 'userId', constraints: { isString: 'userId must be a string' }, children: [] },
      {
        property: 'items',
        children: [
          { property: '2', children: [{ property: 'quantity', constraints: { min: 'too small', isInt: 'not int' } }] },
        ],
      },
    ] as ValidationError[];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'userId', messages: ['userId must be a string'] },
      { field: 'items.2.quantity', messages: ['too small', 'not int'] },
    ]);
  });
});
