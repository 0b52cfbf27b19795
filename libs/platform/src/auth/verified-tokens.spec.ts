import { VerifiedTokens } from './verified-tokens';

describe('tokens already verified', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('answers a remembered token until its exp, and forgets it then', () => {
    const tokens = new VerifiedTokens(10, clock);
    tokens.remember('a.b.c', 'user-1', { exp: 1_060 });
    expect(tokens.subjectOf('a.b.c')).toBe('user-1');
    now = 1_059_999;
    expect(tokens.subjectOf('a.b.c')).toBe('user-1');
    now = 1_060_000;
    expect(tokens.subjectOf('a.b.c')).toBeUndefined();
    now = 1_000_000;
    expect(tokens.subjectOf('a.b.c')).toBeUndefined();
  });

  it('answers nothing for a token that differs by one byte, or before its nbf', () => {
    const tokens = new VerifiedTokens(10, clock);
    tokens.remember('a.b.c', 'user-1', { exp: 2_000, nbf: 1_500 });
    expect(tokens.subjectOf('a.b.d')).toBeUndefined();
    expect(tokens.subjectOf('a.b.c')).toBeUndefined();
    now = 1_500_000;
    expect(tokens.subjectOf('a.b.c')).toBe('user-1');
    now = 1_000_000;
  });

  it('keeps at most its capacity, dropping the oldest first, and never a token without exp', () => {
    const tokens = new VerifiedTokens(2, clock);
    tokens.remember('t1', 'u1', { exp: 2_000 });
    tokens.remember('t2', 'u2', { exp: 2_000 });
    tokens.remember('t3', 'u3', { exp: 2_000 });
    tokens.remember('t4', 'u4', {});
    expect([tokens.subjectOf('t1'), tokens.subjectOf('t2'), tokens.subjectOf('t3')]).toEqual([undefined, 'u2', 'u3']);
    expect(tokens.subjectOf('t4')).toBeUndefined();
  });
});
