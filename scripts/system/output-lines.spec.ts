import { LineSplitter, linePrefix, RecentLines } from './output-lines';

describe('LineSplitter', () => {
  it('holds a partial line back until the rest of it arrives', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.push(':2}\r\n\n')).toEqual(['{"b":2}', '']);
    expect(splitter.flush()).toEqual([]);
  });

  it('gives back an unterminated last line when the stream ends', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('no newline')).toEqual([]);
    expect(splitter.flush()).toEqual(['no newline']);
    expect(splitter.flush()).toEqual([]);
  });
});

describe('RecentLines', () => {
  it('keeps only the newest lines', () => {
    const recent = new RecentLines(2);
    ['one', 'two', 'three'].forEach((line) => recent.add(line));
    expect(recent.all()).toEqual(['two', 'three']);
  });
});

describe('linePrefix', () => {
  it('pads every source to the same width', () => {
    expect(linePrefix('order-service', 14)).toBe('[order-service ]');
    expect(linePrefix('reward-service', 14)).toBe('[reward-service]');
  });
});
