import type { ValidationError } from '@nestjs/common';
import { flattenValidationErrors, hostileBodyProblems } from './validation';

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

describe('hostileBodyProblems', () => {
  it('finds prototype-reaching keys at any depth', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"x":1}},"items":[{"constructor":{}}],"prototype":0}') as unknown;
    expect(
      hostileBodyProblems(parsed)
        .map((p) => p.field)
        .sort(),
    ).toEqual(['a.__proto__', 'items.0.constructor', 'prototype']);
    expect(hostileBodyProblems({ userId: 'u', items: [{ sku: 'A' }] })).toEqual([]);
  });

  it('refuses bodies nested deeper than the limit without walking them all', () => {
    const deep = JSON.parse(`{"items":${'['.repeat(5000)}${']'.repeat(5000)}}`) as unknown;
    expect(hostileBodyProblems(deep)).toEqual([
      { field: expect.stringMatching(/^items(\.0)+$/), messages: [expect.stringContaining('nested deeper')] },
    ]);
  });
});
