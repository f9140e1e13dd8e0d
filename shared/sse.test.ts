import { describe, expect, it } from 'vitest';
import { SseReader } from './sse';

describe('SseReader', () => {
  it('assembles messages across chunk boundaries and line endings, skips comments, remembers the last id', () => {
    const r = new SseReader();
    expect(r.push('retry: 1000\n: connected\n\nid: 4\nda')).toEqual([]);
    expect(r.push('ta: {"a":1}\r\n\r\nevent: error\ndata: x\ndata: y\n')).toEqual([{ id: '4', event: 'message', data: '{"a":1}' }]);
    expect(r.lastEventId).toBe('4');
    expect(r.push('\n')).toEqual([{ id: undefined, event: 'error', data: 'x\ny' }]);
    expect(r.lastEventId).toBe('4');
  });
});
